import { describe, expect, it } from '@jest/globals';
import { parseGtoTag } from '../../src/parsing/index.js';
import { bumpVersion, foldRegistry, planGtoTag } from '../../src/registry/index.js';
import type { FoldedArtifact, GtoTagRequest, PlannedGtoTag, RegistryTag, VersionBump } from '../../src/registry/index.js';
import { gtoTag } from '../support/gtoTag.js';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const C3 = '3'.repeat(40);
const C4 = '4'.repeat(40);
const T0 = 1704067200;

/** A parsed, annotated GTO tag at `commit`, made `seconds` after 2024-01-01T00:00:00Z (its counter kept: tag writing counts it). */
function tag(name: string, commit: string, seconds: number): RegistryTag {
  return gtoTag(name, commit, T0 + seconds, { counter: true });
}

function artifactOf(tags: RegistryTag[], name: string): FoldedArtifact {
  const found = foldRegistry(tags).artifacts.find((a) => a.name === name);
  if (!found) throw new Error(`no artifact ${name}`);
  return found;
}

/** churn: v1.0.0 at C1 (prod, then shadowed by v1.1.0), v1.1.0 at C2 (prod, staging); another artifact with higher counters. */
const CHURN = [
  tag('churn@v1.0.0', C1, 0),
  tag('churn#prod#1', C1, 10),
  tag('churn@v1.1.0', C2, 20),
  tag('churn#staging#2', C2, 30),
  tag('churn#prod#3', C2, 40),
  tag('churn-v2@v5.0.0#9', C3, 50),
  tag('dir=churn#prod#8', C3, 60),
];
const churn = artifactOf(CHURN, 'churn');

/** Folds `tags` plus the planned tag, made after all of them. */
function after(tags: RegistryTag[], planned: PlannedGtoTag, name: string): FoldedArtifact {
  const latest = Math.max(...tags.map((t) => t.timestamp)) - T0;
  return artifactOf([...tags, tag(planned.name, planned.commit, latest + 1)], name);
}

