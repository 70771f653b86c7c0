import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import { HostSimulator } from '../../src/hosts/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { QUIET, buildSimRepos, enc } from './simRepos.js';
import type { SimRepos } from './simRepos.js';

describe('the host simulator as one server', () => {
  const dir = useTempDir('modelgate-sim-server');
  let repos: SimRepos;
  let sim: HostSimulator;
  let open: HostSimulator;

  beforeAll(async () => {
    repos = await buildSimRepos(dir.path);
    await createRepo(dir.path, 'solo/void');
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { tok: { name: 'ada', repos: ['acme/churn'] } } });
    open = await HostSimulator.start({ reposDir: dir.path });
  });
  afterAll(async () => {
    await sim?.close();
    await open?.close();
  });

  it('serves GitHub GraphQL at /api/graphql behind the same tokens and counters', async () => {
    sim.resetStats();
    const octokit = new Octokit({ baseUrl: sim.githubUrl, auth: 'tok', log: QUIET });
    const result = await octokit.graphql<{ a: { defaultBranchRef: { target: { oid: string } } }; b: null }>(
      `query { a: repository(owner: "acme", name: "churn") { defaultBranchRef { target { oid } } } b: repository(owner: "acme", name: "vision") { name } }`,
    ).catch((error: { data?: unknown }) => error.data as { a: { defaultBranchRef: { target: { oid: string } } }; b: null });
    expect(result.a.defaultBranchRef.target.oid).toBe(repos.churn.head);
    expect(result.b).toBeNull();
    const stats = sim.stats();
    expect(stats.byEndpoint['POST /graphql']).toEqual({ requests: 1, notModified: 0 });
    expect(stats.byRepository['acme/churn']?.requests).toBe(1);
    const anonymous = await fetch(sim.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { login } }"}' });
    expect(anonymous.status).toBe(401);
    const plain = await fetch(`${sim.url}/graphql`, { method: 'POST', headers: { authorization: 'bearer tok', 'content-type': 'application/json' }, body: '{"query":"{ rateLimit { limit } }"}' });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({ data: { rateLimit: { limit: 5000 } } });
    sim.setFaults([{ match: { path: '/graphql' }, kind: '502', times: 1 }]);
    const faulted = await fetch(sim.graphqlUrl, { method: 'POST', headers: { authorization: 'bearer tok', 'content-type': 'application/json' }, body: '{"query":"{ rateLimit { limit } }"}' });
    expect(faulted.status).toBe(502);
  });

  it('lets anyone in when no tokens are configured, still with rate-limit headers', async () => {
    const octokit = new Octokit({ baseUrl: open.githubUrl, log: QUIET });
    const { data, headers } = await octokit.rest.repos.get({ owner: 'acme', repo: 'secret' });
    expect(data).toMatchObject({ full_name: 'acme/secret', private: false, visibility: 'public' });
    expect(data.permissions).toBeUndefined();
    expect(headers['x-ratelimit-limit']).toBe('5000');
    const gitlab = await fetch(`${open.gitlabUrl}/projects/${enc('ml/top')}`);
    expect(gitlab.status).toBe(200);
    expect(gitlab.headers.get('ratelimit-name')).toBe('throttle_unauthenticated_api');
    expect(await gitlab.json()).toMatchObject({ visibility: 'public', permissions: { project_access: null } });
  });

  it('answers HEAD on a GitLab file with the X-Gitlab-* headers and no body', async () => {
    const response = await fetch(`${open.gitlabUrl}/projects/${enc('acme/churn')}/repository/files/${enc('models/dvc.yaml')}?ref=${enc('churn@v1.0.0')}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gitlab-commit-id')).toBe(repos.churn.first);
    expect(response.headers.get('x-gitlab-file-path')).toBe(enc('models/dvc.yaml'));
    expect(response.headers.get('x-gitlab-blob-id')).toMatch(/^[0-9a-f]{40}$/);
    expect(await response.text()).toBe('');
  });

  it('answers unknown paths in each host\'s own 404 shape', async () => {
    const github = await fetch(`${open.githubUrl}/nowhere`);
    expect(github.status).toBe(404);
    expect(await github.json()).toMatchObject({ message: 'Not Found', status: '404' });
    const gitlab = await fetch(`${open.gitlabUrl}/nowhere`);
    expect(await gitlab.json()).toEqual({ error: '404 Not Found' });
    const root = (await (await fetch(open.url)).json()) as Record<string, string>;
    expect(root).toMatchObject({ github: open.githubUrl, graphql: open.graphqlUrl, gitlab: open.gitlabUrl });
  });

  it('accepts both %2F-encoded and literal slashes in GitHub paths, and # and @ encoded in refs', async () => {
    const encoded = await fetch(`${open.githubUrl}/repos/acme/churn/contents/${enc('models/dvc.yaml')}?ref=${enc('churn#prod#1')}`);
    const literal = await fetch(`${open.githubUrl}/repos/acme/churn/contents/models/dvc.yaml?ref=${enc('churn#prod#1')}`);
    expect(encoded.status).toBe(200);
    expect(await encoded.json()).toEqual(await literal.json());
    const ref = await fetch(`${open.githubUrl}/repos/acme/churn/git/ref/${enc('tags/churn#prod#1')}`);
    expect(await ref.json()).toMatchObject({ ref: 'refs/tags/churn#prod#1', object: { sha: repos.churn.prodTag } });
  });

  it('answers an empty repository as each host does: GitHub 409 for trees and commits, GitLab empty_repo and 404 Tree Not Found', async () => {
    const tree = await fetch(`${open.githubUrl}/repos/solo/void/git/trees/main?recursive=1`);
    expect(tree.status).toBe(409);
    expect(await tree.json()).toMatchObject({ message: 'Git Repository is empty.' });
    expect((await fetch(`${open.githubUrl}/repos/solo/void/commits/main`)).status).toBe(409);
    const repo = await new Octokit({ baseUrl: open.githubUrl, log: QUIET }).rest.repos.get({ owner: 'solo', repo: 'void' });
    expect(repo.data.default_branch).toBe('main');
    const project = await fetch(`${open.gitlabUrl}/projects/${enc('solo/void')}`);
    expect(await project.json()).toMatchObject({ empty_repo: true, default_branch: null });
    const gitlabTree = await fetch(`${open.gitlabUrl}/projects/${enc('ml/empty')}/repository/tree`);
    expect(gitlabTree.status).toBe(404);
    expect(await gitlabTree.json()).toEqual({ message: '404 Tree Not Found' });
  });

  it('serves only two-level paths on GitHub; deeper ones exist on GitLab alone', async () => {
    const response = await fetch(`${open.githubUrl}/repos/ml/vision`);
    expect(response.status).toBe(404);
    const listing = (await (await fetch(`${open.githubUrl}/users/ml/repos`)).json()) as { full_name: string }[];
    expect(listing.map((r) => r.full_name)).toEqual(['ml/empty', 'ml/top']);
  });

  it('answers a spent GitHub budget with 429 when configured so, and refills it when the window ends', async () => {
    const short = await HostSimulator.start({ reposDir: dir.path, tokens: { t: { budget: 1 } }, rateLimitStatus: 429, rateLimitWindowSeconds: 1 });
    try {
      const get = () => fetch(`${short.githubUrl}/repos/acme/churn`, { headers: { authorization: 'token t' } });
      expect((await get()).status).toBe(200);
      const spent = await get();
      expect(spent.status).toBe(429);
      expect(spent.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(((await spent.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
      const reset = Number(spent.headers.get('x-ratelimit-reset'));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, reset * 1000 - Date.now()) + 50));
      const again = await get();
      expect(again.status).toBe(200);
      expect(again.headers.get('x-ratelimit-used')).toBe('1');
    } finally {
      await short.close();
    }
  });
});
