import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { RepoWriter } from '../../src/demo/repoWriter.js';
import { HostSimulator } from '../../src/hosts/index.js';
import type { HostSimulatorOptions, SimStatsSnapshot } from '../../src/hosts/index.js';
import { Indexer } from '../../src/indexer/index.js';
import type { IndexSummary } from '../../src/indexer/index.js';
import { GitHubSource, GitLabSource, LocalGitSource, createGitHubClient, createGitLabClient } from '../../src/sources/index.js';
import type { GitHubClientOptions, GitHubSourceOptions, GitLabClientOptions } from '../../src/sources/index.js';
import type { ModelRecord, RepositoryRecord } from '../../src/registry/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import type { RepositoryStatus } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

/*
 * The promise about a host that misbehaves: rate-limit exhaustion, 5xx, timeouts and
 * a repository that cannot be read each leave a pass that completes (or waits for the reset),
 * caches nothing wrong, and reports the problem on the affected repository only. The real
 * Indexer, the real Octokit and Gitbeaker clients and the host simulator over real Git
 * repositories; the local source over the same folder is the oracle.
 */

const TAGGER = { name: 'Tess Tagger', email: 'tess@example.net' };
const AUTHOR = { name: 'Ada Author', email: 'ada@example.com' };
const NAMES = ['churn', 'ranker', 'vision'] as const;
const PATHS = NAMES.map((name) => `acme/${name}`);
/** What necessarily differs between hosts: where a repository is and when it was indexed. */
const HOST_FIELDS = ['source', 'kind', 'host', 'url', 'indexedAt'];
/**
 * GitLab's REST API has no tagger identity: by design (GitLabSource's `tagSignature`) a tag's
 * tagger is the tagged commit's author, so the oracle's tagger is read as the author.
 */
const GITLAB_TAGGER = { [TAGGER.name]: AUTHOR.name, [TAGGER.email]: AUTHOR.email };

/** Three repositories, each with a DVC artifact, two commits and annotated GTO tags (two versions, one stage). */
async function buildRepos(root: string): Promise<Map<string, RepoWriter>> {
  const writers = new Map<string, RepoWriter>();
  for (const name of NAMES) {
    const repo = await createRepo(root, `acme/${name}`);
    await repo.write({
      'dvc.yaml': `artifacts:\n  ${name}:\n    path: models/${name}.pkl\n    type: model\n    desc: The ${name} model\n`,
      'params.yaml': 'lr: 0.1\n',
      [`models/${name}.pkl.dvc`]: `outs:\n- md5: ${'a'.repeat(32)}\n  path: ${name}.pkl\n`,
    });
    const first = await repo.commit(`${name}: first model`, { date: '2025-03-01T10:00:00+02:00', author: AUTHOR });
    await repo.tag(`${name}@v1.0.0`, { message: 'first version', date: '2025-03-01T11:00:00+02:00', tagger: TAGGER });
    await repo.write({ 'params.yaml': 'lr: 0.2\n', [`models/${name}.pkl.dvc`]: `outs:\n- md5: ${'b'.repeat(32)}\n  path: ${name}.pkl\n` });
    await repo.commit(`${name}: better model`, { date: '2025-03-02T10:00:00+02:00', author: AUTHOR });
    await repo.tag(`${name}@v1.1.0`, { message: 'second version', date: '2025-03-02T11:00:00+02:00', tagger: TAGGER });
    await repo.tag(`${name}#prod#1`, { message: 'promote', date: '2025-03-03T09:00:00-05:00', tagger: TAGGER, commit: first });
    writers.set(name, repo);
  }
  return writers;
}

/**
 * A store's repositories and models, with the source name in refs replaced and the fields that
 * differ by host left out; `rename` replaces string values, `except` leaves out repositories (by
 * path) the oracle does not know.
 */
