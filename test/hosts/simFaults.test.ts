import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Gitlab } from '@gitbeaker/rest';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { HostSimulator } from '../../src/hosts/index.js';
import { useTempDir } from '../support/gitRepo.js';
import { QUIET, buildSimRepos, enc } from './simRepos.js';

const TREES = '/repos/{owner}/{repo}/git/trees/{tree_sha}';

describe('the simulator\'s test controls: faults, latency and call counters', () => {
  const dir = useTempDir('modelgate-sim-faults');
  let sim: HostSimulator;
  const octokit = () => new Octokit({ baseUrl: sim.githubUrl, auth: 'tok', log: QUIET });

  beforeAll(async () => {
    await buildSimRepos(dir.path);
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { tok: { name: 'ada' } }, faultTimeoutMs: 2000 });
  });
  afterEach(() => {
    sim.setFaults([]);
    sim.setLatency(0);
    sim.resetStats();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('injects a 500 on one endpoint of one repository, once', async () => {
    sim.setFaults([{ match: { repo: 'acme/churn', path: TREES }, kind: '500', times: 1 }]);
    await expect(octokit().rest.git.getTree({ owner: 'acme', repo: 'vision', tree_sha: 'main' })).resolves.toMatchObject({ status: 200 });
    await expect(octokit().rest.repos.get({ owner: 'acme', repo: 'churn' })).resolves.toMatchObject({ status: 200 });
    await expect(octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: 'main' })).rejects.toMatchObject({ status: 500, response: { data: { message: 'Server Error' } } });
    await expect(octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: 'main' })).resolves.toMatchObject({ status: 200 });
    expect(sim.faults()).toEqual([]);
    expect(sim.stats()).toMatchObject({ faults: 1, byStatus: { '200': 3, '500': 1 } });
  });

  it('holds a request forever on a timeout fault, so the client\'s own timeout fires', async () => {
    sim.setFaults([{ match: { host: 'github', method: 'GET', path: /\/commits\//, repo: 'acme/churn' }, kind: 'timeout', times: 1 }]);
    const started = Date.now();
    await expect(
      octokit().rest.repos.getCommit({ owner: 'acme', repo: 'churn', ref: 'main', request: { signal: AbortSignal.timeout(300) } }),
    ).rejects.toMatchObject({ status: 500 }); // Octokit reports a failed fetch as 500
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expect(octokit().rest.repos.getCommit({ owner: 'acme', repo: 'churn', ref: 'main' })).resolves.toMatchObject({ status: 200 });
    expect(sim.stats().byEndpoint['GET /repos/{owner}/{repo}/commits/{ref}']?.requests).toBe(2);
  });

  it('truncates a recursive tree on demand', async () => {
    const full = await octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: 'main', recursive: '1' });
    sim.setFaults([{ match: { path: TREES }, kind: 'truncated-tree' }]);
    const cut = await octokit().rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: 'main', recursive: '1' });
    expect(cut.data.truncated).toBe(true);
    expect(cut.data.tree.length).toBeLessThan(full.data.tree.length);
    expect(cut.data.tree).toEqual(full.data.tree.slice(0, cut.data.tree.length));
  });

  it('truncates trees over the entry limit, as GitHub does over 100,000', async () => {
    const limited = await HostSimulator.start({ reposDir: dir.path, treeEntryLimit: 3 });
    try {
      const { data } = await new Octokit({ baseUrl: limited.githubUrl, log: QUIET }).rest.git.getTree({ owner: 'acme', repo: 'churn', tree_sha: 'main', recursive: '1' });
      expect(data).toMatchObject({ truncated: true });
      expect(data.tree).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });

  it('sends a malformed JSON body with status 200 (Octokit hands back the text, Gitbeaker throws)', async () => {
    sim.setFaults([{ match: { path: '/repos/{owner}/{repo}' }, kind: 'malformed', times: 1 }]);
    const { data, status } = await octokit().rest.repos.get({ owner: 'acme', repo: 'churn' });
    expect(status).toBe(200);
    expect(typeof data).toBe('string');
    expect(() => JSON.parse(data as unknown as string)).toThrow();
    sim.setFaults([{ match: { host: 'gitlab' }, kind: 'malformed', times: 1 }]);
    await expect(new Gitlab({ host: sim.url, token: 'tok' }).Projects.show('ml/vision/detector')).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('answers with GitHub\'s secondary rate limit, which the throttling plugin recognises, and GitLab\'s 429', async () => {
    sim.setFaults([{ kind: 'secondary-rate-limit', retryAfterSeconds: 7, times: 2 }]);
    const Throttled = Octokit.plugin(throttling);
    const secondary: number[] = [];
    const throttled = new Throttled({
      baseUrl: sim.githubUrl,
      auth: 'tok',
      log: QUIET,
      throttle: {
        onRateLimit: () => false,
        onSecondaryRateLimit: (retryAfter: number) => {
          secondary.push(retryAfter);
          return false;
        },
      },
    });
    await expect(throttled.rest.repos.get({ owner: 'acme', repo: 'churn' })).rejects.toMatchObject({ status: 403, message: expect.stringContaining('secondary rate limit') });
    expect(secondary).toEqual([7]);
    const gitlab = await fetch(`${sim.gitlabUrl}/projects/${enc('ml/top')}`, { headers: { 'private-token': 'tok' } });
    expect(gitlab.status).toBe(429);
    expect(gitlab.headers.get('retry-after')).toBe('7');
  });

  it('takes faults as JSON through POST /_sim/faults, with a path regex', async () => {
    const set = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ match: { host: 'gitlab', path: { regex: '/repository/tags$' } }, kind: '502', times: 1 }]),
    });
    expect(set.status).toBe(200);
    const listed = (await (await fetch(`${sim.url}/_sim/faults`)).json()) as { rules: unknown[] };
    expect(listed.rules).toEqual([{ kind: '502', times: 1, match: { host: 'gitlab', path: { regex: '\\/repository\\/tags$', flags: '' } } }]);
    const hit = await fetch(`${sim.gitlabUrl}/projects/${enc('ml/vision/detector')}/repository/tags`, { headers: { 'private-token': 'tok' } });
    expect(hit.status).toBe(502);
    const next = await fetch(`${sim.gitlabUrl}/projects/${enc('ml/vision/detector')}/repository/tags`, { headers: { 'private-token': 'tok' } });
    expect(next.status).toBe(200);
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"kind":"explode"}]' });
    expect(bad.status).toBe(400);
  });

  it('adds latency to every request', async () => {
    sim.setLatency(150);
    const started = Date.now();
    await octokit().rest.repos.get({ owner: 'acme', repo: 'churn' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('counts requests exactly, by host, endpoint, repository and token, 304s separately', async () => {
    const pages = await octokit().paginate(octokit().rest.repos.listForOrg, { org: 'acme', per_page: 3 });
    expect(pages).toHaveLength(7);
    const first = await octokit().rest.repos.get({ owner: 'acme', repo: 'churn' });
    await expect(octokit().rest.repos.get({ owner: 'acme', repo: 'churn', headers: { 'if-none-match': first.headers.etag as string } })).rejects.toMatchObject({ status: 304 });
    await new Gitlab({ host: sim.url, token: 'tok' }).Projects.show('ml/vision/detector');
    await fetch(`${sim.githubUrl}/repos/acme/churn`);

    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as ReturnType<HostSimulator['stats']>;
    expect(stats).toMatchObject({ requests: 7, notModified: 1, rateLimited: 0, faults: 0 });
    expect(stats.byHost).toEqual({ github: { requests: 6, notModified: 1 }, gitlab: { requests: 1, notModified: 0 } });
    expect(stats.byEndpoint).toEqual({
      'GET /orgs/{org}/repos': { requests: 3, notModified: 0 },
      'GET /repos/{owner}/{repo}': { requests: 3, notModified: 1 },
      'GET /projects/{id}': { requests: 1, notModified: 0 },
    });
    expect(stats.byRepository).toEqual({ 'acme/churn': { requests: 3, notModified: 1 }, 'ml/vision/detector': { requests: 1, notModified: 0 } });
    expect(stats.byToken).toEqual({ ada: { requests: 6, notModified: 1 }, unauthenticated: { requests: 1, notModified: 0 } });
    expect(stats.byStatus).toEqual({ '200': 5, '304': 1, '401': 1 });
    const reset = await fetch(`${sim.url}/_sim/stats/reset`, { method: 'POST' });
    expect(reset.status).toBe(204);
    expect(sim.stats().requests).toBe(0);
  });
});
