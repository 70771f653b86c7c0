/**
 * GTO's semantics (research/dvc-gto-formats.md §2 and §8), one rule per test, as a client of
 * the gateway sees them: real Git repositories with annotated tags at chosen tagger dates,
 * the real indexer, and GraphQL over HTTP. Each rule has its own small repository under
 * `gto/`; all are indexed in one pass.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BulkTag, GitIdentity, RepoWriter } from '../../src/demo/repoWriter.js';
import { ModelRefsDocument, ModelRegistryStateDocument, ModelVersionDocument, RepositoryRegistryDocument } from '../__generated__/operations.js';
import type { ModelRegistryStateQuery } from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { startTestGateway } from '../support/testGateway.js';
import type { TestGateway } from '../support/testGateway.js';

type ModelState = NonNullable<ModelRegistryStateQuery['model']>;

/** 200 characters; with `@v1.0.0` still under the 255 bytes Git can store in one ref file name. */
const LONG_NAME = `l${'o'.repeat(198)}g`;
const LONG_STAGE = `s${'t'.repeat(198)}e`;
const LONG_PRERELEASE = `v1.0.0-${'a'.repeat(200)}`;
/** Legal Git tag names that GTO's `tag_re` rejects (research §2.1, gto tests/test_tag.py). */
const IGNORED_NAMES = [
  'bad-@v1.0.0',
  '_under@v1.0.0',
  'a=b=c@v1.0.0',
  'x@v1.2.3#prod',
  'x#prod@v1.2.3',
  'x#prod#-1',
  'x@v01.0.0',
  'x@v1.0.0-',
  'x@v1.0.0-01',
  'x@0.0.1',
  'namespace/x@0.0.1',
  'mod\u00e8le@v1.0.0',
  'x@deprecated!',
];

const ADA: GitIdentity = { name: 'Ada', email: 'ada@acme.test' };
const BOB: GitIdentity = { name: 'Bob', email: 'bob@acme.test' };

