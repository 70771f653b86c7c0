import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { HostSimulator } from '../../src/hosts/index.js';
import { Indexer } from '../../src/indexer/index.js';
import type { IndexSummary } from '../../src/indexer/index.js';
import type { Logger } from '../../src/log.js';
import { GitHubSource, GitLabSource, MemoryObjectCache, createGitHubClient, createGitLabClient } from '../../src/sources/index.js';
import type { GitSource, ObjectCache } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import type { ModelRecord } from '../../src/registry/index.js';
import type { RepoWriter } from '../../src/demo/repoWriter.js';
import { RedisObjectCache, redisKeys } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { TEST_REDIS_URL, createTestClient, keysUnder, useTestRedis } from '../support/redis.js';

/*
 * The object cache under the hosted sources, against real Redis and the host simulator: a
 * "restarted worker" is a new source (and a new RedisObjectCache) over the same key prefix,
 * indexing with a fresh in-memory store, so it needs every file again and only the cache
 * can spare the host requests.
 */

const DVC_YAML = 'artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n';
const PKL_DVC = 'outs:\n- md5: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n  size: 10\n  path: churn.pkl\n';

/** Two repositories under `owner`: `<owner>/churn` (two commits, GTO tags and a deep chain of tags, two subfolders) and `<owner>/vision`; churn's writer. */
async function makeRepositories(root: string, owner: string): Promise<RepoWriter> {
  const churn = await createRepo(root, `${owner}/churn`);
  await churn.write({ 'dvc.yaml': DVC_YAML, 'params.yaml': 'lr: 0.1\n', 'models/churn.pkl.dvc': PKL_DVC, 'docs/a/b.md': 'deep\n' });
  await churn.commit('first', { date: '2025-01-01T10:00:00Z' });
  await churn.tag('churn@v1.0.0', { message: 'v1', date: '2025-01-01T11:00:00Z' });
  await churn.write({ 'params.yaml': 'lr: 0.2\n', 'models/churn.pkl.dvc': PKL_DVC.replace(/a{32}/, 'b'.repeat(32)) });
  await churn.commit('second', { date: '2025-02-01T10:00:00Z' });
  await churn.tag('churn@v1.1.0', { message: 'v1.1', date: '2025-02-01T11:00:00Z' });
  await churn.tag('churn#prod#1', { message: 'promote', date: '2025-02-02T11:00:00Z' });
  // Tags of tags, deeper than GitHub's refs query peels (4 levels): learning chain-5's commit costs a tag object read.
  for (let i = 1; i <= 5; i += 1) await churn.tag(`chain-${i}`, { message: `chain ${i}`, date: '2025-02-03T11:00:00Z', commit: i === 1 ? 'churn@v1.0.0' : `chain-${i - 1}` });
  const vision = await createRepo(root, `${owner}/vision`);
  await vision.write({ 'dvc.yaml': 'artifacts:\n  vision:\n    path: vision.pt\n    type: model\n' });
  await vision.commit('vision', { date: '2025-01-05T00:00:00Z' });
  await vision.tag('vision@v1.0.0', { message: 'v1', date: '2025-01-05T01:00:00Z' });
  return churn;
}

/** A new commit on churn changing dvc.yaml and the file in models/, tagged. */
async function addVersion(churn: RepoWriter): Promise<void> {
  await churn.write({ 'dvc.yaml': `${DVC_YAML}    desc: better\n`, 'models/churn.pkl.dvc': PKL_DVC.replace(/a{32}/, 'c'.repeat(32)) });
  await churn.commit('third', { date: '2025-03-01T10:00:00Z' });
  await churn.tag('churn@v1.2.0', { message: 'v1.2', date: '2025-03-01T11:00:00Z' });
}