async function registryOf(store: InMemoryRegistryStore, source: string, options: { rename?: Readonly<Record<string, string>>; except?: readonly string[] } = {}): Promise<unknown> {
  const except = new Set(options.except ?? []);
  const refs = (await store.listRepositories()).filter((ref) => !except.has(ref.slice(ref.indexOf(':') + 1)));
  const repositories = await store.getRepositories(refs);
  const models = await store.getModels(repositories.flatMap((r) => r?.models ?? []));
  const rename = options.rename ?? {};
  const text = JSON.stringify({ repositories, models }, (key, value: unknown) =>
    HOST_FIELDS.includes(key) ? undefined : typeof value === 'string' && Object.hasOwn(rename, value) ? rename[value] : value,
  );
  return JSON.parse(text.replaceAll(`"${source}:`, '"SRC:')) as unknown;
}

/** What the local source indexes from the folder right now. */
async function oracleOf(root: string, rename: Readonly<Record<string, string>> = {}): Promise<unknown> {
  const local = LocalGitSource.create({ root });
  try {
    const store = InMemoryRegistryStore.create();
    const summary = await Indexer.create({ sources: [local], store }).indexAll();
    expect(summary.failed).toEqual([]);
    expect(summary.repositories).toBe(PATHS.length);
    return await registryOf(store, 'local', { rename });
  } finally {
    await local.close();
  }
}

/** One repository's stored snapshot and status, for "unchanged" comparisons. */
async function storedOf(store: InMemoryRegistryStore, ref: string): Promise<{ snapshot: { repository?: RepositoryRecord; models: (ModelRecord | undefined)[] }; status?: RepositoryStatus }> {
  const [repository] = await store.getRepositories([ref]);
  const models = await store.getModels(repository?.models ?? []);
  const [status] = await store.getStatuses([ref]);
  return { snapshot: { repository, models }, status };
}

/** Runs a pass and measures how long it took. */
async function timedPass(indexer: Indexer): Promise<{ summary: IndexSummary; elapsedMs: number }> {
  const started = Date.now();
  const summary = await indexer.indexAll();
  return { summary, elapsedMs: Date.now() - started };
}

function requestsOf(stats: SimStatsSnapshot, endpoint: string): number {
  return stats.byEndpoint[endpoint]?.requests ?? 0;
}

/**
 * The repositories of a describe block (built once) and simulators over them, each closed
 * after its test: `start` takes the simulator's options, a token `t` by default.
 */
