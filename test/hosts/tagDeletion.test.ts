import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Gitlab } from '@gitbeaker/rest';
import { Octokit } from '@octokit/rest';
import { verify } from '@octokit/webhooks-methods';
import { HostSimulator } from '../../src/hosts/index.js';
import { useTempDir } from '../support/gitRepo.js';
import { QUIET, buildSimRepos, gitIn } from './simRepos.js';
import type { SimRepos } from './simRepos.js';
import { startWebhookReceiver } from './webhookReceiver.js';
import type { Delivery, WebhookReceiver } from './webhookReceiver.js';

const GITHUB_SECRET = 'hook-secret';
const GITLAB_SECRET = 'gitlab-token';
const ZERO = '0'.repeat(40);

/** What a rejected Octokit or Gitbeaker call carries. */
interface Failure {
  status?: number;
  message: string;
  cause?: { response?: { status: number } };
}

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    return error as Failure;
  }
  throw new Error('expected the request to fail');
}

const payload = (delivery: Delivery | undefined): Record<string, unknown> => JSON.parse(delivery?.body ?? '{}') as Record<string, unknown>;

describe('deleting tags through the simulator (GitHub git/refs, GitLab repository/tags)', () => {
  const dir = useTempDir('modelgate-sim-delete');
  let repos: SimRepos;
  let sim: HostSimulator;
  let receiver: WebhookReceiver;
  const octokit = (auth = 'tok') => new Octokit({ baseUrl: sim.githubUrl, auth, log: QUIET });
  const gitlab = (token = 'tok') => new Gitlab({ host: sim.url, token });
  const tagsIn = async (gitDir: string) => (await gitIn(gitDir, ['tag', '-l'])).split('\n').filter((t) => t !== '');
  const sent = (path: string) => receiver.deliveries.filter((d) => d.path === path);

  beforeAll(async () => {
    repos = await buildSimRepos(dir.path);
    receiver = await startWebhookReceiver();
    sim = await HostSimulator.start({
      reposDir: dir.path,
      tokens: { tok: { name: 'ada' }, limited: { name: 'bob', repos: ['acme/vision', 'ml/*'] }, reader: { name: 'reader', readOnly: true } },
      webhooks: [
        { url: `${receiver.url}/github`, secret: GITHUB_SECRET, host: 'github' },
        { url: `${receiver.url}/gitlab`, secret: GITLAB_SECRET, host: 'gitlab' },
      ],
    });
  });
  beforeEach(() => {
    receiver.deliveries.length = 0;
  });
  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
  });

  it('removes an annotated tag from the git repository with octokit.rest.git.deleteRef (204), and the API stops showing it at once', async () => {
    const before = await octokit().rest.git.getRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn@v1.0.0' });
    expect(before.data.object.sha).toBe(repos.churn.v1Tag);

    const response = await octokit().rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn@v1.0.0' });

    expect(response.status).toBe(204);
    expect(await tagsIn(repos.churn.gitDir)).toEqual(['churn#prod#1', 'light']);
    expect((await failure(octokit().rest.git.getRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn@v1.0.0' }))).status).toBe(404);
    const { data: left } = await octokit().rest.git.listMatchingRefs({ owner: 'acme', repo: 'churn', ref: 'tags/' });
    expect(left.map((r) => r.ref)).toEqual(['refs/tags/churn#prod#1', 'refs/tags/light']);
  });

  it('delivers a signed GitHub delete and push (before the old tag object, after zeros) and a GitLab Tag Push Hook for a tag deleted through GitHub', async () => {
    await gitIn(repos.churn.gitDir, ['tag', '-a', '-m', 'Deprecate', 'churn@deprecated', repos.churn.head]);
    const old = await gitIn(repos.churn.gitDir, ['rev-parse', 'refs/tags/churn@deprecated']);

    await octokit().rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn@deprecated' });
    await sim.flushWebhooks();

    const github = sent('/github');
    expect(github.map((d) => d.headers['x-github-event'])).toEqual(['delete', 'push']);
    for (const delivery of github) {
      expect(await verify(GITHUB_SECRET, delivery.body, delivery.headers['x-hub-signature-256'] as string)).toBe(true);
      expect(await verify('wrong-secret', delivery.body, delivery.headers['x-hub-signature-256'] as string)).toBe(false);
      expect(delivery.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const [deleted, push] = github.map(payload);
    expect(deleted).toEqual({
      ref: 'churn@deprecated',
      ref_type: 'tag',
      pusher_type: 'user',
      repository: expect.objectContaining({ full_name: 'acme/churn', default_branch: 'main' }),
      organization: expect.objectContaining({ login: 'acme' }),
      sender: expect.objectContaining({ login: 'ada', type: 'User' }),
    });
    expect(push).toMatchObject({
      ref: 'refs/tags/churn@deprecated',
      before: old,
      after: ZERO,
      created: false,
      deleted: true,
      forced: false,
      base_ref: null,
      commits: [],
      head_commit: null,
      pusher: { name: 'ada' },
      repository: { full_name: 'acme/churn', master_branch: 'main' },
      organization: { login: 'acme' },
      sender: { login: 'ada' },
    });
    expect(push?.compare).toMatch(new RegExp(`/acme/churn/compare/${old.slice(0, 12)}\\.\\.\\.0{12}$`));

    const hook = sent('/gitlab');
    expect(hook).toHaveLength(1);
    expect(hook[0]?.headers).toMatchObject({ 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-token': GITLAB_SECRET });
    expect(payload(hook[0])).toMatchObject({ object_kind: 'tag_push', ref: 'refs/tags/churn@deprecated', before: old, after: ZERO, checkout_sha: null, commits: [], total_commits_count: 0 });
  });

  it('removes a tag with Gitbeaker\'s Tags.remove (204) and delivers a Tag Push Hook with checkout_sha null and after all zeros', async () => {
    const detector = repos.detector;
    await gitlab().Tags.remove('ml/vision/detector', 'det@v1.0.0');
    await sim.flushWebhooks();

    expect(await tagsIn(detector.gitDir)).toEqual(['det-light']);
    const hook = sent('/gitlab');
    expect(hook).toHaveLength(1);
    expect(hook[0]?.headers).toMatchObject({ 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-token': GITLAB_SECRET, 'content-type': 'application/json' });
    expect(payload(hook[0])).toMatchObject({
      object_kind: 'tag_push',
      event_name: 'tag_push',
      before: detector.v1Tag,
      after: ZERO,
      ref: 'refs/tags/det@v1.0.0',
      checkout_sha: null,
      message: null,
      user_username: 'ada',
      project_id: expect.any(Number),
      project: { path_with_namespace: 'ml/vision/detector', default_branch: 'main' },
      commits: [],
      total_commits_count: 0,
    });
    // GitHub has no three-level repositories: nothing goes to the GitHub hook.
    expect(sent('/github')).toEqual([]);
  });

  it('delivers the GitHub delete and push for a lightweight tag deleted through GitLab (before is the commit)', async () => {
    await gitlab().Tags.remove('acme/churn', 'light');
    await sim.flushWebhooks();

    const github = sent('/github');
    expect(github.map((d) => d.headers['x-github-event'])).toEqual(['delete', 'push']);
    expect(payload(github[1])).toMatchObject({ ref: 'refs/tags/light', before: repos.churn.first, after: ZERO, deleted: true });
    expect(await tagsIn(repos.churn.gitDir)).not.toContain('light');
  });

  it('answers GitHub\'s 422 "Reference does not exist" for a missing tag, and GitLab\'s 404 "Tag Not Found", sending no webhook', async () => {
    const github = await failure(octokit().rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'tags/nope@v9' }));
    expect(github.status).toBe(422);
    expect(github.message).toMatch(/^Reference does not exist/);

    const response = await fetch(`${sim.gitlabUrl}/projects/acme%2Fchurn/repository/tags/nope%40v9`, { method: 'DELETE', headers: { 'private-token': 'tok' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: '404 Tag Not Found' });
    await sim.flushWebhooks();
    expect(receiver.deliveries).toEqual([]);
  });

  it('deletes nothing without a token (401), in a repository the token cannot see (404) or with a read-only token (403)', async () => {
    const anonymous = await fetch(`${sim.githubUrl}/repos/acme/churn/git/refs/tags%2Fchurn%23prod%231`, { method: 'DELETE' });
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${sim.gitlabUrl}/projects/acme%2Fchurn/repository/tags/churn%23prod%231`, { method: 'DELETE' })).status).toBe(401);

    expect((await failure(octokit('limited').rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn#prod#1' }))).status).toBe(404);
    const hidden = await failure(gitlab('limited').Tags.remove('acme/churn', 'churn#prod#1'));
    expect(hidden.cause?.response?.status).toBe(404);
    expect(hidden.message).toBe('404 Project Not Found');

    expect((await failure(octokit('reader').rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn#prod#1' }))).status).toBe(403);
    expect((await failure(gitlab('reader').Tags.remove('acme/churn', 'churn#prod#1'))).cause?.response?.status).toBe(403);

    expect(await tagsIn(repos.churn.gitDir)).toContain('churn#prod#1');
    await sim.flushWebhooks();
    expect(receiver.deliveries).toEqual([]);
  });

  it('deletes a branch through GitHub but refuses the default branch (422) and names that climb out of refs/tags', async () => {
    await gitIn(repos.churn.gitDir, ['branch', 'feature', repos.churn.first]);
    expect((await octokit().rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'heads/feature' })).status).toBe(204);
    expect(await gitIn(repos.churn.gitDir, ['branch', '--list', 'feature'])).toBe('');

    const main = await failure(octokit().rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'heads/main' }));
    expect(main.status).toBe(422);
    expect(main.message).toMatch(/^Cannot delete the default branch/);
    expect((await failure(octokit().rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'tags/../heads/main' }))).status).toBe(422);
    const escape = await fetch(`${sim.gitlabUrl}/projects/acme%2Fchurn/repository/tags/..%2Fheads%2Fmain`, { method: 'DELETE', headers: { 'private-token': 'tok' } });
    expect(escape.status).toBe(404);

    expect(await gitIn(repos.churn.gitDir, ['rev-parse', 'refs/heads/main'])).toBe(repos.churn.head);
    await sim.flushWebhooks();
    expect(receiver.deliveries).toEqual([]);
  });
});