describe('planGtoTag: the tag gto writes for each action', () => {
  it.each<[string, GtoTagRequest, Partial<PlannedGtoTag>]>([
    ['register names a version', { action: 'register', commit: C3, version: 'v1.2.0' }, { name: 'churn@v1.2.0', commit: C3, message: 'Registering artifact churn version v1.2.0' }],
    ['register bumps the patch by default', { action: 'register', commit: C3 }, { name: 'churn@v1.1.1', message: 'Registering artifact churn version v1.1.1' }],
    ['register bumps the minor', { action: 'register', commit: C3, bump: 'minor' }, { name: 'churn@v1.2.0' }],
    ['register bumps the major', { action: 'register', commit: C3, bump: 'major' }, { name: 'churn@v2.0.0' }],
    ['assign counts past every tag of the artifact', { action: 'assign', version: 'v1.0.0', stage: 'dev' }, { name: 'churn#dev#4', commit: C1, message: 'Assigning stage dev to artifact churn version v1.0.0' }],
    ['unassign has a counter too', { action: 'unassign', version: 'v1.1.0', stage: 'staging' }, { name: 'churn#staging!#4', commit: C2, message: "Unassigning stage 'staging' to artifact 'churn' version 'v1.1.0'" }],
    ['deregister is simple', { action: 'deregister', version: 'v1.0.0' }, { name: 'churn@v1.0.0!', commit: C1, message: 'Deregistering artifact churn version v1.0.0' }],
    ['deprecate is simple, on the commit of the newest event', { action: 'deprecate' }, { name: 'churn@deprecated', commit: C2, message: "Deprecating artifact 'churn'" }],
  ])('%s', (_what, request, expected) => {
    expect(planGtoTag(churn, request)).toMatchObject(expected);
  });

  it('writes a nested artifact as dir=name, and names it dir:name in messages', () => {
    const tags = [tag('models/a=clf@v0.3.0', C1, 0), tag('models/a=clf#prod#2', C1, 5)];
    const clf = artifactOf(tags, 'models/a:clf');
    expect(planGtoTag(clf, { action: 'register', commit: C2 })).toMatchObject({ name: 'models/a=clf@v0.3.1', message: 'Registering artifact models/a:clf version v0.3.1' });
    expect(planGtoTag(clf, { action: 'assign', version: 'v0.3.0', stage: 'dev' })).toMatchObject({ name: 'models/a=clf#dev#3' });
    expect(planGtoTag(clf, { action: 'deprecate' })).toMatchObject({ name: 'models/a=clf@deprecated', message: "Deprecating artifact 'models/a:clf'" });
  });

  it('registers v0.0.1 first, and deprecates a never-tagged artifact at HEAD', () => {
    const fresh = { name: 'fresh', deprecated: false, versions: [], history: [] };
    expect(planGtoTag(fresh, { action: 'register', commit: C4 })).toEqual({
      name: 'fresh@v0.0.1',
      commit: C4,
      message: 'Registering artifact fresh version v0.0.1',
      version: 'v0.0.1',
      notBefore: 0,
    });
    expect(planGtoTag(fresh, { action: 'deprecate', head: C4 })).toMatchObject({ name: 'fresh@deprecated', commit: C4 });
  });

  it('counts lightweight and set-aside tags too, never another artifact, and never a stage named by digits', () => {
    const plan = planGtoTag(churn, { action: 'assign', version: 'v1.0.0', stage: 'dev' }, { otherTags: ['churn#dev#12', 'churn#77', 'churnx#dev#50', 'dir=churn#prod#60'] });
    expect(plan.name).toBe('churn#dev#13');
  });

  it('asks not to tag before the second after the newest tag (GTO orders by whole seconds)', () => {
    expect(planGtoTag(churn, { action: 'deprecate' }).notBefore).toBe(T0 + 41);
  });

  it('falls back to a counter where the simple name exists: a re-registration, a second deprecation', () => {
    const tags = [...CHURN, tag('churn@v1.0.0!', C1, 100), tag('churn@deprecated', C2, 110), tag('churn#dev#4', C2, 120)];
    const revived = artifactOf(tags, 'churn');
    expect(revived.deprecated).toBe(false);
    expect(planGtoTag(revived, { action: 'register', commit: C1 })).toMatchObject({ name: 'churn@v1.0.0#5', message: 'Registering artifact churn version v1.0.0' });
    expect(planGtoTag(revived, { action: 'deprecate' })).toMatchObject({ name: 'churn@deprecated#5' });
  });

  it('lets a stage roll back to a version that holds it behind a newer assignment', () => {
    expect(churn.stages.find((s) => s.stage === 'prod')?.version).toBe('v1.1.0');
    const plan = planGtoTag(churn, { action: 'assign', version: 'v1.0.0', stage: 'prod' });
    expect(plan.name).toBe('churn#prod#4');
    expect(after(CHURN, plan, 'churn').stages.find((s) => s.stage === 'prod')?.version).toBe('v1.0.0');
  });
});