/** 2025-01-01T00:00:00Z plus `minutes`: tagger dates, one second resolution as GTO reads them. */
function t(minutes: number): string {
  return new Date(Date.UTC(2025, 0, 1) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

/** A root `dvc.yaml` declaring `names` (each at `<name>.pkl`). */
function declare(...names: string[]): Record<string, string> {
  return { 'dvc.yaml': `artifacts:\n${names.map((n) => `  ${n}:\n    path: ${n}.pkl\n`).join('')}` };
}

/** Annotated tags in one fast-import: `[name, commit, date, tagger?]`, message = name. */
function tagAll(repo: RepoWriter, tags: [name: string, commit: string, date: string, tagger?: GitIdentity][]): Promise<void> {
  return repo.tagMany(tags.map(([name, commit, date, tagger]): BulkTag => ({ name, commit, date, message: `tag ${name}`, ...(tagger ? { tagger } : {}) })));
}

/** A repository `gto/<name>` with one commit of `files`; resolves with the writer and the commit. */
async function oneCommitRepo(root: string, name: string, files: Record<string, string>): Promise<{ repo: RepoWriter; c1: string }> {
  const repo = await createRepo(root, `gto/${name}`);
  await repo.write(files);
  const c1 = await repo.commit('first', { date: t(-60) });
  return { repo, c1 };
}

/** `version` plus `(unregistered)` / `(deregistered)` markers and `[shown stages]`. */
function versionLine(v: ModelState['versions']['nodes'][number]): string {
  return `${v.version}${v.registered ? '' : '(unregistered)'}${v.deregistered ? '(deregistered)' : ''}[${v.stages.join(',')}]`;
}

describe('GTO semantics through the gateway', () => {
  const dir = useTempDir('modelgate-gto-semantics');
  let gateway: TestGateway;
  const sha: Record<string, string> = {};

  async function model(ref: string, includeDeregistered = false): Promise<ModelState> {
    const { data, errors } = await gateway.query(ModelRegistryStateDocument, { ref: `local:gto/${ref}`, includeDeregistered });
    expect(errors).toBeUndefined();
    if (!data?.model) throw new Error(`no model local:gto/${ref}`);
    return data.model;
  }

  async function repository(name: string) {
    const { data, errors } = await gateway.query(RepositoryRegistryDocument, { ref: `local:gto/${name}` });
    expect(errors).toBeUndefined();
    if (!data?.repository) throw new Error(`no repository local:gto/${name}`);
    return data.repository;
  }

  async function versionByRef(ref: string) {
    const { data, errors } = await gateway.query(ModelVersionDocument, { ref: `local:gto/${ref}` });
    expect(errors).toBeUndefined();
    return data?.modelVersion ?? null;
  }

  async function listed(filter: { repository: string; includeDeprecated?: boolean }): Promise<string[]> {
    const { data, errors } = await gateway.query(ModelRefsDocument, { filter: { ...filter, repository: `local:gto/${filter.repository}` }, first: 500 });
    expect(errors).toBeUndefined();
    return data?.models.nodes.map((m) => m.ref.slice(`local:gto/${filter.repository}:`.length)) ?? [];
  }

  beforeAll(async () => {
    const root = dir.path;

    // Same-second tags and tagger time.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'order', declare('cancel', 'unassign', 'revive', 'names', 'timed'));
      await tagAll(repo, [
        ['cancel@v1.0.0#1', c1, t(0)],
        ['cancel@v1.0.0!#2', c1, t(0)],
        ['unassign@v1.0.0', c1, t(0)],
        ['unassign#prod#2', c1, t(10)],
        ['unassign#prod!#1', c1, t(10)],
        ['revive@v1.0.0', c1, t(0)],
        ['revive@deprecated', c1, t(10)],
        ['revive#dev#1', c1, t(10)],
        ['names@v1.0.0', c1, t(0)],
        ['names#dev#1', c1, t(10)],
        ['names#prod#2', c1, t(10)],
      ]);
      // Created deregistration first, registration second; the tagger dates say the opposite.
      await repo.tag('timed@v1.0.0!', { message: 'withdrawn', date: t(20) });
      await repo.tag('timed@v1.0.0', { message: 'registered', date: t(10) });
    }

    // Passes: stage tags are placed after every registration.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'passes', declare('early'));
      await tagAll(repo, [
        ['early#prod#1', c1, t(0)],
        ['early@v1.0.0', c1, t(10)],
      ]);
    }

    // Stage tags on commits nobody registered.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'unregistered', declare('m', 'shaonly', 'gone'));
      await repo.write({ 'm.txt': 'two' });
      const c2 = await repo.commit('second', { date: t(-30) });
      sha.unregisteredC2 = c2;
      await tagAll(repo, [
        ['m@v1.0.0', c1, t(0)],
        ['m#staging#1', c2, t(10)],
        ['shaonly#prod#1', c2, t(20)],
        ['gone#prod#1', c2, t(30)],
        ['gone#prod!#2', c2, t(40)],
      ]);
    }

    // Two versions on one commit, and a stage tag there.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'conflict', declare('twin', 'solo'));
      await tagAll(repo, [
        ['twin@v1.0.0', c1, t(0)],
        ['twin@v1.1.0', c1, t(10)],
        ['twin#prod#1', c1, t(20)],
        ['solo@v1.0.0', c1, t(0)],
        ['solo#prod#1', c1, t(20)],
      ]);
    }

    // One version string at two commits.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'twice', declare('m'));
      await repo.write({ 'm.txt': 'two' });
      const c2 = await repo.commit('second', { date: t(-30) });
      Object.assign(sha, { twiceC1: c1, twiceC2: c2 });
      await tagAll(repo, [
        ['m@v1.0.0', c1, t(0)],
        ['m@v1.0.0#2', c2, t(10)],
      ]);
    }

    // Deregistration and re-registration.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'deregister', declare('withdrawn', 'revived'));
      await repo.write({ 'm.txt': 'two' });
      const c2 = await repo.commit('second', { date: t(-30) });
      await tagAll(repo, [
        ['withdrawn@v1.0.0', c1, t(0)],
        ['withdrawn@v1.1.0', c2, t(10)],
        ['withdrawn#prod#1', c2, t(15)],
        ['withdrawn@v1.1.0!', c2, t(20)],
        ['revived@v1.0.0', c1, t(0)],
        ['revived@v1.0.0!', c1, t(10)],
        ['revived@v1.0.0#3', c1, t(20)],
      ]);
    }

    // Deprecation and revival.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'deprecate', declare('old', 'back', 'staged'));
      await repo.write({ 'm.txt': 'two' });
      const c2 = await repo.commit('second', { date: t(-30) });
      await tagAll(repo, [
        ['old@v1.0.0', c1, t(0)],
        ['old@deprecated', c1, t(10)],
        ['back@v1.0.0', c1, t(0)],
        ['back@deprecated', c1, t(10)],
        ['back@v1.1.0', c2, t(20)],
        ['staged@v1.0.0', c1, t(0)],
        ['staged@deprecated', c1, t(10)],
        ['staged#prod#1', c1, t(20)],
      ]);
    }

    // Stage assignment, unassignment, show vs all, counters.
    for (const [name, tags] of [
      ['unassign', [['m#prod#1', 'c1', 10], ['m#prod#2', 'c2', 20], ['m#prod!#3', 'c2', 30]]],
      ['stages', [['m#prod#1', 'c2', 10], ['m#prod#2', 'c1', 20], ['m#dev#3', 'c2', 30]]],
      ['counters', [['m#prod#9', 'c2', 10], ['m#prod#2', 'c1', 20], ['d@v1.0.0!#7', 'c1', 10], ['d@v1.0.0#3', 'c1', 20]]],
    ] as const) {
      const { repo, c1 } = await oneCommitRepo(root, name, declare('m', 'd'));
      await repo.write({ 'm.txt': 'two' });
      const c2 = await repo.commit('second', { date: t(-30) });
      const commits = { c1, c2 };
      await tagAll(repo, [
        ['m@v1.0.0', c1, t(0)],
        ['m@v2.0.0', c2, t(1)],
        ...tags.map(([tag, commit, minutes]): [string, string, string] => [tag, commits[commit], t(minutes)]),
      ]);
    }

    // Nested dvc.yaml files: one name in three places.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'mono', {
        'dvc.yaml': 'artifacts:\n  detector:\n    path: detector.pkl\n',
        'models/vision/dvc.yaml': 'artifacts:\n  detector:\n    path: weights/detector.pt\n    type: model\n    labels: [vision]\n',
        'models/nlp/dvc.yaml': 'artifacts:\n  detector:\n    path: weights/detector.bin\n    labels: [nlp]\n',
      });
      await tagAll(repo, [
        ['detector@v0.1.0', c1, t(0)],
        ['models/vision=detector@v1.0.0', c1, t(0)],
        ['models/vision=detector#prod#1', c1, t(10)],
        ['models/nlp=detector@v2.0.0', c1, t(0)],
      ]);
    }

    // Tags without any declaration.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'undeclared', { 'README.md': 'no dvc.yaml here\n' });
      await tagAll(repo, [
        ['ghost@v1.0.0', c1, t(0)],
        ['ghost#prod#1', c1, t(10)],
      ]);
    }

    // Declarations that change between versions and are gone at HEAD.
    {
      const repo = await createRepo(root, 'gto/removed');
      const yaml = (legacy: string, orphan: string) => ({ 'dvc.yaml': `artifacts:\n  keeper:\n    path: keeper.pkl\n${legacy}${orphan}` });
      await repo.write(
        yaml(
          '  legacy:\n    path: models/a.pkl\n    type: model\n    desc: first cut\n    labels: [a]\n',
          '  orphan:\n    path: orphan-a.pkl\n    desc: from Tokyo\n',
        ),
      );
      const c1 = await repo.commit('declare', { date: t(-60) });
      await repo.write(
        yaml(
          '  legacy:\n    path: models/b.pkl\n    type: dataset\n    desc: second cut\n    labels: [b1, b2]\n',
          '  orphan:\n    path: orphan-b.pkl\n    desc: from New York\n',
        ),
      );
      const c2 = await repo.commit('move', { date: t(-50) });
      await repo.write(yaml('', ''));
      const c3 = await repo.commit('drop both', { date: t(-40) });
      await tagAll(repo, [
        ['legacy@v1.0.0', c1, t(0)],
        ['legacy@v1.1.0', c2, t(10)],
        ['keeper@v1.0.0', c3, t(20)],
        // Tokyo tags first (23:00Z), New York an hour later (00:00Z); as local times New York's looks older.
        ['orphan@v1.0.0', c1, '2025-01-02T08:00:00+09:00'],
        ['orphan@v1.1.0', c2, '2025-01-01T19:00:00-05:00'],
        ['orphan@v1.2.0', c3, t(2000)],
      ]);
    }

    // Lightweight and non-GTO tags.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'noise', declare('m'));
      await tagAll(repo, [
        ['m@v1.0.0', c1, t(0)],
        ...['v1.0', 'release-2024', 'model@1.0.0', 'model@v1', 'model@V1.0.0', 'model@created', 'model@created#2'].map((n): [string, string, string] => [n, c1, t(5)]),
      ]);
      for (const name of ['m@v2.0.0', 'm#prod#1', 'v2.0', 'nightly']) await repo.lightweightTag(name, c1);
    }

    // SemVer order.
    {
      const repo = await createRepo(root, 'gto/semver');
      const commits = await repo.commitMany(Array.from({ length: 5 }, (_, i) => ({ message: `c${i}`, date: t(-60 + i), files: { 'n.txt': `${i}` } })));
      const [c0 = '', c1 = '', c2 = '', c3 = '', c4 = ''] = commits;
      await tagAll(repo, [
        ['pre@v1.0.0', c0, t(0)],
        ['pre@v0.9.0', c1, t(10)],
        ['pre@v1.0.0-rc.1', c2, t(20)],
        ['pre@v1.0.0-rc.2', c3, t(30)],
        ['pre@v1.0.0-rc.10', c4, t(40)],
        ['build@v2.0.0+zzz', c0, t(0)],
        ['build@v2.0.0+aaa', c1, t(10)],
        ['build@v1.9.0+zzz', c2, t(20)],
        ['rc-only@v1.0.0-rc.1', c0, t(0)],
        ['rc-only@v1.0.0-alpha', c1, t(10)],
      ]);
    }

    // History.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'history', declare('h'));
      await repo.write({ 'm.txt': 'two' });
      const c2 = await repo.commit('second', { date: t(-30) });
      await tagAll(repo, [
        ['h@v1.0.0', c1, t(0)],
        ['h#prod#1', c1, t(0)],
        ['h@v1.1.0', c2, t(10)],
        ['h#prod!#2', c1, t(20)],
        ['h@v1.1.0!', c2, t(20)],
        ['h@deprecated', c1, t(30)],
      ]);
    }

    // Authorship, simple forms, messages.
    {
      // `.gto` limits stages and types only when GTO writes tags; readers ignore it (research §1.4).
      const { repo, c1 } = await oneCommitRepo(root, 'authors', { ...declare('m', 's'), '.gto': 'stages: [dev]\ntypes: [dataset]\n' });
      await repo.write({ 'm.txt': 'two' });
      const c2 = await repo.commit('second', { date: t(-30) });
      await tagAll(repo, [
        ['m@v1.0.0', c1, '2025-01-01T10:00:00+02:00', ADA],
        ['m#prod#1', c1, '2025-01-02T10:00:00+02:00', ADA],
        ['m#prod#2', c1, '2025-01-03T10:00:00-07:00', BOB],
        ['s@v1.0.0', c1, t(0)],
        ['s#prod', c1, t(10)],
        ['s#prod-5', c1, t(10)],
        ['s#prod!', c1, t(20)],
        ['s@deprecated#3', c1, t(30)],
      ]);
      await repo.tag('m@v1.1.0', { message: 'm@v9.9.9\n\nm#prod#1 (messages are never parsed)  \n', date: '2025-01-04T00:00:00Z', commit: c2, tagger: BOB });
    }

    // Two registrations of one version at one commit.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'duplicate', declare('dup', 'fine'));
      await tagAll(repo, [
        ['dup@v1.0.0', c1, t(0), ADA],
        ['dup@v1.0.0#2', c1, t(10), BOB],
        ['fine@v1.0.0', c1, t(0)],
      ]);
    }

    // A tag on a commit of a branch that was deleted.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'branches', { 'dvc.yaml': 'artifacts:\n  exp:\n    path: main.pkl\n' });
      await repo.checkout('experiment', { create: true });
      await repo.write({ 'dvc.yaml': 'artifacts:\n  exp:\n    path: experiment.pkl\n' });
      const c2 = await repo.commit('try something', { date: t(-30) });
      await repo.checkout('main');
      await repo.deleteBranch('experiment');
      Object.assign(sha, { branchesC1: c1, branchesC2: c2 });
      await tagAll(repo, [
        ['exp@v1.0.0', c1, t(0)],
        ['exp@v2.0.0', c2, t(10)],
        ['exp#dev#1', c2, t(20)],
      ]);
    }

    // Odd but legal names, names at length limits, and names GTO does not read.
    {
      const { repo, c1 } = await oneCommitRepo(root, 'names', { 'README.md': 'tags only\n' });
      await tagAll(repo, [
        ['a-b_c/d=e@v1.0.0', c1, t(0)],
        ['a-b_c/d=e#prod#1', c1, t(10)],
        ['team/model@v1.0.0', c1, t(0)],
        ['Model@v1.0.0', c1, t(0)],
        ['model@v2.0.0', c1, t(0)],
        ['1@v1.0.0', c1, t(0)],
        ['models/v1.2=net@v1.0.0', c1, t(0)],
        [`${LONG_NAME}@v1.0.0`, c1, t(0)],
        [`${LONG_NAME}#prod#1`, c1, t(10)],
        ['deploy@v1.0.0', c1, t(0)],
        [`deploy#${LONG_STAGE}#1`, c1, t(10)],
        ['long-pre@v0.1.0', c1, t(0)],
        [`long-pre@${LONG_PRERELEASE}`, c1, t(10)],
        ['big@v1.0.0', c1, t(0)],
        ['big@v9007199254740993.0.0', c1, t(10)],
        ['big@v18446744073709551616.0.0', c1, t(20)],
        ['big@v9007199254740992.0.0', c1, t(30)],
        ...IGNORED_NAMES.map((n): [string, string, string] => [n, c1, t(5)]),
      ]);
    }

    gateway = await startTestGateway(root);
    const summary = await gateway.index();
    expect(summary.failed).toEqual([]);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  describe('event order: tagger time, then action priority, then tag name', () => {
    it('same-second tags: a deregistration beats the registration it cancels (action priority), though its tag name sorts first', async () => {
      const m = await model('order:cancel', true);
      expect(m.versions.nodes.map(versionLine)).toEqual(['v1.0.0(deregistered)[]']);
      expect(m.latestVersion).toBeNull();
      expect((await model('order:cancel')).versions.totalCount).toBe(0);
    });

    it('same-second tags: an unassignment beats the assignment it cancels (action priority)', async () => {
      const m = await model('order:unassign');
      expect(m.stages).toEqual([]);
      expect(m.allStages).toEqual([]);
      expect(m.versions.nodes.map((v) => [v.version, v.activeStages])).toEqual([['v1.0.0', []]]);
    });

    it('same-second tags: an assignment outranks an @deprecated of the same second, so the model stays active', async () => {
      const m = await model('order:revive');
      expect(m.deprecated).toBe(false);
      expect(await listed({ repository: 'order' })).toContain('revive');
    });

    it('same-second tags of one action fall back to tag name order (history shows the greater name as the newer)', async () => {
      const m = await model('order:names');
      expect(m.history.nodes.map((e) => e.tag)).toEqual(['names#prod#2', 'names#dev#1', 'names@v1.0.0']);
    });

    it('tagger time orders tags, not the order they were created in', async () => {
      const m = await model('order:timed', true);
      expect(m.versions.nodes.map(versionLine)).toEqual(['v1.0.0(deregistered)[]']);
      expect(m.history.nodes.map((e) => e.kind)).toEqual(['DEREGISTERED', 'REGISTERED']);
    });
  });

  it('passes: a stage tag dated before the registration of its commit still lands on the registered version', async () => {
    const m = await model('passes:early');
    expect(m.versions.nodes.map(versionLine)).toEqual(['v1.0.0[prod]']);
    expect(m.stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v1.0.0']);
    expect(m.history.nodes.map((e) => `${e.kind} ${e.version?.version}`)).toEqual(['REGISTERED v1.0.0', 'ASSIGNED v1.0.0']);
  });

  describe('stage tags on a commit with no registration', () => {
    it('make a version named by the full commit SHA: not registered, never latest, but the version of its stage', async () => {
      const c2 = sha.unregisteredC2 ?? '';
      const m = await model('unregistered:m');
      expect(m.versions.nodes.map(versionLine)).toEqual(['v1.0.0[]', `${c2}(unregistered)[staging]`]);
      expect(m.latestVersion?.version).toBe('v1.0.0');
      expect(m.stages.map((s) => [s.stage, s.version.ref])).toEqual([['staging', `local:gto/unregistered:m@${c2}`]]);
    });

    it('are reachable by <model>@<sha> and by <model>#<stage>', async () => {
      const c2 = sha.unregisteredC2 ?? '';
      expect(await versionByRef(`unregistered:m@${c2}`)).toMatchObject({ version: c2, commit: { sha: c2 }, stages: ['staging'] });
      expect((await versionByRef('unregistered:m#staging'))?.ref).toBe(`local:gto/unregistered:m@${c2}`);
    });

    it('alone make a model with no latest version', async () => {
      const c2 = sha.unregisteredC2 ?? '';
      const m = await model('unregistered:shaonly');
      expect(m.latestVersion).toBeNull();
      expect(m.versions.nodes.map(versionLine)).toEqual([`${c2}(unregistered)[prod]`]);
      expect(await versionByRef('unregistered:shaonly@latest')).toBeNull();
    });

    it('share one version per commit, so an unassign there cancels the assign; the version stays listed (docs/decisions/0001, point 1)', async () => {
      const c2 = sha.unregisteredC2 ?? '';
      const m = await model('unregistered:gone');
      expect(m.versions.nodes.map(versionLine)).toEqual([`${c2}(unregistered)[]`]);
      expect(m.stages).toEqual([]);
      expect(m.history.nodes.map((e) => `${e.kind} ${e.version?.version === c2 ? '<sha>' : e.version?.version}`)).toEqual(['UNASSIGNED <sha>', 'ASSIGNED <sha>']);
    });
  });

  it('two versions on one commit plus a stage tag there: a problem on that model only (GTO ManyVersions); the other models are served', async () => {
    const repo = await repository('conflict');
    expect(repo.problems).toEqual([{ file: 'twin#prod#1', model: 'local:gto/conflict:twin', message: expect.stringMatching(/ManyVersions/) }]);
    expect(repo.models.nodes.map((n) => `${n.name}@${n.latestVersion?.version}`)).toEqual(['solo@v1.0.0', 'twin@v1.1.0']);
    const twin = await model('conflict:twin');
    expect(twin.versions.nodes.map(versionLine)).toEqual(['v1.1.0[]', 'v1.0.0[]']);
    expect(twin.history.nodes.map((e) => e.kind)).toEqual(['REGISTERED', 'REGISTERED']);
    expect(twin.problems).toEqual(repo.problems);
    const solo = await model('conflict:solo');
    expect(solo.problems).toEqual([]);
    expect(solo.stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v1.0.0']);
  });

  it('one version string registered at two commits is two versions, both listed; the older one gets a ~<sha12> ref', async () => {
    const { twiceC1 = '', twiceC2 = '' } = sha;
    const m = await model('twice:m');
    expect(m.versions.nodes.map((v) => [v.ref, v.commit.sha])).toEqual([
      ['local:gto/twice:m@v1.0.0', twiceC2],
      [`local:gto/twice:m@v1.0.0~${twiceC1.slice(0, 12)}`, twiceC1],
    ]);
    expect(m.latestVersion?.commit.sha).toBe(twiceC2);
    expect((await versionByRef(`twice:m@v1.0.0~${twiceC1.slice(0, 12)}`))?.commit.sha).toBe(twiceC1);
    expect((await repository('twice')).problems).toEqual([]);
  });

  describe('deregistration', () => {
    it('takes a version out of latestVersion, out of versions (unless includeDeregistered) and out of its stages', async () => {
      const m = await model('deregister:withdrawn');
      expect(m.latestVersion?.version).toBe('v1.0.0');
      expect(m.versions.nodes.map(versionLine)).toEqual(['v1.0.0[]']);
      expect(m.stages).toEqual([]);
      expect(await versionByRef('deregister:withdrawn#prod')).toBeNull();
      const all = await model('deregister:withdrawn', true);
      expect(all.versions.nodes.map(versionLine)).toEqual(['v1.1.0(deregistered)[]', 'v1.0.0[]']);
    });

    it('is undone by a later registration of the same version at the same commit, without a problem', async () => {
      const m = await model('deregister:revived');
      expect(m.latestVersion?.version).toBe('v1.0.0');
      expect(m.versions.nodes.map((v) => [v.version, v.deregistered, v.tag])).toEqual([['v1.0.0', false, 'revived@v1.0.0#3']]);
      expect(m.history.nodes.map((e) => e.kind)).toEqual(['REGISTERED', 'DEREGISTERED', 'REGISTERED']);
      expect((await repository('deregister')).problems).toEqual([]);
    });
  });

  describe('deprecation', () => {
    it('@deprecated hides the model from models unless filter.includeDeprecated; the model itself says deprecated', async () => {
      expect(await listed({ repository: 'deprecate' })).toEqual(['back', 'staged']);
      expect(await listed({ repository: 'deprecate', includeDeprecated: true })).toEqual(['back', 'old', 'staged']);
      const old = await model('deprecate:old');
      expect(old.deprecated).toBe(true);
      expect(old.latestVersion?.version).toBe('v1.0.0');
      expect((await repository('deprecate')).models.nodes.map((n) => `${n.name}${n.deprecated ? ' (deprecated)' : ''}`)).toEqual([
        'back',
        'old (deprecated)',
        'staged',
      ]);
    });

    it('a registration after @deprecated revives the model', async () => {
      const m = await model('deprecate:back');
      expect(m).toMatchObject({ deprecated: false, latestVersion: { version: 'v1.1.0' } });
    });

    it('an assignment after @deprecated revives the model', async () => {
      const m = await model('deprecate:staged');
      expect(m.deprecated).toBe(false);
      expect(m.stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v1.0.0']);
    });
  });

  it('unassign (#stage!#N): the stage leaves that version, and another version still assigned to it shows instead', async () => {
    const m = await model('unassign:m');
    expect(m.versions.nodes.map((v) => `${versionLine(v)} active:${v.activeStages.join(',')}`)).toEqual(['v2.0.0[] active:', 'v1.0.0[prod] active:prod']);
    expect(m.stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v1.0.0']);
    expect(m.allStages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v1.0.0']);
    expect((await versionByRef('unassign:m#prod'))?.version).toBe('v1.0.0');
  });

  it('stages shows per stage the most recently assigned active version (gto show); stages(all: true) every active assignment; an older SemVer assigned later wins', async () => {
    const m = await model('stages:m');
    expect(m.stages.map((s) => `${s.stage}=${s.version.version} by ${s.tag}`)).toEqual(['dev=v2.0.0 by m#dev#3', 'prod=v1.0.0 by m#prod#2']);
    expect(m.allStages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['dev=v2.0.0', 'prod=v1.0.0', 'prod=v2.0.0']);
    expect(m.versions.nodes.map((v) => `${versionLine(v)} active:${v.activeStages.join(',')}`)).toEqual([
      'v2.0.0[dev] active:dev,prod',
      'v1.0.0[prod] active:prod',
    ]);
    expect((await versionByRef('stages:m#prod'))?.version).toBe('v1.0.0');
  });

  it('counters are ignored for ordering: m#prod#9 older than m#prod#2 by tagger time loses to it, and so does d@v1.0.0!#7', async () => {
    const m = await model('counters:m');
    expect(m.stages.map((s) => `${s.stage}=${s.version.version} by ${s.tag}`)).toEqual(['prod=v1.0.0 by m#prod#2']);
    const d = await model('counters:d');
    expect(d.versions.nodes.map(versionLine)).toEqual(['v1.0.0[]']);
    expect(d.latestVersion?.version).toBe('v1.0.0');
  });

  it('nested dvc.yaml: models/vision/dvc.yaml declares models/vision:detector, tagged models/vision=detector@…; one name in three dvc.yaml files is three models', async () => {
    const repo = await repository('mono');
    expect(repo.models.nodes.map((n) => `${n.ref} ${n.latestVersion?.version}`)).toEqual([
      'local:gto/mono:detector v0.1.0',
      'local:gto/mono:models/nlp:detector v2.0.0',
      'local:gto/mono:models/vision:detector v1.0.0',
    ]);
    const vision = await model('mono:models/vision:detector');
    expect(vision).toMatchObject({ name: 'models/vision:detector', path: 'models/vision/weights/detector.pt', type: 'model', labels: ['vision'] });
    expect(vision.versions.nodes.map((v) => [v.ref, v.path, v.stages])).toEqual([
      ['local:gto/mono:models/vision:detector@v1.0.0', 'models/vision/weights/detector.pt', ['prod']],
    ]);
    expect((await versionByRef('mono:models/vision:detector#prod'))?.ref).toBe('local:gto/mono:models/vision:detector@v1.0.0');
    expect((await model('mono:models/nlp:detector')).path).toBe('models/nlp/weights/detector.bin');
    expect((await model('mono:detector')).path).toBe('detector.pkl');
    expect(repo.problems).toEqual([]);
  });

  it('tagged but undeclared artifacts are models with versions and stages but no path', async () => {
    const m = await model('undeclared:ghost');
    expect(m).toMatchObject({ path: null, type: null, description: null, labels: [], latestVersion: { version: 'v1.0.0' } });
    expect(m.versions.nodes.map((v) => [versionLine(v), v.path])).toEqual([['v1.0.0[prod]', null]]);
    expect((await repository('undeclared')).problems).toEqual([]);
  });

  describe('declarations read at each version commit', () => {
    it('an artifact removed from dvc.yaml at HEAD but tagged is still a model; each version has the path of its own commit; the model shows its latest version’s declaration', async () => {
      expect((await repository('removed')).models.nodes.map((n) => n.name)).toEqual(['keeper', 'legacy', 'orphan']);
      const m = await model('removed:legacy');
      expect(m.versions.nodes.map((v) => [v.version, v.path, v.type, v.description, v.labels])).toEqual([
        ['v1.1.0', 'models/b.pkl', 'dataset', 'second cut', ['b1', 'b2']],
        ['v1.0.0', 'models/a.pkl', 'model', 'first cut', ['a']],
      ]);
      expect(m).toMatchObject({ path: 'models/b.pkl', type: 'dataset', description: 'second cut', labels: ['b1', 'b2'] });
    });

    it('when neither HEAD nor the latest version declares it, the model shows the declaration of the newest declared version by tagger time, whatever the time zones', async () => {
      const m = await model('removed:orphan');
      expect(m.versions.nodes.map((v) => [v.version, v.path])).toEqual([
        ['v1.2.0', null],
        ['v1.1.0', 'orphan-b.pkl'],
        ['v1.0.0', 'orphan-a.pkl'],
      ]);
      expect(m).toMatchObject({ path: 'orphan-b.pkl', description: 'from New York' });
    });
  });

  it('lightweight GTO-looking tags are ignored and reported; other tags (v1.0, release-2024, model@1.0.0, model@v1, model@V1.0.0, model@created) are ignored silently', async () => {
    const repo = await repository('noise');
    expect(repo.models.nodes.map((n) => n.name)).toEqual(['m']);
    expect(repo.problems.map((p) => p.file).sort()).toEqual(['m#prod#1', 'm@v2.0.0']);
    expect(repo.problems[0]?.message).toMatch(/lightweight/);
    const m = await model('noise:m');
    expect(m.latestVersion?.version).toBe('v1.0.0');
    expect(m.stages).toEqual([]);
  });

  describe('SemVer order', () => {
    it('pre-releases sort below their release, numerically by identifier: v1.0.0 > v1.0.0-rc.10 > v1.0.0-rc.2 > v1.0.0-rc.1 > v0.9.0; latest is the release', async () => {
      const m = await model('semver:pre');
      expect(m.versions.nodes.map((v) => v.version)).toEqual(['v1.0.0', 'v1.0.0-rc.10', 'v1.0.0-rc.2', 'v1.0.0-rc.1', 'v0.9.0']);
      expect(m.latestVersion?.version).toBe('v1.0.0');
    });

    it('build metadata is ignored: equal versions order newest registration first, so latest is v2.0.0+aaa, not +zzz', async () => {
      const m = await model('semver:build');
      expect(m.versions.nodes.map((v) => v.version)).toEqual(['v2.0.0+aaa', 'v2.0.0+zzz', 'v1.9.0+zzz']);
      expect(m.latestVersion?.version).toBe('v2.0.0+aaa');
    });

    it('with no release, latest is the highest pre-release', async () => {
      expect((await model('semver:rc-only')).latestVersion?.version).toBe('v1.0.0-rc.1');
    });
  });

  it('history is newest first, GTO priorities ordering same-second events, with every event kind', async () => {
    const m = await model('history:h');
    expect(m.deprecated).toBe(true);
    expect(m.history.nodes.map((e) => `${e.kind} ${e.tag} ${e.version?.version ?? '-'} ${e.stage ?? '-'}`)).toEqual([
      'DEPRECATED h@deprecated - -',
      'UNASSIGNED h#prod!#2 v1.0.0 prod',
      'DEREGISTERED h@v1.1.0! v1.1.0 -',
      'REGISTERED h@v1.1.0 v1.1.0 -',
      'ASSIGNED h#prod#1 v1.0.0 prod',
      'REGISTERED h@v1.0.0 v1.0.0 -',
    ]);
    expect(m.history.totalCount).toBe(6);
  });

  describe('authorship, tag forms and messages', () => {
    it('a version is authored by its newest registration, a stage by its newest assignment, with the tagger’s offset kept', async () => {
      const m = await model('authors:m');
      const v100 = m.versions.nodes.find((v) => v.version === 'v1.0.0');
      expect(v100).toMatchObject({ tag: 'm@v1.0.0', createdAt: '2025-01-01T10:00:00+02:00', author: { name: 'Ada' }, stages: ['prod'] });
      expect(m.stages.map((s) => `${s.stage}=${s.version.version} by ${s.tag}`)).toEqual(['prod=v1.0.0 by m#prod#2']);
      expect(m.versions.nodes.map((v) => v.version)).toEqual(['v1.1.0', 'v1.0.0']);
    });

    it('tag messages are shown but never parsed, even when they look like tags', async () => {
      const m = await model('authors:m');
      expect(m.history.nodes.map((e) => e.tag)).toEqual(['m@v1.1.0', 'm#prod#2', 'm#prod#1', 'm@v1.0.0']);
      expect(m.latestVersion?.version).toBe('v1.1.0');
    });

    it('simple tags without counters (s#prod, s#prod!, s@deprecated#3) mean what the counter forms mean; s#prod-5 is stage prod-5; .gto stages do not filter what is read', async () => {
      const m = await model('authors:s');
      expect(m.deprecated).toBe(true);
      expect(m.stages.map((s) => s.stage)).toEqual(['prod-5']);
      expect(m.history.nodes.map((e) => `${e.kind} ${e.stage ?? ''}`.trim())).toEqual(['DEPRECATED', 'UNASSIGNED prod', 'ASSIGNED prod-5', 'ASSIGNED prod', 'REGISTERED']);
    });
  });

  it('two registrations of one version at one commit (dup@v1.0.0, dup@v1.0.0#2): one version authored by the newest, a problem on that model (GTO show raises; Modelgate departs), the repository still served', async () => {
    const repo = await repository('duplicate');
    expect(repo.problems).toEqual([{ file: 'dup@v1.0.0#2', model: 'local:gto/duplicate:dup', message: expect.stringMatching(/registered twice/) }]);
    expect(repo.models.nodes.map((n) => `${n.name}@${n.latestVersion?.version}`)).toEqual(['dup@v1.0.0', 'fine@v1.0.0']);
    const dup = await model('duplicate:dup');
    expect(dup.versions.nodes.map((v) => [v.version, v.tag, v.author?.name])).toEqual([['v1.0.0', 'dup@v1.0.0#2', 'Bob']]);
    expect(dup.history.nodes.map((e) => e.tag)).toEqual(['dup@v1.0.0#2', 'dup@v1.0.0']);
  });

  it('tags on a deleted branch still count: the version reads dvc.yaml at its own commit', async () => {
    const { branchesC2 = '' } = sha;
    const m = await model('branches:exp');
    expect(m.latestVersion).toMatchObject({ version: 'v2.0.0', commit: { sha: branchesC2 } });
    expect(m.versions.nodes.map((v) => [v.version, v.path, v.stages])).toEqual([
      ['v2.0.0', 'experiment.pkl', ['dev']],
      ['v1.0.0', 'main.pkl', []],
    ]);
    expect(m.path).toBe('main.pkl');
  });

  describe('tag names', () => {
    it('odd but legal names are read: a-b_c/d=e is a-b_c/d:e, team/model has no directory, Model and model are two models, dirs may hold dots, one character is a name', async () => {
      const names = (await repository('names')).models.nodes.map((n) => n.name);
      expect(names).toEqual(expect.arrayContaining(['a-b_c/d:e', 'team/model', 'Model', 'model', 'models/v1.2:net', '1']));
      expect((await versionByRef('names:1@latest'))?.ref).toBe('local:gto/names:1@v1.0.0');
      expect((await versionByRef('names:a-b_c/d:e#prod'))?.ref).toBe('local:gto/names:a-b_c/d:e@v1.0.0');
      expect((await model('names:Model')).latestVersion?.version).toBe('v1.0.0');
      expect((await model('names:model')).latestVersion?.version).toBe('v2.0.0');
    });

    it('names at length limits are read: a 200-character artifact and stage, a 200-character pre-release', async () => {
      const long = await model(`names:${LONG_NAME}`);
      expect(long.stages.map((s) => [s.stage, s.version.ref])).toEqual([['prod', `local:gto/names:${LONG_NAME}@v1.0.0`]]);
      expect((await versionByRef(`names:deploy#${LONG_STAGE}`))?.version).toBe('v1.0.0');
      const pre = await model('names:long-pre');
      expect(pre.latestVersion?.version).toBe(LONG_PRERELEASE);
    });

    it('version numbers beyond 2^53 still order as SemVer', async () => {
      const big = await model('names:big');
      expect(big.versions.nodes.map((v) => v.version)).toEqual(['v18446744073709551616.0.0', 'v9007199254740993.0.0', 'v9007199254740992.0.0', 'v1.0.0']);
      expect(big.latestVersion?.version).toBe('v18446744073709551616.0.0');
    });

    it('names outside GTO’s grammar are ignored silently, as GTO ignores them', async () => {
      const repo = await repository('names');
      expect(repo.problems).toEqual([]);
      expect(repo.models.nodes.map((n) => n.name).sort()).toEqual(['1', 'Model', 'a-b_c/d:e', 'big', 'deploy', LONG_NAME, 'long-pre', 'model', 'models/v1.2:net', 'team/model'].sort());
    });
  });
});