function useFaultRepos(label: string): { dir: { readonly path: string }; writers: () => Map<string, RepoWriter>; start(options?: Omit<HostSimulatorOptions, 'reposDir'>): Promise<HostSimulator> } {
  const dir = useTempDir(label);
  let built = new Map<string, RepoWriter>();
  const running: HostSimulator[] = [];
  beforeAll(async () => {
    built = await buildRepos(dir.path);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  return {
    dir,
    writers: () => built,
    start: async (options = {}) => {
      const sim = await HostSimulator.start({ reposDir: dir.path, tokens: { t: {} }, ...options });
      running.push(sim);
      return sim;
    },
  };
}

describe('the github source when the host rate-limits, fails or hangs', () => {
  const { dir, writers, start } = useFaultRepos('modelgate-github-faults');

  function github(sim: HostSimulator, options: { token?: string; client?: Partial<GitHubClientOptions>; source?: Partial<GitHubSourceOptions> } = {}): GitHubSource {
    return GitHubSource.create({
      baseUrl: sim.githubUrl,
      repos: PATHS,
      client: (onRequest) => createGitHubClient({ baseUrl: sim.githubUrl, token: options.token ?? 't', onRequest, retryBaseMs: 20, ...options.client }),
      ...options.source,
    });
  }

  it('waits for the primary rate limit to reset, then indexes every repository exactly as the local source does', async () => {
    const windowSeconds = 1;
    // Two requests a second, REST and GraphQL each: the third listing call and most queries are refused at first.
    const sim = await start({ tokens: { t: { budget: 2 } }, rateLimitWindowSeconds: windowSeconds });
    const source = github(sim);
    const store = InMemoryRegistryStore.create();
    const { summary, elapsedMs } = await timedPass(Indexer.create({ sources: [source], store }));

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'github')).toEqual(await oracleOf(dir.path));
    // The window starts with the pass's first request, so a refused request can only succeed after it ends.
    expect(elapsedMs).toBeGreaterThanOrEqual(windowSeconds * 1000);
    const stats = sim.stats();
    expect(stats.rateLimited).toBeGreaterThanOrEqual(1); // REST: 403 with x-ratelimit-remaining 0
    expect(stats.byStatus['403']).toBe(stats.rateLimited);
    // GraphQL refuses with RATE_LIMITED in a 200: a refused query is sent again.
    expect(requestsOf(stats, 'POST /graphql')).toBeGreaterThan(source.graphqlQueries);
    expect(summary.apiCalls.github).toBe(stats.requests);
  });

  it('waits out a secondary rate limit for its retry-after, then indexes every repository as the local source does', async () => {
    const sim = await start();
    sim.setFaults([{ match: { host: 'github', method: 'POST', path: '/graphql' }, kind: 'secondary-rate-limit', retryAfterSeconds: 1, times: 2 }]);
    const source = github(sim);
    const store = InMemoryRegistryStore.create();
    const { summary, elapsedMs } = await timedPass(Indexer.create({ sources: [source], store }));

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'github')).toEqual(await oracleOf(dir.path));
    expect(elapsedMs).toBeGreaterThanOrEqual(1000);
    const stats = sim.stats();
    expect(stats.faults).toBe(2);
    expect(stats.byStatus['403']).toBe(2);
    expect(requestsOf(stats, 'POST /graphql')).toBe(source.graphqlQueries + 2);
    expect(sim.faults()).toEqual([]);
  });

  it('retries a GraphQL query answered 502, counts the retried request in apiCalls, and indexes as the local source does', async () => {
    const sim = await start();
    sim.setFaults([{ match: { host: 'github', method: 'POST', path: '/graphql' }, kind: '502', times: 1 }]);
    const source = github(sim);
    const store = InMemoryRegistryStore.create();
    const summary = await Indexer.create({ sources: [source], store }).indexAll();

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'github')).toEqual(await oracleOf(dir.path));
    const stats = sim.stats();
    expect(stats.byStatus['502']).toBe(1);
    expect(requestsOf(stats, 'POST /graphql')).toBe(source.graphqlQueries + 1);
    expect(summary.apiCalls.github).toBe(stats.requests);
  });

  it('abandons a GraphQL query the host never answers after timeoutMs, retries it, and indexes as the local source does', async () => {
    const timeoutMs = 800;
    const sim = await start({ faultTimeoutMs: 10_000 });
    sim.setFaults([{ match: { host: 'github', method: 'POST', path: '/graphql' }, kind: 'timeout', times: 1 }]);
    const source = github(sim, { client: { timeoutMs } });
    const store = InMemoryRegistryStore.create();
    const { summary, elapsedMs } = await timedPass(Indexer.create({ sources: [source], store }));

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'github')).toEqual(await oracleOf(dir.path));
    expect(elapsedMs).toBeGreaterThanOrEqual(timeoutMs);
    expect(elapsedMs).toBeLessThan(10_000); // not held until the simulator drops the connection
    const stats = sim.stats();
    expect(stats.faults).toBe(1);
    expect(requestsOf(stats, 'POST /graphql')).toBe(source.graphqlQueries + 1);
    expect(summary.apiCalls.github).toBe(stats.requests);
  });

  it('fails only the repositories missing from a batched query, with messages naming them, and indexes the others as the local source does', async () => {
    // acme/gone does not exist; acme/ranker exists but this token cannot read it (GitHub answers 404 for both).
    const sim = await start({ tokens: { t: { repos: ['acme/churn', 'acme/vision'] } } });
    const source = github(sim, { source: { repos: ['acme/churn', 'acme/gone', 'acme/ranker', 'acme/vision'] } });
    const store = InMemoryRegistryStore.create();
    const summary = await Indexer.create({ sources: [source], store }).indexAll();

    expect(summary).toMatchObject({ repositories: 4, updated: 2 });
    expect([...summary.failed].sort((a, b) => (a.repository < b.repository ? -1 : 1))).toEqual(
      ['acme/gone', 'acme/ranker'].map((path) => ({
        repository: `github:${path}`,
        error: expect.stringMatching(new RegExp(`^github:${path}: repository ${path} was not found on .*, or the token cannot read it`)),
      })),
    );
    const oracle = (await oracleOf(dir.path)) as { repositories: { ref: string }[]; models: { ref: string }[] };
    const others = (items: { ref: string }[]) => items.filter((item) => !item.ref.startsWith('SRC:acme/ranker'));
    expect(await registryOf(store, 'github', { except: ['acme/gone', 'acme/ranker'] })).toEqual({
      repositories: others(oracle.repositories),
      models: others(oracle.models),
    });
    const statuses = await store.getStatuses(['github:acme/churn', 'github:acme/gone', 'github:acme/ranker', 'github:acme/vision']);
    expect(statuses.map((s) => s?.stale)).toEqual([false, true, true, false]);
  });

  it('reports a malformed answer about one repository as that repository\'s upstream failure, and caches nothing of it', async () => {
    const sim = await start();
    // Every tree listing of acme/churn comes back as half a JSON body (status 200); its first listing is REST's recursive one.
    sim.setFaults([{ match: { host: 'github', repo: 'acme/churn', path: '/repos/{owner}/{repo}/git/trees/{tree_sha}' }, kind: 'malformed' }]);
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [github(sim, { source: { maxGraphqlTreesPerRound: 0 } })], store });
    const broken = await indexer.indexAll();
    expect(broken).toMatchObject({ repositories: 3, updated: 2 });
    expect(broken.failed).toEqual([{ repository: 'github:acme/churn', error: expect.stringMatching(/^github:acme\/churn: /) }]);
    // What came from GitHub was wrong, not our code: the message says so instead of masking it as an internal error.
    expect(broken.failed[0]?.error).not.toMatch(/internal error/);

    sim.setFaults([]);
    expect(await indexer.indexAll()).toMatchObject({ updated: 1, unchanged: 2, failed: [] });
    expect(await registryOf(store, 'github')).toEqual(await oracleOf(dir.path));
  });

  it('keeps the last good snapshot of a repository whose reads fail, and shows exactly the local answers once the host recovers', async () => {
    const sim = await start();
    // Unseen subtrees are read with REST's recursive listing, a path that names the repository.
    const source = github(sim, { client: { retries: 1 }, source: { maxGraphqlTreesPerRound: 0 } });
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [source], store });
    expect((await indexer.indexAll()).failed).toEqual([]);
    const before = await storedOf(store, 'github:acme/churn');
    expect(before.snapshot.models.map((m) => m?.versions.map((v) => v.name))).toEqual([['v1.1.0', 'v1.0.0']]);

    // A new version with a new folder, whose tree listing the host refuses on every attempt.
    const churn = writers().get('churn') as RepoWriter;
    await churn.write({ 'reports/auc.json': '{"auc": 0.9}\n' });
    const third = await churn.commit('churn: reports', { date: '2025-03-04T10:00:00+02:00', author: AUTHOR });
    await churn.tag('churn@v1.2.0', { message: 'third version', date: '2025-03-04T11:00:00+02:00', tagger: TAGGER });
    sim.setFaults([{ match: { host: 'github', repo: 'acme/churn', path: '/repos/{owner}/{repo}/git/trees/{tree_sha}' }, kind: '500' }]);
    const failing = await indexer.indexAll();
    expect(failing).toMatchObject({ repositories: 3, updated: 0, unchanged: 2 });
    expect(failing.failed).toEqual([{ repository: 'github:acme/churn', error: expect.stringMatching(/^github:acme\/churn: listing the files of tree [0-9a-f]{40}: .*\(HTTP 500\)/) }]);
    const after = await storedOf(store, 'github:acme/churn');
    expect(after.snapshot).toEqual(before.snapshot);
    expect(after.status).toMatchObject({ stale: true, lastError: failing.failed[0]?.error });
    expect((await store.getStatuses(['github:acme/ranker', 'github:acme/vision'])).map((s) => s?.stale)).toEqual([false, false]);

    sim.setFaults([]);
    await churn.tag('churn#prod#2', { message: 'promote', date: '2025-03-05T09:00:00Z', tagger: TAGGER, commit: third });
    const recovered = await indexer.indexAll();
    expect(recovered).toMatchObject({ repositories: 3, updated: 1, unchanged: 2, failed: [] });
    expect(await registryOf(store, 'github')).toEqual(await oracleOf(dir.path));
    const [model] = await store.getModels(['github:acme/churn:churn']);
    expect(model?.versions.map((v) => v.name)).toContain('v1.2.0');
    expect(model?.stages.map((s) => [s.stage, s.version])).toEqual([['prod', 'v1.2.0']]);
    expect((await storedOf(store, 'github:acme/churn')).status).toEqual({ ref: 'github:acme/churn', stale: false, lastAttemptAt: expect.any(String) });
  });
});