/** GraphQL pieces by kind (`refs`, `Commit`, `Tree`, `Blob`, `tag`), read off the queries the real client sends. */
type Pieces = Record<string, number>;
const REFS_PIECE = /: refs\(refPrefix:/g;
const OBJECT_PIECE = /: object\(oid: \$\w+\) \{ __typename (?:\.\.\. on (\w+)|oid)/g;

/** Indexes with a fresh in-memory store: everything is needed again, as after a restart. */
async function indexOnce(source: GitSource): Promise<{ summary: IndexSummary; models: ModelRecord[] }> {
  const store = InMemoryRegistryStore.create();
  const summary = await Indexer.create({ sources: [source], store }).indexAll();
  const refs = (await store.listModels()).map((m) => m.ref);
  const models = (await store.getModels(refs)).flatMap((m) => (m ? [m] : []));
  return { summary, models };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** A Logger that keeps its lines. */
function recordingLog(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => {}, error: (message) => errors.push(message) };
}

describe('The object cache under the hosted sources, with real Redis and the host simulator', () => {
  const dir = useTempDir('modelgate-object-cache');
  const redis = useTestRedis('object-cache');
  let sim: HostSimulator;
  const clients: Redis[] = [];
  const churns = new Map<string, RepoWriter>();

  beforeAll(async () => {
    for (const owner of ['acme', 'lab', 'inc-gh', 'inc-gl', 'bad']) churns.set(owner, await makeRepositories(dir.path, owner));
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { t: {} } });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    for (const client of clients) client.disconnect();
  });

  /** A cache over a client of its own, as a restarted worker would have. */
  function redisCache(prefix: string, options: { log?: Logger } = {}): RedisObjectCache {
    const client = createTestClient();
    clients.push(client);
    return RedisObjectCache.create({ client, prefix, ...options });
  }

  /** A GitHub source whose GraphQL pieces are counted. */
  function github(repos: string[], objectCache?: ObjectCache, options: { host?: HostSimulator; log?: Logger } = {}): { source: GitHubSource; pieces: Pieces } {
    const baseUrl = (options.host ?? sim).githubUrl;
    const pieces: Pieces = {};
    const source = GitHubSource.create({
      baseUrl,
      repos,
      ...(objectCache ? { objectCache } : {}),
      ...(options.log ? { log: options.log } : {}),
      client: (onRequest) => {
        const octokit = createGitHubClient({ baseUrl, token: 't', onRequest, retryBaseMs: 10 });
        octokit.hook.before('request', (request) => {
          const query = (request as { query?: unknown }).query;
          if (!String(request.url).endsWith('graphql') || typeof query !== 'string') return;
          for (const _ of query.matchAll(REFS_PIECE)) pieces.refs = (pieces.refs ?? 0) + 1;
          for (const match of query.matchAll(OBJECT_PIECE)) pieces[match[1] ?? 'tag'] = (pieces[match[1] ?? 'tag'] ?? 0) + 1;
        });
        return octokit;
      },
    });
    return { source, pieces };
  }

  function gitlab(projects: string[], objectCache?: ObjectCache, options: { log?: Logger } = {}): GitLabSource {
    return GitLabSource.create({
      client: createGitLabClient({ host: sim.url, token: 't', retryBaseMs: 10 }),
      projects,
      ...(objectCache ? { objectCache } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  it('lets a restarted GitHub source index unchanged repositories with only the listing and the refs read from GitHub', async () => {
    const prefix = redis.prefix();
    const repos = ['acme/churn', 'acme/vision'];
    const cold = github(repos, redisCache(prefix));
    sim.resetStats();
    const first = await indexOnce(cold.source);
    expect(first.summary.failed).toEqual([]);
    expect(first.models.length).toBe(2);
    // Cold: chain-5's innermost tag object; 3 commits (each with its root tree); 4 subtrees (models/,
    // docs/, docs/a/, the second commit's models/); 6 blobs (churn's dvc.yaml, its 2 params.yaml
    // and 2 churn.pkl.dvc, vision's dvc.yaml).
    expect(cold.pieces).toEqual({ refs: 2, tag: 1, Commit: 3, Tree: 4, Blob: 6 });

    const restarted = github(repos, redisCache(prefix));
    sim.resetStats();
    const second = await indexOnce(restarted.source);
    expect(second.models).toEqual(first.models);
    expect(restarted.pieces).toEqual({ refs: 2 });
    expect(sim.stats().byEndpoint).toEqual({
      'GET /repos/{owner}/{repo}': { requests: 2, notModified: 0 },
      'POST /graphql': { requests: 1, notModified: 0 },
    });
  });

  it('lets a restarted GitLab source index unchanged projects with only the project, branch and tags requests sent to GitLab', async () => {
    const prefix = redis.prefix();
    const projects = ['lab/churn', 'lab/vision'];
    sim.resetStats();
    const first = await indexOnce(gitlab(projects, redisCache(prefix)));
    expect(first.summary.failed).toEqual([]);
    expect(first.models.length).toBe(2);
    // Cold: per commit its file list and commit (churn 2, vision 1), and per commit and path each
    // file the indexer reads: churn's dvc.yaml, params.yaml and churn.pkl.dvc twice, vision's dvc.yaml.
    expect(sim.stats().byEndpoint).toEqual({
      'GET /projects/{id}': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/branches/{branch}': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/tags': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/tree': { requests: 3, notModified: 0 },
      'GET /projects/{id}/repository/files/{file_path}/raw': { requests: 7, notModified: 0 },
      'GET /projects/{id}/repository/commits/{sha}': { requests: 3, notModified: 0 },
    });

    sim.resetStats();
    const second = await indexOnce(gitlab(projects, redisCache(prefix)));
    expect(second.models).toEqual(first.models);
    expect(sim.stats().byEndpoint).toEqual({
      'GET /projects/{id}': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/branches/{branch}': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/tags': { requests: 2, notModified: 0 },
    });
  });

  it('has a restarted GitHub source read only the new commit, its changed tree and its changed files after a new tag', async () => {
    const prefix = redis.prefix();
    const repos = ['inc-gh/churn', 'inc-gh/vision'];
    await indexOnce(github(repos, redisCache(prefix)).source);
    await addVersion(churns.get('inc-gh') as RepoWriter);

    const restarted = github(repos, redisCache(prefix));
    sim.resetStats();
    const { summary, models } = await indexOnce(restarted.source);
    expect({ failed: summary.failed, versions: summary.versions }).toEqual({ failed: [], versions: 4 });
    expect(models.find((m) => m.name === 'churn')?.declaration?.description).toBe('better');
    // The new commit (with its root tree), its new models/ tree, its new dvc.yaml and models/churn.pkl.dvc.
    expect(restarted.pieces).toEqual({ refs: 2, Commit: 1, Tree: 1, Blob: 2 });
  });

  it('has a restarted GitLab source read only the new commit, its file list and its files after a new tag', async () => {
    const prefix = redis.prefix();
    const projects = ['inc-gl/churn', 'inc-gl/vision'];
    await indexOnce(gitlab(projects, redisCache(prefix)));
    await addVersion(churns.get('inc-gl') as RepoWriter);

    sim.resetStats();
    const { summary } = await indexOnce(gitlab(projects, redisCache(prefix)));
    expect({ failed: summary.failed, versions: summary.versions }).toEqual({ failed: [], versions: 4 });
    // GitLab reads files by commit and path: the new commit's dvc.yaml, params.yaml and models/churn.pkl.dvc.
    expect(sim.stats().byEndpoint).toEqual({
      'GET /projects/{id}': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/branches/{branch}': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/tags': { requests: 2, notModified: 0 },
      'GET /projects/{id}/repository/tree': { requests: 1, notModified: 0 },
      'GET /projects/{id}/repository/files/{file_path}/raw': { requests: 3, notModified: 0 },
      'GET /projects/{id}/repository/commits/{sha}': { requests: 1, notModified: 0 },
    });
  });

  it('indexes GitHub and GitLab to the same answers, with every object read from the host, when Redis cannot be reached, and logs it once', async () => {
    const repos = ['acme/churn', 'acme/vision'];
    const projects = ['lab/churn', 'lab/vision'];
    const expected = [await indexOnce(github(repos).source), await indexOnce(gitlab(projects))];

    const log = recordingLog();
    const down = new Redis({ host: '127.0.0.1', port: await closedPort(), maxRetriesPerRequest: 1, connectTimeout: 500, retryStrategy: () => 200, disconnectTimeout: 100 });
    down.on('error', () => {}); // the client's owner (here: the test) hears of failures; the cache must not throw them
    clients.push(down);
    const cache = RedisObjectCache.create({ client: down, prefix: redis.prefix(), log, timeoutMs: 500 });
    const gh = github(repos, cache);
    const got = [await indexOnce(gh.source)];
    sim.resetStats();
    got.push(await indexOnce(gitlab(projects, cache)));

    expect(got.map((r) => ({ failed: r.summary.failed, models: r.models }))).toEqual(expected.map((r) => ({ failed: r.summary.failed, models: r.models })));
    // Every object from the hosts, as cold (see the first two tests).
    expect(gh.pieces).toEqual({ refs: 2, tag: 1, Commit: 3, Tree: 4, Blob: 6 });
    expect(sim.stats().requests).toBe(6 + 3 + 7 + 3);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatch(/could not (read|write).*sources read from their hosts/);
  });

  it('treats a corrupted value as a miss: the object is read from GitHub again and written over the bad value', async () => {
    const prefix = redis.prefix();
    const repos = ['bad/churn', 'bad/vision'];
    await indexOnce(github(repos, redisCache(prefix)).source);
    const blobKeys = (await keysUnder(redis.client, `${prefix}obj:`)).filter((key) => key.includes(':blob:'));
    const values = await redis.client.mget(blobKeys);
    const dvcYaml = blobKeys[values.findIndex((v) => v !== null && (JSON.parse(v) as { text?: string }).text === DVC_YAML)] as string;
    const params = blobKeys[values.findIndex((v) => v !== null && (JSON.parse(v) as { text?: string }).text === 'lr: 0.2\n')] as string;
    const [goodYaml, goodParams] = await redis.client.mget(dvcYaml, params);
    await redis.client.mset(dvcYaml, '{"found": true, "te', params, '{"found": "yes"}');

    const restarted = github(repos, redisCache(prefix));
    const { summary, models } = await indexOnce(restarted.source);
    expect({ failed: summary.failed, models: models.length }).toEqual({ failed: [], models: 2 });
    expect(restarted.pieces).toEqual({ refs: 2, Blob: 2 });
    expect(await redis.client.mget(dvcYaml, params)).toEqual([goodYaml, goodParams]);
  });

  it('keeps apart the objects of two hosts: a source of another host reads everything from its own', async () => {
    const prefix = redis.prefix();
    const repos = ['acme/churn', 'acme/vision'];
    const here = github(repos, redisCache(prefix));
    await indexOnce(here.source);
    const other = await HostSimulator.start({ reposDir: dir.path, tokens: { t: {} } });
    try {
      const there = github(repos, redisCache(prefix), { host: other });
      await indexOnce(there.source);
      expect(there.pieces).toEqual(here.pieces);
      const namespaces = new Set((await keysUnder(redis.client, `${prefix}obj:`)).map((key) => key.slice(`${prefix}obj:`.length).split(':')[0]));
      expect(namespaces).toEqual(new Set([sim, other].map((s) => `github@${encodeURIComponent(new URL(s.url).host)}`)));
    } finally {
      await other.close();
    }
  });

  it('keeps each value under <prefix>obj:<key> without a TTL, in one MSET per set and one MGET per get', async () => {
    const prefix = redis.prefix();
    const cache = redisCache(prefix);
    // MONITOR sees every command in the order Redis ran them; a GET of a sentinel key marks the end.
    const monitor = await redis.client.monitor();
    const seen: string[] = [];
    const sentinel = `${prefix}sentinel`;
    const done = new Promise<void>((resolve) => {
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[1] === sentinel) resolve();
        else if (args.slice(1).some((arg) => arg.startsWith(prefix))) seen.push(args[0]?.toLowerCase() ?? '');
      });
    });
    try {
      await cache.set([
        ['ns:blob:1', '"one"'],
        ['ns:blob:2', '"two"'],
      ]);
      expect(await cache.get(['ns:blob:2', 'ns:blob:3', 'ns:blob:1'])).toEqual(['"two"', undefined, '"one"']);
      await redis.client.get(sentinel);
      await done;
    } finally {
      monitor.disconnect();
    }
    expect(seen).toEqual(['mset', 'mget']);
    expect(await keysUnder(redis.client, prefix)).toEqual([`${prefix}obj:ns:blob:1`, `${prefix}obj:ns:blob:2`]);
    expect(await redis.client.ttl(`${prefix}obj:ns:blob:1`)).toBe(-1);
    expect(redisKeys(prefix).object('ns:blob:1')).toBe(`${prefix}obj:ns:blob:1`);
    expect(redisKeys().object('x')).toBe('mg:v1:obj:x');
  });

  it('does not keep a value over maxValueBytes, and leaves the client it was given open on close', async () => {
    const prefix = redis.prefix();
    const client = createTestClient();
    clients.push(client);
    const cache = RedisObjectCache.create({ client, prefix, maxValueBytes: 10 });
    await cache.set([
      ['ns:blob:small', '"0123456"'],
      ['ns:blob:big', '"0123456789"'],
      ['ns:blob:wide', '"é€é€"'], // 6 characters, 12 bytes in UTF-8
    ]);
    expect(await keysUnder(redis.client, prefix)).toEqual([`${prefix}obj:ns:blob:small`]);
    await cache.close();
    expect(await cache.get(['ns:blob:small'])).toEqual([undefined]);
    expect(await client.get(`${prefix}obj:ns:blob:small`)).toBe('"0123456"');
  });
});

describe('MemoryObjectCache', () => {
  it('forgets its least recently used values once over its bound, and keeps none larger than the bound', async () => {
    // Each entry weighs 2 bytes per character of key and value: 2 × (1 + 9) = 20.
    const cache = new MemoryObjectCache({ maxBytes: 60 });
    await cache.set([
      ['a', 'aaaaaaaaa'],
      ['b', 'bbbbbbbbb'],
      ['c', 'ccccccccc'],
    ]);
    expect(cache.bytes).toBe(60);
    await cache.get(['a']); // a is now the most recently used
    await cache.set([['d', 'ddddddddd']]);
    expect(await cache.get(['a', 'b', 'c', 'd'])).toEqual(['aaaaaaaaa', undefined, 'ccccccccc', 'ddddddddd']);
    await cache.set([['e', 'e'.repeat(30)]]);
    expect({ size: cache.size, bytes: cache.bytes, e: await cache.get(['e']) }).toEqual({ size: 3, bytes: 60, e: [undefined] });
  });
});

// The test Redis must be there: a skipped cache would make every count above pass for the wrong reason.
beforeAll(async () => {
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    expect(await client.ping()).toBe('PONG');
  } finally {
    client.disconnect();
  }
});