describe('planGtoTag: what gto refuses', () => {
  const withDeregistered = artifactOf([...CHURN, tag('churn@v1.0.0!', C1, 100), tag('churn#dev#4', C4, 110)], 'churn');
  it.each<[string, GtoTagRequest, string, RegExp]>([
    ['a version that is not SemVer', { action: 'register', commit: C3, version: '1.2.0' }, 'InputError', /not valid.*v1\.0\.0/],
    ['a version without all three numbers', { action: 'register', commit: C3, version: 'v1.2' }, 'InputError', /not valid/],
    ['a second version on a commit', { action: 'register', commit: C2, version: 'v9.0.0' }, 'InputError', /already has version v1\.1\.0.*one version per commit/],
    ['a version that exists elsewhere', { action: 'register', commit: C3, version: 'v1.0.0' }, 'InputError', /v1\.0\.0 of churn exists already/],
    ['a version and a bump', { action: 'register', commit: C3, version: 'v3.0.0', bump: 'major' }, 'InputError', /either a version or a bump/],
    ['a short commit', { action: 'register', commit: 'abc1234' }, 'InputError', /full commit SHA/],
    ['an unknown version', { action: 'assign', version: 'v7.0.0', stage: 'prod' }, 'NotFoundError', /no version v7\.0\.0/],
    ['a stage name starting with _', { action: 'assign', version: 'v1.0.0', stage: '_prod' }, 'InputError', /not a GTO stage name/],
    ['a stage name ending with -', { action: 'assign', version: 'v1.0.0', stage: 'prod-' }, 'InputError', /not a GTO stage name/],
    ['a stage name with a space', { action: 'unassign', version: 'v1.0.0', stage: 'pr od' }, 'InputError', /not a GTO stage name/],
    ['a stage the version shows already', { action: 'assign', version: 'v1.1.0', stage: 'prod' }, 'InputError', /already in stage prod/],
    ['unassigning a stage the version does not hold', { action: 'unassign', version: 'v1.0.0', stage: 'staging' }, 'InputError', /not assigned/],
  ])('refuses %s', (_what, request, errorName, message) => {
    expect(() => planGtoTag(churn, request)).toThrow(expect.objectContaining({ name: errorName, message: expect.stringMatching(message) }) as unknown as Error);
  });

  it.each<[string, GtoTagRequest, RegExp]>([
    ['deregistering twice', { action: 'deregister', version: 'v1.0.0' }, /deregistered already/],
    ['assigning a deregistered version', { action: 'assign', version: 'v1.0.0', stage: 'qa' }, /deregistered; register it again/],
    ['assigning a version only stage tags made', { action: 'assign', version: C4, stage: 'qa' }, /not registered/],
    ['deregistering a version only stage tags made', { action: 'deregister', version: C4 }, /not registered/],
    ['another version where a deregistered one was', { action: 'register', commit: C1, version: 'v3.0.0' }, /only v1\.0\.0 can be registered there/],
    ['a bump where a deregistered version was', { action: 'register', commit: C1, bump: 'minor' }, /only v1\.0\.0 can be registered there again/],
  ])('refuses %s', (_what, request, message) => {
    expect(() => planGtoTag(withDeregistered, request)).toThrow(message);
  });

  it('refuses a stage tag on a commit that holds two registered versions (GTO could not tell which one it names)', () => {
    // Two registrations at C2 (written by hand or by another tool): the fold keeps both versions.
    const twoAtOneCommit = artifactOf([...CHURN, tag('churn@v1.2.0', C2, 100)], 'churn');
    expect(twoAtOneCommit.versions.filter((v) => v.commit === C2).map((v) => v.name).sort()).toEqual(['v1.1.0', 'v1.2.0']);
    expect(() => planGtoTag(twoAtOneCommit, { action: 'assign', version: 'v1.2.0', stage: 'dev' })).toThrow(/shares commit 2222222 with v1\.1\.0.*could not tell which version/);
    expect(() => planGtoTag(twoAtOneCommit, { action: 'unassign', version: 'v1.1.0', stage: 'staging' })).toThrow(/shares commit 2222222 with v1\.2\.0/);
    // Once one of them is deregistered, stage tags name the other again.
    const oneLeft = artifactOf([...CHURN, tag('churn@v1.2.0', C2, 100), tag('churn@v1.2.0!', C2, 110)], 'churn');
    expect(planGtoTag(oneLeft, { action: 'assign', version: 'v1.1.0', stage: 'dev' })).toMatchObject({ name: expect.stringMatching(/^churn#dev#\d+$/), commit: C2 });
  });

  it('refuses to deprecate twice, and a bump with nothing to bump', () => {
    const deprecated = artifactOf([...CHURN, tag('churn@deprecated', C2, 100)], 'churn');
    expect(() => planGtoTag(deprecated, { action: 'deprecate' })).toThrow(/deprecated already/);
    expect(() => planGtoTag({ name: 'fresh', deprecated: false, versions: [], history: [] }, { action: 'register', commit: C1, bump: 'minor' })).toThrow(/no registered version to bump/);
  });

  it('refuses an artifact name GTO cannot tag (DVC only warns about it)', () => {
    expect(() => planGtoTag({ name: '_bad_name_', deprecated: false, versions: [], history: [] }, { action: 'register', commit: C1 })).toThrow(/not a name GTO can tag/);
  });

  it('asks for the commit when a version name sits at several commits', () => {
    const twice = artifactOf([tag('m@v1.0.0', C1, 0), tag('m@v1.0.0!', C1, 5), tag('m@v1.0.0', C2, 10)], 'm');
    expect(() => planGtoTag(twice, { action: 'assign', version: 'v1.0.0', stage: 'prod' })).toThrow(/several commits/);
    expect(planGtoTag(twice, { action: 'assign', version: 'v1.0.0', stage: 'prod', commit: C2 })).toMatchObject({ name: 'm#prod#1', commit: C2 });
  });
});

describe('bumpVersion (python-semver bump_* as GTO calls it)', () => {
  it.each<[string, VersionBump, string]>([
    ['v1.2.3', 'patch', 'v1.2.4'],
    ['v1.2.3', 'minor', 'v1.3.0'],
    ['v1.2.3', 'major', 'v2.0.0'],
    ['v1.2.3-rc.1', 'patch', 'v1.2.4'],
    ['v1.2.3-rc.1+build.7', 'minor', 'v1.3.0'],
    ['v0.0.9', 'patch', 'v0.0.10'],
    ['v1.2.99999999999999999999', 'patch', 'v1.2.100000000000000000000'],
  ])('%s bumped %s is %s', (version, part, expected) => {
    expect(bumpVersion(version, part)).toBe(expected);
  });

  it('bumps from the highest registered version, pre-releases included, deregistered ones not', () => {
    const tags = [tag('m@v1.0.0', C1, 0), tag('m@v1.1.0-rc.1', C2, 10), tag('m@v2.0.0', C3, 20), tag('m@v2.0.0!', C3, 30)];
    expect(planGtoTag(artifactOf(tags, 'm'), { action: 'register', commit: C4 }).name).toBe('m@v1.1.1');
  });
});

describe('planGtoTag round trip: the tag, read back by parseGtoTag and folded, does what was asked', () => {
  it.each<[string, GtoTagRequest, (a: FoldedArtifact) => unknown, unknown]>([
    ['register', { action: 'register', commit: C3, bump: 'minor' }, (a) => [a.latest, a.latestCommit], ['v1.2.0', C3]],
    ['assign', { action: 'assign', version: 'v1.0.0', stage: 'dev' }, (a) => a.stages.map((s) => `${s.stage}=${s.version}`), ['dev=v1.0.0', 'prod=v1.1.0', 'staging=v1.1.0']],
    ['unassign', { action: 'unassign', version: 'v1.1.0', stage: 'prod' }, (a) => a.stages.map((s) => `${s.stage}=${s.version}`), ['prod=v1.0.0', 'staging=v1.1.0']],
    ['deregister', { action: 'deregister', version: 'v1.1.0' }, (a) => [a.latest, a.versions.find((v) => v.name === 'v1.1.0')?.deregistered], ['v1.0.0', true]],
    ['deprecate', { action: 'deprecate' }, (a) => a.deprecated, true],
  ])('%s', (action, request, read, expected) => {
    const planned = planGtoTag(churn, request);
    expect(parseGtoTag(planned.name)).toMatchObject({ action, artifact: 'churn' });
    expect(read(after(CHURN, planned, 'churn'))).toEqual(expected);
  });

  it('reads a nested artifact back under its dir:name', () => {
    const planned = planGtoTag({ name: 'a/b.c:model', deprecated: false, versions: [], history: [] }, { action: 'register', commit: C1, version: 'v1.0.0-rc.1' });
    expect(parseGtoTag(planned.name)).toMatchObject({ action: 'register', artifact: 'a/b.c:model', version: 'v1.0.0-rc.1' });
  });
});
