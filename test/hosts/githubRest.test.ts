import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { HostSimulator } from '../../src/hosts/index.js';
import { useTempDir } from '../support/gitRepo.js';
import { BIG, BINARY, DVC_YAML, NESTED_DVC_YAML, QUIET, buildSimRepos, gitIn } from './simRepos.js';
import type { SimRepos } from './simRepos.js';

/** What a rejected Octokit call carries. */
interface RequestFailure {
  status: number;
  message: string;
  response?: { headers: Record<string, string>; data: unknown };
}

async function failure(promise: Promise<unknown>): Promise<RequestFailure> {
  try {
    await promise;
  } catch (error) {
    return error as RequestFailure;
  }
  throw new Error('expected the request to fail');
}

describe('the GitHub REST face, through the real @octokit/rest', () => {
  const dir = useTempDir('modelgate-sim-github');
  let repos: SimRepos;
  let sim: HostSimulator;
  const client = (auth?: string) => new Octokit({ baseUrl: sim.githubUrl, ...(auth ? { auth } : {}), log: QUIET });
  const octokit = () => client('full-token');

  beforeAll(async () => {
    repos = await buildSimRepos(dir.path);
    sim = await HostSimulator.start({
      reposDir: dir.path,
      tokens: {
        'full-token': { name: 'ada' },
        'limited-token': { name: 'bob', repos: ['acme/churn', 'acme/vision'] },
        'tiny-token': { name: 'tiny', budget: 3 },
        'reader-token': { name: 'reader', readOnly: true },
      },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('lists an organisation over several pages with octokit.paginate, following Link URLs that point at the simulator', async () => {
    sim.resetStats();
    const first = await octokit().rest.repos.listForOrg({ org: 'acme', per_page: 3, sort: 'full_name' });
    expect(first.headers.link).toContain(`<${sim.githubUrl}/orgs/acme/repos?`);
    expect(first.headers.link).toMatch(/rel="next".*rel="last"/);
    const all = await octokit().paginate(octokit().rest.repos.listForOrg, { org: 'acme', per_page: 3, sort: 'full_name' });
    expect(all.map((r) => r.full_name)).toEqual(['acme/churn', 'acme/r1', 'acme/r2', 'acme/r3', 'acme/r4', 'acme/secret', 'acme/vision']);
    expect(sim.stats().byEndpoint['GET /orgs/{org}/repos']?.requests).toBe(1 + 3);
  });

  it('leaves repositories a token may not read out of listings, and answers 404 for them exactly as for a missing one', async () => {
    const limited = client('limited-token');
    const listed = await limited.paginate(limited.rest.repos.listForOrg, { org: 'acme' });
    expect(listed.map((r) => r.full_name).sort()).toEqual(['acme/churn', 'acme/vision']);
    const hidden = await failure(limited.rest.repos.get({ owner: 'acme', repo: 'secret' }));
    const missing = await failure(limited.rest.repos.get({ owner: 'acme', repo: 'nope' }));
    expect(hidden.status).toBe(404);
    expect(hidden.response?.data).toEqual(missing.response?.data);
    expect(hidden.response?.data).toMatchObject({ message: 'Not Found', status: '404' });
  });

  it('answers 401 Bad credentials without a token or with an unknown one', async () => {
    for (const auth of [undefined, 'wrong']) {
      const error = await failure(client(auth).rest.repos.get({ owner: 'acme', repo: 'churn' }));
      expect(error.status).toBe(401);
      expect(error.response?.data).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
  });

  it('gets a repository with its default branch, visibility and the caller\'s permissions', async () => {
    const { data } = await octokit().rest.repos.get({ owner: 'ACME', repo: 'Churn' });
    expect(data).toMatchObject({ full_name: 'acme/churn', name: 'churn', owner: { login: 'acme', type: 'Organization' }, default_branch: 'main', private: true, visibility: 'private', archived: false });
    expect(data.permissions).toEqual({ admin: false, maintain: true, push: true, triage: true, pull: true });
    expect(typeof data.id).toBe('number');
    expect(Date.parse(data.pushed_at as string)).not.toBeNaN();
    const reader = await client('reader-token').rest.repos.get({ owner: 'acme', repo: 'churn' });
    expect(reader.data.permissions).toMatchObject({ push: false, pull: true });
  });

  it('gets a branch with its head commit', async () => {
    const { data } = await octokit().rest.repos.getBranch({ owner: 'acme', repo: 'churn', branch: 'main' });
    expect(data.commit.sha).toBe(repos.churn.head);
    expect(data.commit.commit.committer?.date).toBe('2025-02-01T17:30:00Z');
    expect(data.protected).toBe(false);
  });

  it('returns the recursive tree of a branch, trees included, and recurses for recursive=0 too', async () => {
    const { data } = await octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: 'main', recursive: '1' });
    expect(data.truncated).toBe(false);
    expect(data.tree.map((e) => `${e.type} ${e.path}`)).toEqual([
      'tree data',
      'blob data/big.txt',
      'blob dvc.yaml',
      'tree models',
      'blob models/churn.pkl',
      'blob models/dvc.yaml',
      'blob params.yaml',
    ]);
    const big = data.tree.find((e) => e.path === 'data/big.txt');
    expect(big).toMatchObject({ mode: '100644', size: BIG.length, url: `${sim.githubUrl}/repos/acme/churn/git/blobs/${big?.sha}` });
    const zero = await octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: repos.churn.first, recursive: '0' });
    expect(zero.data.tree.some((e) => e.path === 'models/dvc.yaml')).toBe(true);
    const flat = await octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: data.sha });
    expect(flat.data.tree.map((e) => e.path)).toEqual(['data', 'dvc.yaml', 'models', 'params.yaml']);
  });

  it('serves file contents as JSON with base64 content, and raw as text or bytes', async () => {
    const json = await octokit().rest.repos.getContent({ owner: 'acme', repo: 'churn', path: 'models/dvc.yaml', ref: 'churn@v1.0.0' });
    expect(Array.isArray(json.data)).toBe(false);
    const file = json.data as { type: string; encoding: string; content: string; sha: string; path: string; name: string };
    expect(file).toMatchObject({ type: 'file', encoding: 'base64', path: 'models/dvc.yaml', name: 'dvc.yaml' });
    expect(Buffer.from(file.content, 'base64').toString()).toBe(NESTED_DVC_YAML);
    const raw = await octokit().rest.repos.getContent({ owner: 'acme', repo: 'churn', path: 'dvc.yaml', mediaType: { format: 'raw' } });
    expect(raw.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(raw.data).toBe(DVC_YAML);
    const binary = await octokit().rest.repos.getContent({ owner: 'acme', repo: 'churn', path: 'models/churn.pkl', mediaType: { format: 'raw' } });
    expect(Buffer.from(binary.data as unknown as ArrayBuffer)).toEqual(BINARY);
  });

  it('answers a directory with an array of entries', async () => {
    const { data } = await octokit().rest.repos.getContent({ owner: 'acme', repo: 'churn', path: 'models' });
    expect(Array.isArray(data)).toBe(true);
    expect((data as { name: string; type: string }[]).map((e) => `${e.type} ${e.name}`)).toEqual(['file churn.pkl', 'file dvc.yaml']);
  });

  it('refuses JSON contents over 1 MB with 403 too_large, while raw and git/blobs still serve it', async () => {
    const error = await failure(octokit().rest.repos.getContent({ owner: 'acme', repo: 'churn', path: 'data/big.txt' }));
    expect(error.status).toBe(403);
    expect(error.response?.data).toMatchObject({ errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }] });
    const raw = await octokit().rest.repos.getContent({ owner: 'acme', repo: 'churn', path: 'data/big.txt', mediaType: { format: 'raw' } });
    expect((raw.data as unknown as string).length).toBe(BIG.length);
  });

  it('gets blobs by SHA as base64', async () => {
    const tree = await octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: 'main', recursive: '1' });
    const sha = tree.data.tree.find((e) => e.path === 'models/churn.pkl')?.sha as string;
    const { data } = await octokit().rest.git.getBlob({ owner: 'acme', repo: 'churn', file_sha: sha });
    expect(data).toMatchObject({ sha, size: BINARY.length, encoding: 'base64' });
    expect(Buffer.from(data.content, 'base64')).toEqual(BINARY);
  });

  it('lists tag refs by prefix with matching-refs, then reads the annotations from git/tags', async () => {
    const { data: refs } = await octokit().rest.git.listMatchingRefs({ owner: 'acme', repo: 'churn', ref: 'tags/churn' });
    expect(refs.map((r) => [r.ref, r.object.type])).toEqual([
      ['refs/tags/churn#prod#1', 'tag'],
      ['refs/tags/churn@v1.0.0', 'tag'],
    ]);
    const all = await octokit().rest.git.listMatchingRefs({ owner: 'acme', repo: 'churn', ref: 'tags' });
    expect(all.data.find((r) => r.ref === 'refs/tags/light')?.object).toMatchObject({ type: 'commit', sha: repos.churn.first });
    const v1 = refs.find((r) => r.ref === 'refs/tags/churn@v1.0.0');
    expect(v1?.object.sha).toBe(repos.churn.v1Tag);
    const { data: tag } = await octokit().rest.git.getTag({ owner: 'acme', repo: 'churn', tag_sha: repos.churn.v1Tag });
    expect(tag).toMatchObject({ tag: 'churn@v1.0.0', message: 'Churn v1\n', tagger: { name: 'Ada', email: 'ada@example.com', date: '2025-01-10T09:00:00Z' }, object: { type: 'commit', sha: repos.churn.first } });
    const single = await octokit().rest.git.getRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn#prod#1' });
    expect(single.data.object).toMatchObject({ type: 'tag', sha: repos.churn.prodTag });
  });

  it('lists /tags without any annotation, as GitHub does', async () => {
    const { data } = await octokit().rest.repos.listTags({ owner: 'acme', repo: 'churn' });
    expect(data.map((t) => t.name).sort()).toEqual(['churn#prod#1', 'churn@v1.0.0', 'light']);
    expect(Object.keys(data[0] ?? {}).sort()).toEqual(['commit', 'name', 'node_id', 'tarball_url', 'zipball_url']);
  });

  it('reads commits through git/commits and commits/{ref}', async () => {
    const { data } = await octokit().rest.git.getCommit({ owner: 'acme', repo: 'churn', commit_sha: repos.churn.head });
    expect(data).toMatchObject({ sha: repos.churn.head, message: 'Tune and add data\n', parents: [{ sha: repos.churn.first }], author: { date: '2025-02-01T17:30:00Z' } });
    const full = await octokit().rest.repos.getCommit({ owner: 'acme', repo: 'churn', ref: 'churn@v1.0.0' });
    expect(full.data.sha).toBe(repos.churn.first);
    const missing = await failure(octokit().rest.repos.getCommit({ owner: 'acme', repo: 'churn', ref: 'no-such-ref' }));
    expect(missing.status).toBe(422);
  });

  it('answers the sha media type with the bare SHA and that SHA as ETag, and If-None-Match with a free 304', async () => {
    const first = await octokit().rest.repos.getCommit({ owner: 'acme', repo: 'churn', ref: 'main', mediaType: { format: 'sha' } });
    expect(first.data).toBe(repos.churn.head);
    expect(first.headers.etag).toBe(`"${repos.churn.head}"`);
    const remaining = Number(first.headers['x-ratelimit-remaining']);
    sim.resetStats();
    const notModified = await failure(
      octokit().rest.repos.getCommit({ owner: 'acme', repo: 'churn', ref: 'main', mediaType: { format: 'sha' }, headers: { 'if-none-match': `"${repos.churn.head}"` } }),
    );
    expect(notModified.status).toBe(304);
    expect(Number(notModified.response?.headers['x-ratelimit-remaining'])).toBe(remaining);
    const stats = sim.stats();
    expect(stats.byEndpoint['GET /repos/{owner}/{repo}/commits/{ref}']).toEqual({ requests: 1, notModified: 1 });
    expect(stats.byToken.ada).toEqual({ requests: 1, notModified: 1 });
  });

  it('sends strong ETags on JSON answers and 304s when they still match', async () => {
    const first = await octokit().rest.repos.get({ owner: 'acme', repo: 'vision' });
    expect(first.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
    const again = await failure(octokit().rest.repos.get({ owner: 'acme', repo: 'vision', headers: { 'if-none-match': first.headers.etag as string } }));
    expect(again.status).toBe(304);
  });

  it('creates an annotated tag as GitHub does, a tag object then a ref, and git sees it', async () => {
    const { data: tag, status } = await octokit().rest.git.createTag({
      owner: 'acme',
      repo: 'churn',
      tag: 'churn@v2.0.0',
      message: 'Churn v2',
      object: repos.churn.head,
      type: 'commit',
      tagger: { name: 'Grace', email: 'grace@example.com', date: '2025-06-01T12:00:00+02:00' },
    });
    expect(status).toBe(201);
    expect(tag).toMatchObject({ tag: 'churn@v2.0.0', message: 'Churn v2', tagger: { name: 'Grace', date: '2025-06-01T10:00:00Z' }, object: { sha: repos.churn.head, type: 'commit' } });
    expect(await gitIn(repos.churn.gitDir, ['tag', '-l', 'churn@v2.0.0'])).toBe('');
    const ref = await octokit().rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/churn@v2.0.0', sha: tag.sha });
    expect(ref.status).toBe(201);
    expect(ref.data.object).toMatchObject({ type: 'tag', sha: tag.sha });
    expect(await gitIn(repos.churn.gitDir, ['for-each-ref', '--format=%(objecttype) %(object) %(taggername) %(taggerdate:raw) %(contents:subject)', 'refs/tags/churn@v2.0.0'])).toBe(
      `tag ${repos.churn.head} Grace 1748772000 +0200 Churn v2`,
    );
    const again = await failure(octokit().rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/churn@v2.0.0', sha: tag.sha }));
    expect(again.status).toBe(422);
    expect(again.response?.data).toMatchObject({ message: 'Reference already exists' });
    const refused = await failure(client('reader-token').rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/nope', sha: repos.churn.head }));
    expect(refused.status).toBe(403);
  });

  it('sends x-ratelimit-* headers on every answer, remaining going down by one per request', async () => {
    const a = await octokit().rest.repos.get({ owner: 'acme', repo: 'r1' });
    const b = await octokit().rest.repos.get({ owner: 'acme', repo: 'r2' });
    for (const h of [a.headers, b.headers]) {
      expect(h['x-ratelimit-limit']).toBe('5000');
      expect(h['x-ratelimit-resource']).toBe('core');
      expect(Number(h['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    }
    expect(Number(b.headers['x-ratelimit-remaining'])).toBe(Number(a.headers['x-ratelimit-remaining']) - 1);
    expect(Number(b.headers['x-ratelimit-used'])).toBe(Number(a.headers['x-ratelimit-used']) + 1);
    const { data } = await octokit().rest.rateLimit.get();
    expect(data.resources.core.remaining).toBe(Number(b.headers['x-ratelimit-remaining']));
    const after = await octokit().rest.rateLimit.get();
    expect(after.data.rate.remaining).toBe(data.rate.remaining);
  });

  it('answers a spent budget with 403, remaining 0 and the reset time, which the throttling plugin reads as the primary limit', async () => {
    const tiny = client('tiny-token');
    for (let i = 0; i < 3; i += 1) await tiny.rest.repos.get({ owner: 'acme', repo: 'r1' });
    const error = await failure(tiny.rest.repos.get({ owner: 'acme', repo: 'r1' }));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/^API rate limit exceeded for user tiny\./);
    expect(error.response?.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(error.response?.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);

    const Throttled = Octokit.plugin(throttling);
    const seen: number[] = [];
    const throttled = new Throttled({
      baseUrl: sim.githubUrl,
      auth: 'tiny-token',
      log: QUIET,
      throttle: {
        onRateLimit: (retryAfter: number) => {
          seen.push(retryAfter);
          return false;
        },
        onSecondaryRateLimit: () => false,
      },
    });
    await expect(throttled.rest.repos.get({ owner: 'acme', repo: 'r1' })).rejects.toMatchObject({ status: 403 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThan(3000);
  });
});
