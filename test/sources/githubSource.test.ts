import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HostSimulator } from '../../src/hosts/index.js';
import { Indexer } from '../../src/indexer/index.js';
import { UpstreamError } from '../../src/errors.js';
import { GitHubSource, LocalGitSource, createGitHubClient } from '../../src/sources/index.js';
import type { FileRequest, GitSource, GitHubSourceOptions, RepositoryInfo } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import type { RepoWriter } from '../../src/demo/repoWriter.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

const DVC_YAML = 'artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n  ranker:\n    path: models/ranker.pkl\n    type: model\n';
/** Past GraphQL's 512,000-byte `Blob.text` limit, below the 10 MiB file limit. */
const BIG_TEXT = 'x'.repeat(600_000);

/**
 * acme/churn: annotated, lightweight and tag-of-tag tags with offsets, a binary file, a file
 * larger than GraphQL's text limit and one larger than the source's limit, nested folders;
 * acme/vision and acme/third for listings; solo/one for a user's listing.
 */
async function buildRepos(root: string): Promise<{ first: string; second: string; third: RepoWriter; vision: RepoWriter }> {
  const churn = await createRepo(root, 'acme/churn');
  await churn.write({ 'dvc.yaml': DVC_YAML, 'params.yaml': 'lr: 0.1\n', 'models/churn.pkl.dvc': 'outs:\n- md5: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n  path: churn.pkl\n' });
  const first = await churn.commit('first\n\nwith a body', { date: '2025-01-01T10:00:00+02:00' });
  await churn.tag('churn@v1.0.0', { message: 'first version', date: '2025-01-01T11:00:00+02:00' });
  await churn.tag('churn#staging#1', { message: 'to staging', date: '2025-01-02T09:30:00-05:30' });
  await churn.write({
    'params.yaml': 'lr: 0.2\n',
    'bin/model.bin': new Uint8Array([1, 0, 2, 0, 3]),
    'big.txt': BIG_TEXT,
    'huge.txt': 'y'.repeat(2048),
    'deep/a/b/c.txt': 'deep\n',
    'latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
  });
  const second = await churn.commit('second', { date: '2025-02-01T10:00:00Z' });
  await churn.tag('churn@v1.1.0', { message: 'second version\n\nnotes', date: '2025-02-01T12:00:00+01:00' });
  await churn.tag('ranker@v0.1.0', { message: 'ranker', date: '2025-02-02T12:00:00Z', commit: first });
  await churn.lightweightTag('light', first);
  await churn.tag('tag-of-tag', { message: 'outer', date: '2025-02-03T12:00:00Z', commit: 'churn@v1.1.0' });
  const writers: RepoWriter[] = [];
  for (const name of ['vision', 'third']) {
    const repo = await createRepo(root, `acme/${name}`);
    await repo.write({ 'dvc.yaml': `artifacts:\n  ${name}:\n    path: ${name}.pkl\n` });
    await repo.commit(name, { date: '2025-01-05T00:00:00Z' });
    await repo.tag(`${name}@v1.0.0`, { message: 'v1', date: '2025-01-05T01:00:00Z' });
    writers.push(repo);
  }
  const solo = await createRepo(root, 'solo/one');
  await solo.write({ 'README.md': 'one\n' });
  await solo.commit('one', { date: '2025-01-06T00:00:00Z' });
  return { first, second, third: writers[1] as RepoWriter, vision: writers[0] as RepoWriter };
}

