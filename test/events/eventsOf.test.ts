import { describe, expect, it } from '@jest/globals';
import { eventsOf } from '../../src/events/index.js';
import { foldRegistry } from '../../src/registry/index.js';
import type { ModelRecord, RegistryTag } from '../../src/registry/index.js';
import { gtoTag } from '../support/gtoTag.js';

const REPO = 'local:acme/churn';
const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);

/** An annotated GTO tag on `commit`, made `seconds` after 2025-01-01T00:00:00Z. */
function tag(name: string, seconds: number, commit = C1): RegistryTag {
  return gtoTag(name, commit, 1735689600 + seconds, { tagger: 'Ada', message: `message of ${name}` });
}

/** The models GTO's fold makes of `tags` (only what `eventsOf` reads). */
function models(tags: RegistryTag[]): Pick<ModelRecord, 'ref' | 'repository' | 'history'>[] {
  return foldRegistry(tags).artifacts.map((a) => ({ ref: `${REPO}:${a.name}`, repository: REPO, history: a.history }));
}

/** `eventsOf` between the repository with `before` tags and with `after` tags, as `<kind> <tag>` lines. */
function change(before: RegistryTag[] | undefined, after: RegistryTag[]): string[] {
  return eventsOf(before && models(before), { models: models(after) }).map((e) => `${e.kind} ${e.tag}`);
}

const v1 = tag('churn@v1.0.0', 0);
const prod1 = tag('churn#prod#1', 10);

describe('eventsOf', () => {
  it.each([
    ['a new registration', ['REGISTERED churn@v1.1.0'], [v1], [v1, tag('churn@v1.1.0', 20, C2)]],
    ['a new stage assignment', ['ASSIGNED churn#prod#1'], [v1], [v1, prod1]],
    ['an unassignment', ['UNASSIGNED churn#prod!#2'], [v1, prod1], [v1, prod1, tag('churn#prod!#2', 20)]],
    ['a deregistration', ['DEREGISTERED churn@v1.0.0!'], [v1], [v1, tag('churn@v1.0.0!', 20)]],
    ['a deprecation', ['DEPRECATED churn@deprecated'], [v1], [v1, tag('churn@deprecated', 20)]],
    ['a model that appears in a known repository', ['REGISTERED fraud@v0.1.0'], [v1], [v1, tag('fraud@v0.1.0', 20)]],
    ['a model in a subfolder', ['REGISTERED nlp=sentiment@v2.0.0'], [v1], [v1, tag('nlp=sentiment@v2.0.0', 20)]],
    ['a re-index that finds the same tags', [], [v1, prod1], [v1, prod1]],
    ['a tag that disappeared', [], [v1, prod1], [v1]],
    ['a tag that disappeared while another appeared', ['ASSIGNED churn#dev#2'], [v1, prod1], [v1, tag('churn#dev#2', 30)]],
  ])('for %s, publishes exactly %j', (_name, expected, before, after) => {
    expect(change(before, after)).toEqual(expected);
  });

  it('publishes nothing for a repository indexed for the first time, however many tags it has', () => {
    expect(change(undefined, [v1, prod1, tag('churn@v1.1.0', 20, C2), tag('churn@deprecated', 30)])).toEqual([]);
  });

  it('orders new events of several models by tag time, a registration before the assignment tagged in the same second', () => {
    const after = [v1, tag('fraud#prod#2', 50, C2), tag('fraud@v1.0.0', 50, C2), tag('churn#dev#2', 40), tag('churn@v2.0.0', 60, C2)];
    expect(change([v1], after)).toEqual(['ASSIGNED churn#dev#2', 'REGISTERED fraud@v1.0.0', 'ASSIGNED fraud#prod#2', 'REGISTERED churn@v2.0.0']);
  });

  it('carries the model, repository, version, stage, author, time, commit and message of the tag', () => {
    const [event] = eventsOf(models([v1]), { models: models([v1, prod1]) });
    expect(event).toEqual({
      kind: 'ASSIGNED',
      repository: REPO,
      model: `${REPO}:churn`,
      artifact: 'churn',
      version: 'v1.0.0',
      stage: 'prod',
      commit: C1,
      author: { name: 'Ada', email: 'ada@example.com' },
      at: '2025-01-01T00:00:10+00:00',
      timestamp: 1735689610,
      tag: 'churn#prod#1',
      message: 'message of churn#prod#1',
    });
  });
});