describe('the gitlab source when the host rate-limits, fails or hangs', () => {
  const { dir, writers, start } = useFaultRepos('modelgate-gitlab-faults');

  function gitlab(sim: HostSimulator, client: Partial<GitLabClientOptions> = {}): GitLabSource {
    return GitLabSource.create({ client: createGitLabClient({ host: sim.url, token: 't', retryBaseMs: 10, ...client }), groups: ['acme'] });
  }

  /** A pass over a fresh source without faults, for the exact calls a faulted pass adds. */
  async function baselineOf(sim: HostSimulator): Promise<{ summary: IndexSummary; stats: SimStatsSnapshot }> {
    const faults = sim.faults();
    sim.setFaults([]);
    sim.resetStats();
    const summary = await Indexer.create({ sources: [gitlab(sim)], store: InMemoryRegistryStore.create() }).indexAll();
    const stats = sim.stats();
    sim.resetStats();
    sim.setFaults(faults);
    return { summary, stats };
  }

  it('waits for the rate limit to reset, then indexes every repository exactly as the local source does', async () => {
    const windowSeconds = 1;
    const sim = await start({ tokens: { t: { budget: 10 } }, rateLimitWindowSeconds: windowSeconds });
    const source = gitlab(sim);
    const store = InMemoryRegistryStore.create();
    const { summary, elapsedMs } = await timedPass(Indexer.create({ sources: [source], store }));

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'gitlab')).toEqual(await oracleOf(dir.path, GITLAB_TAGGER));
    expect(elapsedMs).toBeGreaterThanOrEqual(windowSeconds * 1000);
    const stats = sim.stats();
    expect(stats.rateLimited).toBeGreaterThanOrEqual(1);
    expect(stats.byStatus['429']).toBe(stats.rateLimited);
    expect(summary.apiCalls.gitlab).toBe(stats.requests);
  });

  it('waits out a 429 for its Retry-After, then indexes every repository as the local source does', async () => {
    const sim = await start();
    sim.setFaults([{ match: { host: 'gitlab', path: '/projects/{id}/repository/tags' }, kind: 'secondary-rate-limit', retryAfterSeconds: 1, times: 1 }]);
    const baseline = await baselineOf(sim);
    const source = gitlab(sim);
    const store = InMemoryRegistryStore.create();
    const { summary, elapsedMs } = await timedPass(Indexer.create({ sources: [source], store }));

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'gitlab')).toEqual(await oracleOf(dir.path, GITLAB_TAGGER));
    expect(elapsedMs).toBeGreaterThanOrEqual(1000);
    const stats = sim.stats();
    expect(stats.byStatus['429']).toBe(1);
    expect(requestsOf(stats, 'GET /projects/{id}/repository/tags')).toBe(requestsOf(baseline.stats, 'GET /projects/{id}/repository/tags') + 1);
    expect(summary.apiCalls.gitlab).toBe((baseline.summary.apiCalls.gitlab ?? 0) + 1);
  });

  it('retries a request answered 502, counts the retried request in apiCalls, and indexes as the local source does', async () => {
    const sim = await start();
    sim.setFaults([{ match: { host: 'gitlab', path: '/projects/{id}/repository/tags' }, kind: '502', times: 1 }]);
    const baseline = await baselineOf(sim);
    const source = gitlab(sim);
    const store = InMemoryRegistryStore.create();
    const summary = await Indexer.create({ sources: [source], store }).indexAll();

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'gitlab')).toEqual(await oracleOf(dir.path, GITLAB_TAGGER));
    const stats = sim.stats();
    expect(stats.byStatus['502']).toBe(1);
    const tags = baseline.stats.byEndpoint['GET /projects/{id}/repository/tags'];
    expect(stats.byEndpoint).toEqual({ ...baseline.stats.byEndpoint, 'GET /projects/{id}/repository/tags': { requests: (tags?.requests ?? 0) + 1, notModified: 0 } });
    expect(summary.apiCalls.gitlab).toBe((baseline.summary.apiCalls.gitlab ?? 0) + 1);
    expect(summary.apiCalls.gitlab).toBe(stats.requests);
  });

  it('abandons a request the host never answers after timeoutMs, retries it, and indexes as the local source does', async () => {
    const timeoutMs = 800;
    const sim = await start({ faultTimeoutMs: 10_000 });
    sim.setFaults([{ match: { host: 'gitlab', path: '/projects/{id}/repository/commits/{sha}' }, kind: 'timeout', times: 1 }]);
    const baseline = await baselineOf(sim);
    const source = gitlab(sim, { timeoutMs });
    const store = InMemoryRegistryStore.create();
    const { summary, elapsedMs } = await timedPass(Indexer.create({ sources: [source], store }));

    expect(summary).toMatchObject({ repositories: 3, updated: 3, failed: [] });
    expect(await registryOf(store, 'gitlab')).toEqual(await oracleOf(dir.path, GITLAB_TAGGER));
    expect(elapsedMs).toBeGreaterThanOrEqual(timeoutMs);
    expect(elapsedMs).toBeLessThan(10_000);
    const stats = sim.stats();
    expect(stats.faults).toBe(1);
    const commits = baseline.stats.byEndpoint['GET /projects/{id}/repository/commits/{sha}'];
    expect(stats.byEndpoint).toEqual({ ...baseline.stats.byEndpoint, 'GET /projects/{id}/repository/commits/{sha}': { requests: (commits?.requests ?? 0) + 1, notModified: 0 } });
    expect(summary.apiCalls.gitlab).toBe((baseline.summary.apiCalls.gitlab ?? 0) + 1);
  });

  it('fails only the repository whose every request fails, with a message naming it, and indexes the others as the local source does', async () => {
    const sim = await start();
    sim.setFaults([{ match: { host: 'gitlab', repo: 'acme/ranker' }, kind: '500' }]);
    const store = InMemoryRegistryStore.create();
    const summary = await Indexer.create({ sources: [gitlab(sim, { maxRetries: 1 })], store }).indexAll();

    expect(summary).toMatchObject({ repositories: 3, updated: 2 });
    expect(summary.failed).toEqual([{ repository: 'gitlab:acme/ranker', error: expect.stringMatching(/^gitlab:acme\/ranker: reading the branches and tags failed: GitLab answered 500/) }]);
    const oracle = (await oracleOf(dir.path, GITLAB_TAGGER)) as { repositories: { ref: string }[]; models: { ref: string }[] };
    const others = (items: { ref: string }[]) => items.filter((item) => !item.ref.startsWith('SRC:acme/ranker'));
    expect(await registryOf(store, 'gitlab', { except: ['acme/ranker'] })).toEqual({
      repositories: others(oracle.repositories),
      models: others(oracle.models),
    });
    expect(sim.stats().byRepository['acme/ranker']?.requests).toBeGreaterThanOrEqual(2); // retried before giving up
    const statuses = await store.getStatuses(PATHS.map((path) => `gitlab:${path}`));
    expect(statuses.map((s) => s?.stale)).toEqual([false, true, false]);
  });

  it('reports a malformed answer about one repository as that repository\'s upstream failure, and caches nothing of it', async () => {
    const sim = await start();
    // acme/churn's tag list comes back as half a JSON body (status 200).
    sim.setFaults([{ match: { host: 'gitlab', repo: 'acme/churn', path: '/projects/{id}/repository/tags' }, kind: 'malformed' }]);
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [gitlab(sim)], store });
    const broken = await indexer.indexAll();
    expect(broken).toMatchObject({ repositories: 3, updated: 2 });
    expect(broken.failed).toEqual([{ repository: 'gitlab:acme/churn', error: expect.stringMatching(/^gitlab:acme\/churn: reading the branches and tags failed: .*JSON/) }]);

    sim.setFaults([]);
    expect(await indexer.indexAll()).toMatchObject({ updated: 1, unchanged: 2, failed: [] });
    expect(await registryOf(store, 'gitlab')).toEqual(await oracleOf(dir.path, GITLAB_TAGGER));
  });

  it('keeps the last good snapshot of a repository whose reads fail, and shows exactly the local answers once the host recovers', async () => {
    const sim = await start();
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [gitlab(sim, { maxRetries: 1 })], store });
    expect((await indexer.indexAll()).failed).toEqual([]);
    const before = await storedOf(store, 'gitlab:acme/churn');
    expect(before.snapshot.models.map((m) => m?.versions.map((v) => v.name))).toEqual([['v1.1.0', 'v1.0.0']]);

    const churn = writers().get('churn') as RepoWriter;
    await churn.write({ 'reports/auc.json': '{"auc": 0.9}\n' });
    const third = await churn.commit('churn: reports', { date: '2025-03-04T10:00:00+02:00', author: AUTHOR });
    await churn.tag('churn@v1.2.0', { message: 'third version', date: '2025-03-04T11:00:00+02:00', tagger: TAGGER });
    sim.setFaults([{ match: { host: 'gitlab', repo: 'acme/churn' }, kind: '500' }]);
    const failing = await indexer.indexAll();
    expect(failing).toMatchObject({ repositories: 3, updated: 0, unchanged: 2 });
    expect(failing.failed).toEqual([{ repository: 'gitlab:acme/churn', error: expect.stringMatching(/^gitlab:acme\/churn: reading the branches and tags failed: GitLab answered 500/) }]);
    const after = await storedOf(store, 'gitlab:acme/churn');
    expect(after.snapshot).toEqual(before.snapshot);
    expect(after.status).toMatchObject({ stale: true, lastError: failing.failed[0]?.error });
    expect((await store.getStatuses(['gitlab:acme/ranker', 'gitlab:acme/vision'])).map((s) => s?.stale)).toEqual([false, false]);

    sim.setFaults([]);
    await churn.tag('churn#prod#2', { message: 'promote', date: '2025-03-05T09:00:00Z', tagger: TAGGER, commit: third });
    const recovered = await indexer.indexAll();
    expect(recovered).toMatchObject({ repositories: 3, updated: 1, unchanged: 2, failed: [] });
    expect(await registryOf(store, 'gitlab')).toEqual(await oracleOf(dir.path, GITLAB_TAGGER));
    const [model] = await store.getModels(['gitlab:acme/churn:churn']);
    expect(model?.versions.map((v) => v.name)).toContain('v1.2.0');
    expect(model?.stages.map((s) => [s.stage, s.version])).toEqual([['prod', 'v1.2.0']]);
    expect((await storedOf(store, 'gitlab:acme/churn')).status).toEqual({ ref: 'gitlab:acme/churn', stale: false, lastAttemptAt: expect.any(String) });
  });
});