describe('GitHubSource against the host simulator, with the local source as the oracle', () => {
  const dir = useTempDir('modelgate-github-source');
  let sim: HostSimulator;
  let commits: { first: string; second: string; third: RepoWriter; vision: RepoWriter };
  let local: LocalGitSource;
  const sources: GitSource[] = [];

  beforeAll(async () => {
    commits = await buildRepos(dir.path);
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { t: {} } });
    local = LocalGitSource.create({ root: dir.path, maxFileBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await local.close();
    await Promise.all(sources.map((s) => s.close()));
    await sim.close();
  });

  function github(options: Partial<GitHubSourceOptions> = {}): GitHubSource {
    const source = GitHubSource.create({
      baseUrl: sim.githubUrl,
      client: (onRequest) => createGitHubClient({ baseUrl: sim.githubUrl, token: 't', onRequest, retryBaseMs: 50 }),
      maxFileBytes: 1024 * 1024,
      ...options,
    });
    sources.push(source);
    return source;
  }

  /** The same repository as each source names it. */
  async function pair(source: GitHubSource, path: string): Promise<[RepositoryInfo, RepositoryInfo]> {
    const remote = (await source.listRepositories()).find((r) => r.path === path);
    const mine = (await local.listRepositories()).find((r) => r.path === path);
    if (!remote || !mine) throw new Error(`${path} is not listed`);
    return [remote, mine];
  }

  it('gives exactly the refs the local source gives: default branch, head, annotated, lightweight and nested tags', async () => {
    const source = github({ repos: ['acme/churn'] });
    const [remote, mine] = await pair(source, 'acme/churn');
    expect(remote).toEqual({
      ref: 'github:acme/churn',
      source: 'github',
      kind: 'github',
      path: 'acme/churn',
      host: new URL(sim.url).host,
      fullName: 'acme/churn',
      url: `${sim.url}/acme/churn`,
    });
    const expected = await local.readRefs(mine);
    expect(expected.tags.map((t) => t.name)).toContain('tag-of-tag');
    expect(await source.readRefs(remote)).toEqual(expected);
  });

  it('lists the same files, reads the same contents and commits, and fails on an unknown commit like the local source', async () => {
    const source = github({ repos: ['acme/churn'] });
    const [remote, mine] = await pair(source, 'acme/churn');
    const shas = [commits.first, commits.second];
    expect(await source.listFiles(remote, shas)).toEqual(await local.listFiles(mine, shas));

    const requests: FileRequest[] = [
      'dvc.yaml', 'params.yaml', 'models/churn.pkl.dvc', 'bin/model.bin', 'big.txt', 'huge.txt', 'deep/a/b/c.txt',
      'latin1.txt', 'models', 'deep', 'nope.yaml', 'deep/a/../a/b/c.txt', './dvc.yaml',
    ].flatMap((path) => shas.map((commit) => ({ commit, path })));
    const got = await source.readFiles(remote, requests);
    expect(got).toEqual(await local.readFiles(mine, requests));
    expect(got[requests.findIndex((r) => r.path === 'big.txt' && r.commit === commits.second)]).toEqual({ found: true, text: BIG_TEXT, size: BIG_TEXT.length });
    expect(got[requests.findIndex((r) => r.path === 'bin/model.bin' && r.commit === commits.second)]).toMatchObject({ found: false, reason: 'not-text' });

    const [mineCommits, remoteCommits] = [await local.readCommits(mine, shas), await source.readCommits(remote, shas)];
    // GitHub shows commit messages without their final newlines; the indexer trims them anyway.
    expect(remoteCommits).toEqual(mineCommits.map((c) => ({ ...c, message: c.message.replace(/\n+$/, '') })));

    const unknown = 'f'.repeat(40);
    await expect(source.readCommits(remote, [unknown])).rejects.toThrow(UpstreamError);
    await expect(source.readFiles(remote, [{ commit: unknown, path: 'dvc.yaml' }])).rejects.toThrow(/commit f{40} does not exist/);
    await expect(source.listFiles(remote, [unknown])).rejects.toThrow(/commit f{40} does not exist/);
  });

  it('answers too-large above its size limit without reading the bytes', async () => {
    const source = github({ repos: ['acme/churn'], maxFileBytes: 1000 });
    const small = LocalGitSource.create({ root: dir.path, maxFileBytes: 1000 });
    try {
      const [remote] = await pair(source, 'acme/churn');
      const mine = (await small.listRepositories()).find((r) => r.path === 'acme/churn');
      if (!mine) throw new Error('not listed');
      const files = ['huge.txt', 'big.txt', 'bin/model.bin'].map((path) => ({ commit: commits.second, path }));
      sim.resetStats();
      const got = await source.readFiles(remote, files);
      expect(got).toEqual(await small.readFiles(mine, files));
      expect(got[0]).toEqual({ found: false, reason: 'too-large', size: 2048 });
      expect(sim.stats().byEndpoint['GET /repos/{owner}/{repo}/git/blobs/{file_sha}']?.requests).toBe(1); // the binary one only
    } finally {
      await small.close();
    }
  });

  it('batches its reads: refs in one query, each tree and blob once, trees level by level, commits from the listing', async () => {
    const source = github({ repos: ['acme/churn'] });
    const [remote] = await pair(source, 'acme/churn');
    sim.resetStats();
    const before = source.apiCalls;
    const graphql = () => sim.stats().byEndpoint['POST /graphql']?.requests ?? 0;
    await source.readRefs(remote);
    expect(graphql()).toBe(1);
    // The commit with its root tree, then bin/ deep/ models/, then deep/a, then deep/a/b.
    await source.listFiles(remote, [commits.second]);
    expect(graphql()).toBe(5);
    // Only the first commit's own root tree is new: its models/ is the same tree as the second's.
    await source.listFiles(remote, [commits.first]);
    expect(graphql()).toBe(6);
    // dvc.yaml and models/churn.pkl.dvc are the same blobs at both commits, params.yaml differs: 4 blobs, one query.
    const files = ['dvc.yaml', 'params.yaml', 'models/churn.pkl.dvc'].flatMap((path) => [commits.first, commits.second].map((commit) => ({ commit, path })));
    await source.readFiles(remote, files);
    await source.readCommits(remote, [commits.first, commits.second]);
    expect(graphql()).toBe(7);
    expect(source.apiCalls - before).toBe(7);
    expect(sim.stats().requests).toBe(7);

    // Immutable things come from the cache; refs are read again (one query, one point).
    await source.listFiles(remote, [commits.first, commits.second]);
    await source.readFiles(remote, files);
    await source.readCommits(remote, [commits.second]);
    expect(source.apiCalls - before).toBe(7);
    await source.readRefs(remote);
    expect(source.apiCalls - before).toBe(8);
  });

  it('reads the refs of many repositories in one query, and a missing one fails alone', async () => {
    const source = github({ repos: ['acme/churn', 'acme/vision', 'acme/third', 'acme/gone'] });
    const listed = await source.listRepositories();
    expect(listed.map((r) => r.ref)).toEqual(['github:acme/churn', 'github:acme/gone', 'github:acme/third', 'github:acme/vision']);
    sim.resetStats();
    const results = await Promise.allSettled(listed.map((info) => source.readRefs(info)));
    expect(sim.stats().byEndpoint['POST /graphql']?.requests).toBe(1);
    expect(sim.stats().requests).toBe(1);
    const gone = results[1];
    expect(gone?.status).toBe('rejected');
    expect(gone?.status === 'rejected' ? (gone.reason as Error).message : '').toMatch(/acme\/gone was not found on .*or the token cannot read it/);
    expect(gone?.status === 'rejected' ? gone.reason : undefined).toBeInstanceOf(UpstreamError);
    for (const index of [0, 2, 3]) {
      const result = results[index];
      const info = listed[index] as RepositoryInfo;
      const mine = (await local.listRepositories()).find((r) => r.path === info.path);
      if (!mine || result?.status !== 'fulfilled') throw new Error(`${info.ref} failed: ${result?.status === 'rejected' ? String(result.reason) : ''}`);
      expect(result.value).toEqual(await local.readRefs(mine));
    }
  });

  it('with refsCheck etag, checks unchanged refs with two free 304s and no GraphQL, and re-reads them after a new tag', async () => {
    const source = github({ repos: ['acme/vision'], refsCheck: 'etag' });
    const [remote, mine] = await pair(source, 'acme/vision');
    sim.resetStats();
    const refs = await source.readRefs(remote);
    // Cold: the tags' ETag (REST), then the refs (GraphQL).
    expect(sim.stats().byEndpoint).toEqual({
      'GET /repos/{owner}/{repo}/git/matching-refs/{ref}': expect.objectContaining({ requests: 1 }),
      'POST /graphql': expect.objectContaining({ requests: 1 }),
    });
    sim.resetStats();
    expect(await source.readRefs(remote)).toEqual(refs);
    expect({ requests: sim.stats().requests, notModified: sim.stats().notModified, graphql: sim.stats().byEndpoint['POST /graphql'] }).toEqual({ requests: 2, notModified: 2, graphql: undefined });
    await commits.vision.tag('vision#prod#1', { message: 'prod', date: '2025-01-06T00:00:00Z' });
    sim.resetStats();
    const after = await source.readRefs(remote);
    expect(after).toEqual(await local.readRefs(mine));
    expect(after.tags.map((t) => t.name)).toContain('vision#prod#1');
    // The tags' ETag changed (200), the head did not (304), then one GraphQL query.
    expect({ requests: sim.stats().requests, notModified: sim.stats().notModified }).toEqual({ requests: 3, notModified: 1 });
  });

  it('re-reads the refs after a new tag', async () => {
    const source = github({ repos: ['acme/third'] });
    const [remote, mine] = await pair(source, 'acme/third');
    await source.readRefs(remote);
    await commits.third.tag('third#prod#1', { message: 'prod', date: '2025-01-06T00:00:00Z' });
    sim.resetStats();
    const after = await source.readRefs(remote);
    expect(after).toEqual(await local.readRefs(mine));
    expect(after.tags.map((t) => t.name)).toContain('third#prod#1');
    expect(sim.stats().requests).toBe(1);
  });

  it('lists every repository of an org across pages, falls back to the user listing, and dedupes configured ones', async () => {
    const source = github({ repos: ['acme/churn', 'ACME/vision'], orgs: ['acme', 'solo'], perPage: 2 });
    const listed = await source.listRepositories();
    expect(listed.map((r) => r.ref)).toEqual(['github:acme/churn', 'github:acme/third', 'github:acme/vision', 'github:solo/one']);
    sim.resetStats();
    await source.listRepositories();
    expect(sim.stats().requests).toBe(sim.stats().notModified); // an unchanged listing is free
  });

  it('lists a configured repository that does not exist, and fails it alone with a message naming it', async () => {
    const source = github({ repos: ['acme/churn', 'acme/nope'] });
    const listed = await source.listRepositories();
    expect(listed.map((r) => r.ref)).toEqual(['github:acme/churn', 'github:acme/nope']);
    const missing = listed[1] as RepositoryInfo;
    await expect(source.readRefs(missing)).rejects.toThrow(/github:acme\/nope: repository acme\/nope was not found/);
    await expect(source.readRefs(listed[0] as RepositoryInfo)).resolves.toMatchObject({ defaultBranch: expect.any(String) });
  });

  it('lists a large tree with one REST call, retries a 500 on it and counts the retried request', async () => {
    // Any unseen subtree counts as "large" here, so the REST recursive listing is used.
    const source = github({ repos: ['acme/churn'], maxGraphqlTreesPerRound: 0 });
    const [remote, mine] = await pair(source, 'acme/churn');
    sim.setFaults([{ match: { repo: 'acme/churn', path: '/repos/{owner}/{repo}/git/trees/{tree_sha}' }, kind: '500', times: 1 }]);
    sim.resetStats();
    const before = source.apiCalls;
    try {
      expect(await source.listFiles(remote, [commits.first])).toEqual(await local.listFiles(mine, [commits.first]));
    } finally {
      sim.setFaults([]);
    }
    // The commit (GraphQL), the tree refused with a 500, the tree again.
    expect(source.apiCalls - before).toBe(3);
    expect(sim.stats().byEndpoint['GET /repos/{owner}/{repo}/git/trees/{tree_sha}']?.requests).toBe(2);
  });

  it('walks a truncated tree level by level and lists the same files', async () => {
    const source = github({ repos: ['acme/churn'], maxGraphqlTreesPerRound: 0 });
    const [remote, mine] = await pair(source, 'acme/churn');
    sim.setFaults([{ match: { repo: 'acme/churn', path: '/repos/{owner}/{repo}/git/trees/{tree_sha}' }, kind: 'truncated-tree', times: 1 }]);
    try {
      sim.resetStats();
      expect(await source.listFiles(remote, [commits.second])).toEqual(await local.listFiles(mine, [commits.second]));
      // One truncated REST listing, then GraphQL level by level: the commit, bin/ deep/ models/, deep/a, deep/a/b.
      expect(sim.stats().byEndpoint['GET /repos/{owner}/{repo}/git/trees/{tree_sha}']?.requests).toBe(1);
      expect(sim.stats().byEndpoint['POST /graphql']?.requests).toBe(4);
    } finally {
      sim.setFaults([]);
    }
  });

  it('indexes into the same store contents as the local source', async () => {
    const localStore = InMemoryRegistryStore.create();
    const githubStore = InMemoryRegistryStore.create();
    const source = github({ orgs: ['acme'] });
    const acmeLocal = LocalGitSource.create({ root: dir.path });
    try {
      const [a, b] = [
        await Indexer.create({ sources: [acmeLocal], store: localStore }).indexAll(),
        await Indexer.create({ sources: [source], store: githubStore }).indexAll(),
      ];
      expect(b.failed).toEqual([]);
      expect(a.models).toBeGreaterThanOrEqual(4);
      expect(b.versions).toBe(a.versions);
      expect(b.models).toBe(a.models);
      const normalise = async (store: InMemoryRegistryStore, prefix: string) => {
        const refs = (await store.listModels()).map((m) => m.ref).filter((ref) => ref.startsWith(`${prefix}:acme/`));
        const models = await store.getModels(refs);
        return JSON.parse(JSON.stringify(models).split(`"${prefix}:`).join('"SRC:')) as unknown;
      };
      expect(await normalise(githubStore, 'github')).toEqual(await normalise(localStore, 'local'));
    } finally {
      await acmeLocal.close();
    }
  });
});

