import { describe, expect, it } from '@jest/globals';
import { parseDvcLock } from '../../src/parsing/index.js';
import { LOCK_V2, LOCK_V3 } from './fixtures.js';

describe('parseDvcLock', () => {
  it('reads DVC 3 entries with their md5, size and directory manifests', () => {
    const { value, problems } = parseDvcLock(LOCK_V3, 'dvc.lock');
    expect(problems).toEqual([]);
    expect(value.file).toBe('dvc.lock');
    expect(value.dir).toBe('');
    expect(value.stages.map((s) => s.name)).toEqual(['prepare', 'train']);
    expect(value.stages[0]).toStrictEqual({
      name: 'prepare',
      cmd: 'python src/prepare.py data/data.xml',
      deps: [
        { path: 'data/data.xml', repoPath: 'data/data.xml', md5: '22a1a2931c8370d3aeedd7183606fd7f', dvc3: true, isDir: false, size: 14445097 },
        { path: 'src/prepare.py', repoPath: 'src/prepare.py', md5: 'f09ea0c15980b43010257ccb9f0055e2', dvc3: true, isDir: false, size: 1576 },
      ],
      params: { 'params.yaml': { 'prepare.seed': 20170428, 'prepare.split': 0.2 } },
      outs: [
        {
          path: 'data/prepared',
          repoPath: 'data/prepared',
          md5: '153aad06d376b6595932470e459ef42a.dir',
          dvc3: true,
          isDir: true,
          size: 8437363,
          nfiles: 2,
        },
      ],
    });
  });

  it('flattens a params section recorded whole to dotted keys, as parseParams flattens the file', () => {
    const { value } = parseDvcLock(LOCK_V3, 'dvc.lock');
    expect(value.stages[1]?.params).toStrictEqual({ 'params.yaml': { 'train.min_split': 0.01, 'train.n_est': 50, 'train.seed': 20170428 } });
  });

  it('marks entries without hash: md5 as legacy DVC 2 entries', () => {
    const { value } = parseDvcLock(LOCK_V2, 'dvc.lock');
    expect(value.stages[0]?.deps[0]).toMatchObject({ dvc3: false, isDir: true });
    expect(value.stages[0]?.outs[0]).toMatchObject({ dvc3: false, isDir: false, md5: 'd1f6e05547bb5cec7cc6c4b6f0c3e04a' });
  });

  it('makes paths and params files relative to the repository root for a nested dvc.lock', () => {
    const text = "schema: '2.0'\nstages:\n  train:\n    cmd: x\n    deps:\n    - path: ../shared/data.csv\n    params:\n      params.yaml:\n        lr: 0.1\n    outs:\n    - path: models/model.pkl\n";
    const { value } = parseDvcLock(text, 'project_a/dvc.lock');
    expect(value.dir).toBe('project_a');
    expect(value.stages[0]?.deps[0]?.repoPath).toBe('shared/data.csv');
    expect(value.stages[0]?.outs[0]?.repoPath).toBe('project_a/models/model.pkl');
    expect(Object.keys(value.stages[0]?.params ?? {})).toEqual(['project_a/params.yaml']);
  });

  it('joins paths with a stage wdir when it is given', () => {
    const text = "schema: '2.0'\nstages:\n  train:\n    cmd: x\n    outs:\n    - path: model.pkl\n    params:\n      params.yaml:\n        lr: 0.1\n";
    const { value } = parseDvcLock(text, 'dvc.lock', new Map([['train', 'src']]));
    expect(value.stages[0]?.outs[0]?.repoPath).toBe('src/model.pkl');
    expect(Object.keys(value.stages[0]?.params ?? {})).toEqual(['src/params.yaml']);
  });

  it('keeps expanded stage names and a list cmd', () => {
    const text = "schema: '2.0'\nstages:\n  train@us:\n    cmd:\n    - python prepare.py\n    - python train.py us\n";
    expect(parseDvcLock(text, 'dvc.lock').value.stages).toStrictEqual([
      { name: 'train@us', cmd: ['python prepare.py', 'python train.py us'], deps: [], params: {}, outs: [] },
    ]);
  });

  it.each([
    ["schema: '1.0'\nstages: {}\n", "'1.0'"],
    ['schema: 2.0\nstages: {}\n', '2'],
    ['prepare:\n  cmd: python prepare.py\n', 'none'],
  ])('refuses an unsupported schema in %p', (text, found) => {
    const { value, problems } = parseDvcLock(text, 'dvc.lock');
    expect(value.stages).toEqual([]);
    expect(problems).toEqual([{ file: 'dvc.lock', line: expect.any(Number), message: expect.stringContaining(`unsupported dvc.lock schema ${found}`) }]);
    expect(problems[0]?.message).toContain("expected '2.0'");
  });

  it.each([
    ['cmd: {a: 1}', 'cmd: expected a string or a list'],
    ['deps: data.csv', 'deps: expected a list'],
    ['deps: [data.csv]', "deps[0]: expected {path, md5"],
    ['deps: [{md5: 22a1a2931c8370d3aeedd7183606fd7f}]', "'path' is required"],
    ['outs: [{path: m.pkl, md5: not-a-hash}]', 'md5 is not 32 hex digits'],
    ['outs: [{path: m.pkl, size: big}]', 'size must be a whole number'],
    ['outs: [{path: m.pkl, size: -1}]', 'size must be a whole number'],
    ['outs: [{path: m.pkl, nfiles: 1.5}]', 'nfiles must be a whole number'],
    ['outs: [{path: m.pkl, cache: "no"}]', 'cache must be true or false'],
    ['outs: [{path: m.pkl, push: 1}]', 'push must be true or false'],
    ['outs: [{path: m.pkl, remote: [a]}]', 'remote must be a remote name'],
    ['params: [lr]', 'params: expected a mapping'],
    ['params: {params.yaml: [lr]}', 'expected a mapping of keys to values'],
  ])('reports a stage with %s', (field, message) => {
    const { value, problems } = parseDvcLock(`schema: '2.0'\nstages:\n  train:\n    ${field}\n`, 'dvc.lock');
    expect(value.stages.map((s) => s.name)).toEqual(['train']);
    expect(problems).toEqual([{ file: 'dvc.lock', line: expect.any(Number), message: expect.stringContaining(message) }]);
  });

  it('keeps an entry whose optional fields are bad, without those fields', () => {
    const { value } = parseDvcLock("schema: '2.0'\nstages:\n  t:\n    outs:\n    - path: m.pkl\n      md5: xyz\n      size: big\n", 'dvc.lock');
    expect(value.stages[0]?.outs).toStrictEqual([{ path: 'm.pkl', repoPath: 'm.pkl', dvc3: false, isDir: false }]);
  });

  it.each([
    ['a list', "- schema: '2.0'\n"],
    ['a stage that is a string', "schema: '2.0'\nstages:\n  train: python train.py\n"],
    ['stages as a list', "schema: '2.0'\nstages:\n- train\n"],
  ])('reports %s', (_case, text) => {
    const { value, problems } = parseDvcLock(text, 'dvc.lock');
    expect(value.stages).toEqual([]);
    expect(problems).toHaveLength(1);
  });

  it('reports a YAML syntax error with its line', () => {
    const { problems } = parseDvcLock("schema: '2.0'\nstages:\n  train:\n    cmd: [x\n", 'dvc.lock');
    expect(problems).toEqual([{ file: 'dvc.lock', line: expect.any(Number), message: expect.stringContaining('YAML syntax error') }]);
  });

  it('reports duplicate stage names', () => {
    const { value, problems } = parseDvcLock("schema: '2.0'\nstages:\n  t:\n    cmd: a\n  t:\n    cmd: b\n", 'dvc.lock');
    expect(value.stages).toEqual([]);
    expect(problems[0]).toMatchObject({ line: 5, message: expect.stringContaining('unique') });
  });

  it('reads an empty file as no stages', () => {
    expect(parseDvcLock('', 'dvc.lock')).toStrictEqual({ value: { file: 'dvc.lock', dir: '', stages: [] }, problems: [] });
  });

  it('does not let __proto__ params pollute Object.prototype', () => {
    const text = "schema: '2.0'\nstages:\n  t:\n    params:\n      __proto__:\n        polluted: 1\n";
    const { value } = parseDvcLock(text, '__proto__/dvc.lock');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value.stages[0]?.params ?? {})).toEqual(['__proto__/__proto__']);
  });
});
