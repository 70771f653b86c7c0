import { describe, expect, it } from '@jest/globals';
import { gtoTagArtifactName, isValidGtoFullName, isValidGtoName, parseGtoTag } from '../../src/parsing/index.js';

describe('parseGtoTag', () => {
  it.each([
    ['churn@v3.1.0', { action: 'register', artifact: 'churn', version: 'v3.1.0' }],
    ['churn@v3.1.0#4', { action: 'register', artifact: 'churn', version: 'v3.1.0', counter: 4 }],
    ['model@v1.0.0#1', { action: 'register', artifact: 'model', version: 'v1.0.0', counter: 1 }],
    ['nn@v1.0.0-rc.2', { action: 'register', artifact: 'nn', version: 'v1.0.0-rc.2' }],
    ['nn@v1.0.0+build.5', { action: 'register', artifact: 'nn', version: 'v1.0.0+build.5' }],
    ['nn@v1.0.0!#1', { action: 'deregister', artifact: 'nn', version: 'v1.0.0', counter: 1 }],
    ['new-artifact@v1.0.1!', { action: 'deregister', artifact: 'new-artifact', version: 'v1.0.1' }],
    ['churn#prod#3', { action: 'assign', artifact: 'churn', stage: 'prod', counter: 3 }],
    ['churn#dev', { action: 'assign', artifact: 'churn', stage: 'dev' }],
    ['rf#prod-5', { action: 'assign', artifact: 'rf', stage: 'prod-5' }],
    ['nn#prod!#2', { action: 'unassign', artifact: 'nn', stage: 'prod', counter: 2 }],
    ['nn#staging!', { action: 'unassign', artifact: 'nn', stage: 'staging' }],
    ['churn@deprecated', { action: 'deprecate', artifact: 'churn' }],
    ['churn@deprecated#7', { action: 'deprecate', artifact: 'churn', counter: 7 }],
    ['project_a=model_project_a@v1.0.0', { action: 'register', artifact: 'project_a:model_project_a', version: 'v1.0.0' }],
    ['Some/folder/A=Model@v1.0.0', { action: 'register', artifact: 'Some/folder/A:Model', version: 'v1.0.0' }],
    ['subrepo=myart#prod#1', { action: 'assign', artifact: 'subrepo:myart', stage: 'prod', counter: 1 }],
  ])('reads %s as GTO does', (tag, expected) => {
    expect(parseGtoTag(tag)).toStrictEqual({ tag, ...expected });
  });

  it.each([
    'model@v1',
    'model@v111',
    'model@v1.0',
    'model@V1.0.0',
    'model@0.0.1',
    'model#prod#-1',
    'model#prod@v1.2.3',
    'model@v1.2.3#prod',
    'namespace/model@0.0.1',
    'model@v01.0.0',
    '_model@v1.0.0',
    'model-@v1.0.0',
    'a=b=c@v1.0.0',
    'v1.0',
    '0-git-init',
    'bigrams-experiment',
    '',
  ])('ignores %p, which is not a GTO tag', (tag) => {
    expect(parseGtoTag(tag)).toBeUndefined();
  });

  it.each(['m@created', 'm@created#1'])('ignores the reserved creation tag %s', (tag) => {
    expect(parseGtoTag(tag)).toBeUndefined();
  });

  it('reads a counter as a number even when it has leading zeros', () => {
    expect(parseGtoTag('churn#prod#007')?.counter).toBe(7);
  });

  it('does not stall on a long almost-matching tag', () => {
    const tag = `${'a-'.repeat(50_000)}@v1.0`;
    const started = Date.now();
    expect(parseGtoTag(tag)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('gtoTagArtifactName', () => {
  it.each([
    ['churn', 'churn'],
    ['project_a:model_project_a', 'project_a=model_project_a'],
    ['Some/folder/A:Model', 'Some/folder/A=Model'],
  ])('writes %s as %s inside tags', (fullName, tagForm) => {
    expect(gtoTagArtifactName(fullName)).toBe(tagForm);
  });

  it('gives a tag form that parses back to the same full name', () => {
    const tag = `${gtoTagArtifactName('some/folder:some/model')}@v1.2.3`;
    expect(parseGtoTag(tag)?.artifact).toBe('some/folder:some/model');
  });
});

describe('isValidGtoName', () => {
  it.each(['m', '1', 'churn', 'Model_A', 'dvclive/model', 'new-artifact', 'text-classification'])('accepts %s', (name) => {
    expect(isValidGtoName(name)).toBe(true);
  });

  it.each(['', '_model', '-model', 'model-', 'm/', '/m', 'a model', 'model@1', 'model#1', '@namespace/model', 'a.b', 'a:b', 'a=b', 'm!'])(
    'rejects %p',
    (name) => {
      expect(isValidGtoName(name)).toBe(false);
    },
  );
});

describe('isValidGtoFullName', () => {
  it.each(['churn', 'dvclive:model', 'some/folder:some/model', 'project_a:model_project_a', 'a.b/c-d_e:m'])('accepts %s', (name) => {
    expect(isValidGtoFullName(name)).toBe(true);
  });

  it.each(['Some/folder/A=Model', ':model', 'a:b:c', 'dir:_bad', 'my dir:model', 'dir:'])('rejects %p', (name) => {
    expect(isValidGtoFullName(name)).toBe(false);
  });
});