describe('GitHubSource and the GraphQL rate limit', () => {
  const dir = useTempDir('modelgate-github-ratelimit');

  it('waits for the reset when GraphQL answers RATE_LIMITED, then succeeds', async () => {
    const repo = await createRepo(dir.path, 'acme/r');
    await repo.write({ 'a.txt': 'a\n' });
    await repo.commit('a', { date: '2025-01-01T00:00:00Z' });
    await repo.tag('a@v1', { message: 'v1', date: '2025-01-01T00:00:00Z' });
    const sim = await HostSimulator.start({ reposDir: dir.path, tokens: { t: { budget: 2 } }, rateLimitWindowSeconds: 1 });
    const source = GitHubSource.create({ baseUrl: sim.githubUrl, repos: ['acme/r'], client: (onRequest) => createGitHubClient({ baseUrl: sim.githubUrl, token: 't', onRequest }) });
    try {
      const [info] = await source.listRepositories();
      if (!info) throw new Error('not listed');
      const started = Date.now();
      // GraphQL's budget of 2: the refs and the commit queries; the blob's query must wait.
      const refs = await source.readRefs(info);
      const [commit] = await source.readCommits(info, [refs.headCommit ?? '']);
      expect(commit?.message).toBe('a');
      expect(await source.readFiles(info, [{ commit: refs.headCommit ?? '', path: 'a.txt' }])).toEqual([{ found: true, text: 'a\n', size: 2 }]);
      expect(Date.now() - started).toBeLessThan(5000);
      // The listing (REST), refs, the commit, the blob refused with RATE_LIMITED (HTTP 200), the blob again after the reset.
      expect(source.apiCalls).toBe(5);
      expect(sim.stats().byEndpoint).toMatchObject({ 'POST /graphql': { requests: 4 } });
    } finally {
      await sim.close();
    }
  });
});
