import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpstreamError } from '../../src/errors.js';
import { HostSimulator } from '../../src/hosts/index.js';
import { Indexer } from '../../src/indexer/index.js';
import { GitLabSource, LocalGitSource, createGitLabClient } from '../../src/sources/index.js';
import type { FileRequest, GitLabClientOptions, GitSource, RepositoryInfo } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

const ADA = { name: 'Ada Author', email: 'ada@example.com' };
const BOB = { name: 'Bob Builder', email: 'bob@example.org' };
const TESS = { name: 'Tess Tagger', email: 'tess@example.net' };
const CHURN = 'acme/ml/churn';
const DETECTOR = 'acme/ml/vision/detector';
const BULK = 101;
const BINARY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0xff, 0x00]);
const DVC_YAML = 'artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n    desc: Churn model\n';

describe('GitLabSource, through the real @gitbeaker/rest against the host simulator', () => {
  const dir = useTempDir('modelgate-gitlab-source');
  let sim: HostSimulator;
  let local: LocalGitSource;
  let first: string;
  let second: string;

  /** A source over a fresh client (so its call counter starts at 0). */
  const gitlab = (config: { projects?: string[]; groups?: string[]; token?: string; maxFileBytes?: number; concurrency?: number } & Omit<GitLabClientOptions, 'host' | 'token'> = {}) => {
    const { projects, groups, token = 't', maxFileBytes, concurrency, ...client } = config;
    return GitLabSource.create({
      client: createGitLabClient({ host: sim.url, token, retryBaseMs: 10, ...client }),
      ...(projects ? { projects } : {}),
      ...(groups ? { groups } : {}),
      ...(maxFileBytes !== undefined ? { maxFileBytes } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
    });
  };
  const localInfo = async (path: string): Promise<RepositoryInfo> => {
    const info = (await local.listRepositories()).find((r) => r.path === path);
    if (!info) throw new Error(`no local repository ${path}`);
    return info;
  };
  const gitlabInfo = async (source: GitSource, path: string): Promise<RepositoryInfo> => {
    const info = (await source.listRepositories()).find((r) => r.path === path);
    if (!info) throw new Error(`no GitLab project ${path}`);
    return info;
  };

  beforeAll(async () => {
    const root = dir.path;
    const churn = await createRepo(root, CHURN);
    await churn.write({
      'dvc.yaml': DVC_YAML,
      'params.yaml': 'lr: 0.1\n',
      'metrics.json': '{"auc": 0.81}\n',
      'models/churn.pkl': BINARY,
      'docs/readme.md': 'Churn\n',
    });
    first = await churn.commit('First model\n\nWith params.', { date: '2025-01-01T10:00:00+02:00', author: ADA });
    await churn.tag('churn@v1.0.0', { message: 'Register v1.0.0\n\nTrained in January.', date: '2025-01-02T09:30:00+02:00' });
    await churn.write({ 'metrics.json': '{"auc": 0.86}\n', 'docs/readme.md': null });
    second = await churn.commit('Better model', { date: '2025-01-03T10:00:00-05:00', author: BOB });
    await churn.tag('churn@v1.1.0', { message: 'Register v1.1.0', date: '2025-01-04T08:00:00-05:00', tagger: TESS });
    await churn.tag('churn#prod#1', { message: 'Promote', date: '2025-01-05T12:00:00+05:30', commit: first, tagger: TESS });
    await churn.tag('churn#staging#2', { message: 'Stage', date: '2025-01-06T12:00:00Z', commit: second });
    await churn.lightweightTag('scratch', first);

    const detector = await createRepo(root, DETECTOR);
    await detector.write({ 'dvc.yaml': 'artifacts:\n  det:\n    path: det.pt\n', 'src/a/b/c.txt': 'deep\n' });
    await detector.commit('Detector', { date: '2025-02-01T00:00:00Z', author: ADA });
    await detector.tag('det@v0.1.0', { message: 'v0.1.0', date: '2025-02-02T00:00:00Z' });
    await createRepo(root, 'acme/empty');

    // A big group of empty projects across nested subgroups: two pages of 100.
    await Promise.all(Array.from({ length: BULK }, (_, i) => createRepo(root, `bulk/g${i % 3}/${i % 2 ? 'deep/' : ''}p${String(i).padStart(3, '0')}`)));

    sim = await HostSimulator.start({ reposDir: root, tokens: { t: {}, tiny: { budget: 3 } }, rateLimitWindowSeconds: 1 });
    local = LocalGitSource.create({ root });
  });
  afterAll(async () => {
    await local?.close();
    await sim?.close();
  });

  it('lists configured projects and every project of a group with nested subgroups, over several pages, deduplicated and sorted', async () => {
    const source = gitlab({ groups: ['acme', 'bulk'], projects: [CHURN, 'Acme/ML/Churn'] });
    sim.resetStats();
    const repos = await source.listRepositories();
    expect(repos.length).toBe(3 + BULK);
    expect(repos.slice(0, 3)).toEqual(
      ['acme/empty', CHURN, DETECTOR].map((path) => ({
        ref: `gitlab:${path}`,
        source: 'gitlab',
        kind: 'gitlab',
        path,
        host: '127.0.0.1',
        fullName: path,
        url: `${sim.url}/${path}`,
      })),
    );
    expect(repos.map((r) => r.path)).toEqual([...repos.map((r) => r.path)].sort());
    // acme: 1 page; bulk: 2 pages of 100; the configured project was listed by its group, so no GET /projects/:id.
    expect(sim.stats().byEndpoint).toEqual({ 'GET /groups/{id}/projects': { requests: 3, notModified: 0 } });
    expect(source.apiCalls).toBe(3);
  });

  it('answers listFiles, readFiles and readCommits exactly as the local source does on the same repositories', async () => {
    const source = gitlab({ groups: ['acme'] });
    const [gl, lc] = [await gitlabInfo(source, CHURN), await localInfo(CHURN)];
    expect(await source.listFiles(gl, [first, second])).toEqual(await local.listFiles(lc, [first, second]));
    expect(await source.listFiles(gl, [first])).toEqual([['docs/readme.md', 'dvc.yaml', 'metrics.json', 'models/churn.pkl', 'params.yaml']]);

    const files: FileRequest[] = [
      { commit: first, path: 'dvc.yaml' },
      { commit: second, path: 'metrics.json' },
      { commit: first, path: 'models/churn.pkl' },
      { commit: second, path: 'docs/readme.md' },
      { commit: first, path: 'nope.yaml' },
      { commit: first, path: '../dvc.yaml' },
    ];
    const answers = await source.readFiles(gl, files);
    expect(answers).toEqual(await local.readFiles(lc, files));
    expect(answers).toEqual([
      { found: true, text: DVC_YAML, size: DVC_YAML.length },
      { found: true, text: '{"auc": 0.86}\n', size: 14 },
      { found: false, reason: 'not-text', size: BINARY.length, detail: 'it contains NUL bytes, so it looks binary' },
      { found: false, reason: 'missing' },
      { found: false, reason: 'missing' },
      { found: false, reason: 'missing' },
    ]);
    expect(await source.readCommits(gl, [second, first])).toEqual(await local.readCommits(lc, [second, first]));

    const [detGl, detLc] = [await gitlabInfo(source, DETECTOR), await localInfo(DETECTOR)];
    const head = (await local.readRefs(detLc)).headCommit ?? '';
    expect(await source.listFiles(detGl, [head])).toEqual(await local.listFiles(detLc, [head]));
  });

  it('reads a file over the size limit as too-large, and an unknown commit as an UpstreamError', async () => {
    const source = gitlab({ projects: [CHURN], maxFileBytes: 10 });
    const info = await gitlabInfo(source, CHURN);
    expect(await source.readFiles(info, [{ commit: first, path: 'dvc.yaml' }, { commit: first, path: 'params.yaml' }])).toEqual([
      { found: false, reason: 'too-large', size: DVC_YAML.length },
      { found: true, text: 'lr: 0.1\n', size: 8 },
    ]);
    const unknown = 'f'.repeat(40);
    await expect(source.readCommits(info, [unknown])).rejects.toThrow(UpstreamError);
    await expect(source.readCommits(info, [unknown])).rejects.toThrow(`gitlab:${CHURN}: commit ${unknown} does not exist in the repository (rewritten history, or a SHA from another repository?)`);
    await expect(source.readFiles(info, [{ commit: unknown, path: 'dvc.yaml' }])).rejects.toThrow(`commit ${unknown} does not exist`);
    await expect(source.listFiles(info, [unknown])).rejects.toThrow(`commit ${unknown} does not exist`);
  });

  it('reads refs like the local source, except that an annotated tag\'s tagger is the commit author at the tag\'s created_at', async () => {
    const source = gitlab({ groups: ['acme'] });
    const gl = await source.readRefs(await gitlabInfo(source, CHURN));
    const lc = await local.readRefs(await localInfo(CHURN));
    expect({ ...gl, tags: gl.tags.map((t) => t.name) }).toEqual({ ...lc, tags: lc.tags.map((t) => t.name) });
    expect(gl.defaultBranch).toBe('main');
    expect(gl.headCommit).toBe(second);
    const authorOf = new Map([
      [first, ADA],
      [second, BOB],
    ]);
    gl.tags.forEach((tag, i) => {
      const mine = lc.tags[i];
      if (!mine?.annotation) {
        expect(tag).toEqual(mine); // lightweight: name and commit only
        return;
      }
      const { name, email, ...time } = mine.annotation.tagger;
      expect(tag).toEqual({ ...mine, annotation: { ...mine.annotation, tagger: { ...authorOf.get(tag.commit), ...time } } });
      expect(name && email).toBeTruthy(); // the local source has the real tagger
    });
    // Exactly what GitLab's fields give: created_at with its offset, the commit author's identity.
    expect(gl.tags.find((t) => t.name === 'churn#prod#1')).toEqual({
      name: 'churn#prod#1',
      commit: first,
      annotation: {
        sha: lc.tags.find((t) => t.name === 'churn#prod#1')?.annotation?.sha,
        message: 'Promote\n',
        tagger: { ...ADA, timestamp: Date.parse('2025-01-05T12:00:00+05:30') / 1000, offset: '+0530', date: '2025-01-05T12:00:00+05:30' },
      },
    });
    expect(gl.tags.find((t) => t.name === 'scratch')).toEqual({ name: 'scratch', commit: first });

    // Read again with nothing changed: both answers are 304s, and the same refs come back.
    expect(await source.readRefs(await gitlabInfo(source, CHURN))).toBe(gl);

    const empty = await source.readRefs(await gitlabInfo(source, 'acme/empty'));
    expect(empty).toEqual(await local.readRefs(await localInfo('acme/empty')));
    expect(empty).toEqual({ tags: [] });
  });

  it('costs an exact number of calls for a cold index of one project, and three 304-answered calls for an unchanged re-read', async () => {
    const source = gitlab({ projects: [CHURN] });
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [source], store });
    sim.resetStats();
    const cold = await indexer.indexAll();
    expect(cold).toMatchObject({ repositories: 1, updated: 1, failed: [] });
    const stats = sim.stats();
    expect(stats.byEndpoint).toEqual({
      'GET /projects/{id}': { requests: 1, notModified: 0 },
      'GET /projects/{id}/repository/branches/{branch}': { requests: 1, notModified: 0 },
      'GET /projects/{id}/repository/tags': { requests: 1, notModified: 0 },
      'GET /projects/{id}/repository/tree': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/files/{file_path}/raw': { requests: expect.any(Number), notModified: 0 },
      'GET /projects/{id}/repository/commits/{sha}': { requests: 2, notModified: 0 },
    });
    const raw = stats.byEndpoint['GET /projects/{id}/repository/files/{file_path}/raw']?.requests ?? 0;
    expect(raw).toBe(COLD_RAW_FILES);
    expect(cold.apiCalls).toEqual({ gitlab: 7 + COLD_RAW_FILES });
    expect(source.apiCalls).toBe(stats.requests);

    sim.resetStats();
    const again = await indexer.indexAll();
    expect(again).toMatchObject({ updated: 0, unchanged: 1, apiCalls: { gitlab: 3 } });
    expect(sim.stats().byEndpoint).toEqual({
      'GET /projects/{id}': { requests: 1, notModified: 1 },
      'GET /projects/{id}/repository/branches/{branch}': { requests: 1, notModified: 1 },
      'GET /projects/{id}/repository/tags': { requests: 1, notModified: 1 },
    });
  });

  it('waits out a 429 for its Retry-After and then retries', async () => {
    const source = gitlab({ projects: [CHURN], token: 'tiny', concurrency: 1 });
    sim.resetRateLimits();
    sim.resetStats();
    const info = await gitlabInfo(source, CHURN); // 1 of the 3 allowed per second
    const started = Date.now();
    const commits = await source.readCommits(info, [first, second, first.toUpperCase()]); // the third is cached: 2 more
    expect(commits.map((c) => c.sha)).toEqual([first, second, first]);
    await source.readFiles(info, [{ commit: first, path: 'params.yaml' }]); // over budget: 429, wait, retry
    const stats = sim.stats();
    expect(stats.rateLimited).toBe(1);
    expect(stats.byStatus).toEqual({ '200': 4, '429': 1 });
    expect(source.apiCalls).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('retries a 500 and a timed-out request, and caches nothing wrong', async () => {
    const source = gitlab({ projects: [CHURN], timeoutMs: 300 });
    const info = await gitlabInfo(source, CHURN);
    sim.resetStats();
    sim.setFaults([
      { match: { host: 'gitlab', path: '/projects/{id}/repository/tags' }, kind: '500', times: 1 },
      { match: { host: 'gitlab', path: '/projects/{id}/repository/commits/{sha}' }, kind: 'timeout', times: 1 },
    ]);
    try {
      expect((await source.readRefs(info)).tags).toHaveLength(5);
      expect((await source.readCommits(info, [first]))[0]?.sha).toBe(first);
      expect(sim.stats().byEndpoint).toMatchObject({
        'GET /projects/{id}/repository/tags': { requests: 2 },
        'GET /projects/{id}/repository/commits/{sha}': { requests: 2 },
      });
      expect(sim.stats().byStatus['500']).toBe(1);
      expect(source.apiCalls).toBe(1 + 5);

      sim.setFaults([{ match: { host: 'gitlab', path: '/projects/{id}/repository/commits/{sha}' }, kind: '500' }]);
      await expect(source.readCommits(info, [second])).rejects.toThrow(`gitlab:${CHURN}: reading commit ${second} failed: GitLab answered 500 500 Internal Server Error. The next refresh will try again.`);
      sim.setFaults([]);
      expect((await source.readCommits(info, [second]))[0]?.sha).toBe(second);
    } finally {
      sim.setFaults([]);
    }
  });

  it('fails a configured project that does not exist on its own, with a message saying what to check', async () => {
    const source = gitlab({ projects: [CHURN, 'acme/ml/nope'] });
    const store = InMemoryRegistryStore.create();
    const summary = await Indexer.create({ sources: [source], store }).indexAll();
    expect(summary.repositories).toBe(2);
    expect(summary.updated).toBe(1);
    expect(summary.failed).toEqual([
      {
        repository: 'gitlab:acme/ml/nope',
        error:
          'gitlab:acme/ml/nope: GitLab (127.0.0.1) has no project acme/ml/nope that this token can see (404 Project Not Found). Check the path under `projects` of the gitlab source, and that the token has the read_api scope and at least Reporter access.',
      },
    ]);
  });

  it('indexes to the same models, versions and stages as the local source on the same folder', async () => {
    const viaGitlab = InMemoryRegistryStore.create();
    const viaLocal = InMemoryRegistryStore.create();
    await Indexer.create({ sources: [gitlab({ groups: ['acme'] })], store: viaGitlab }).indexAll();
    await Indexer.create({ sources: [local], store: viaLocal }).indexAll();
    // Tagger identities differ by design (GitLab has none); times are the same, so ordering is too.
    const normal = (value: unknown) =>
      JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'tagger' || k === 'author' || k === 'indexedAt' || k === 'url' ? undefined : v)).replaceAll('local:', 'gitlab:'));
    for (const path of [CHURN, DETECTOR, 'acme/empty']) {
      const [g] = await viaGitlab.getRepositories([`gitlab:${path}`]);
      const [l] = await viaLocal.getRepositories([`local:${path}`]);
      expect(normal({ ...g, source: 'x', kind: 'x', host: 'x' })).toEqual(normal({ ...l, source: 'x', kind: 'x', host: 'x' }));
      const models = g?.models ?? [];
      expect(normal(await viaGitlab.getModels(models))).toEqual(normal(await viaLocal.getModels(models.map((m) => m.replace('gitlab:', 'local:')))));
    }
    const [churn] = await viaGitlab.getModels([`gitlab:${CHURN}:churn`]);
    expect(churn?.versions.map((v) => v.name)).toEqual(['v1.1.0', 'v1.0.0']);
    expect(churn?.stages.map((s) => [s.stage, s.version])).toEqual([
      ['prod', 'v1.0.0'],
      ['staging', 'v1.1.0'],
    ]);
  });
});

/** Raw file reads of the cold index of acme/ml/churn (what the indexer asks at HEAD and the two version commits). */
const COLD_RAW_FILES = 4;
