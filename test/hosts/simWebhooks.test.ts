import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Gitlab } from '@gitbeaker/rest';
import { Octokit } from '@octokit/rest';
import { verify } from '@octokit/webhooks-methods';
import { HostSimulator } from '../../src/hosts/index.js';
import { useTempDir } from '../support/gitRepo.js';
import { QUIET, buildSimRepos } from './simRepos.js';
import type { SimRepos } from './simRepos.js';
import { startWebhookReceiver } from './webhookReceiver.js';
import type { Delivery, WebhookReceiver } from './webhookReceiver.js';

const GITHUB_SECRET = 'hook-secret';
const GITLAB_SECRET = 'gitlab-token';

describe('webhooks for tags created through the simulator', () => {
  const dir = useTempDir('modelgate-sim-webhooks');
  let repos: SimRepos;
  let sim: HostSimulator;
  let receiver: WebhookReceiver;
  let deliveries: Delivery[] = [];

  beforeAll(async () => {
    repos = await buildSimRepos(dir.path);
    receiver = await startWebhookReceiver();
    deliveries = receiver.deliveries;
    const hooks = receiver.url;
    sim = await HostSimulator.start({
      reposDir: dir.path,
      tokens: { tok: { name: 'ada' } },
      webhooks: [
        { url: `${hooks}/github`, secret: GITHUB_SECRET, host: 'github' },
        { url: `${hooks}/gitlab`, secret: GITLAB_SECRET, host: 'gitlab' },
        { url: `${hooks}/refuse`, secret: 'x', host: 'gitlab', repos: ['acme/vision'] },
      ],
    });
  });
  beforeEach(() => {
    deliveries.length = 0;
    sim.resetStats();
  });
  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
  });

  it('delivers a signed GitHub create and push, and a GitLab Tag Push Hook, for a tag made through GitHub\'s git/tags + git/refs', async () => {
    const octokit = new Octokit({ baseUrl: sim.githubUrl, auth: 'tok', log: QUIET });
    const { data: tag } = await octokit.rest.git.createTag({ owner: 'acme', repo: 'churn', tag: 'churn@v3.0.0', message: 'v3', object: repos.churn.head, type: 'commit' });
    await octokit.rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/churn@v3.0.0', sha: tag.sha });
    await sim.flushWebhooks();

    const github = deliveries.filter((d) => d.path === '/github');
    expect(github.map((d) => d.headers['x-github-event'])).toEqual(['create', 'push']);
    for (const delivery of github) {
      expect(await verify(GITHUB_SECRET, delivery.body, delivery.headers['x-hub-signature-256'] as string)).toBe(true);
      expect(await verify('wrong-secret', delivery.body, delivery.headers['x-hub-signature-256'] as string)).toBe(false);
      expect(delivery.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const [create, push] = github.map((d) => JSON.parse(d.body) as Record<string, unknown>);
    expect(create).toMatchObject({ ref: 'churn@v3.0.0', ref_type: 'tag', master_branch: 'main', repository: { full_name: 'acme/churn' }, sender: { login: 'ada' } });
    expect(push).toMatchObject({ ref: 'refs/tags/churn@v3.0.0', before: '0'.repeat(40), after: tag.sha, created: true, deleted: false, commits: [], head_commit: { id: repos.churn.head } });

    const gitlab = deliveries.filter((d) => d.path === '/gitlab');
    expect(gitlab).toHaveLength(1);
    expect(gitlab[0]?.headers).toMatchObject({ 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-token': GITLAB_SECRET });
    expect(JSON.parse(gitlab[0]?.body ?? '{}')).toMatchObject({ object_kind: 'tag_push', ref: 'refs/tags/churn@v3.0.0', checkout_sha: repos.churn.head, after: tag.sha, project: { path_with_namespace: 'acme/churn' } });
    expect(deliveries.filter((d) => d.path === '/refuse')).toEqual([]);
    expect(sim.stats().webhooks).toMatchObject({ delivered: 3, failed: 0 });
  });

  it('delivers a Tag Push Hook (and nothing on GitHub for a three-level path) for a tag made through GitLab', async () => {
    await new Gitlab({ host: sim.url, token: 'tok' }).Tags.create('ml/vision/detector', 'det@v9.0.0', 'main', { message: 'nine' });
    await sim.flushWebhooks();
    expect(deliveries.map((d) => d.path)).toEqual(['/gitlab']);
    const payload = JSON.parse(deliveries[0]?.body ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({ object_kind: 'tag_push', event_name: 'tag_push', ref: 'refs/tags/det@v9.0.0', message: 'nine', user_username: 'ada', project: { path_with_namespace: 'ml/vision/detector' } });
  });

  it('records a refused delivery as failed, without retrying it', async () => {
    await new Gitlab({ host: sim.url, token: 'tok' }).Tags.create('acme/vision', 'vision@v1', 'main');
    await sim.flushWebhooks();
    expect(deliveries.filter((d) => d.path === '/refuse')).toHaveLength(1);
    const { webhooks } = sim.stats();
    expect(webhooks.failed).toBe(1);
    expect(webhooks.deliveries.find((d) => d.url.endsWith('/refuse'))).toMatchObject({ status: 500, event: 'Tag Push Hook', repository: 'acme/vision', ref: 'vision@v1' });
  });
});
