import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Gitlab } from '@gitbeaker/rest';
import { Octokit } from '@octokit/rest';
import { sign } from '@octokit/webhooks-methods';
import express from 'express';
import { Redis } from 'ioredis';
import type { Router } from 'express';
import type { GithubSourceConfig, GitlabSourceConfig, SourceConfig } from '../../src/config.js';
import { HostSimulator } from '../../src/hosts/index.js';
import { InMemoryRegistryStore, RedisDeliveryLog } from '../../src/store/index.js';
import { createServer, createWebhookRouter } from '../../src/transport/index.js';
import type { RunningServer, WebhookAnswer, WebhookRouterOptions } from '../../src/transport/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { keysUnder, useTestRedis } from '../support/redis.js';

const GITHUB_SECRET = 'gh-hook-secret-7f3a';
const GITLAB_SECRET = 'gl-token-2c9e';
const ZERO = '0'.repeat(40);
const SHA = (n: number) => n.toString(16).padStart(40, 'a');
const QUIET = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A client of a port nothing listens on: each command fails at once, and it never reconnects. Disconnect it after use. */
function unreachableRedis(): Redis {
  return new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
}

interface Reply {
  status: number;
  answer: WebhookAnswer;
}

describe('POST /webhooks/github and /webhooks/gitlab', () => {
  const dir = useTempDir('modelgate-webhooks');
  const redis = useTestRedis('webhooks');
  let sim: HostSimulator;
  let server: RunningServer;
  let churnHead = '';
  /** The refreshes queued, in order: the recording `enqueue`. */
  const enqueued: string[] = [];
  const logged: string[] = [];
  /** The router the server runs now: each test starts with a fresh one (and a fresh delivery log). */
  let router: Router | undefined;

  const github = (): GithubSourceConfig => ({ kind: 'github', name: 'github', url: sim.githubUrl, repos: [], orgs: ['acme'], webhookSecret: GITHUB_SECRET });
  const gitlab = (): GitlabSourceConfig => ({ kind: 'gitlab', name: 'gitlab', url: sim.url, projects: ['solo/project'], groups: ['ml'], webhookSecret: GITLAB_SECRET });
  const use = (options: Partial<WebhookRouterOptions> & { sources?: SourceConfig[] } = {}): Router => {
    router = createWebhookRouter({
      sources: [github(), gitlab()],
      enqueue: async (ref) => {
        enqueued.push(ref);
      },
      log: { info: (line) => logged.push(line), error: (line) => logged.push(line) },
      ...options,
    });
    return router;
  };

  const post = async (path: string, headers: Record<string, string>, body: string): Promise<Reply> => {
    const response = await fetch(`${server.url}/webhooks/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, answer: (await response.json()) as WebhookAnswer };
  };
  /** A GitHub delivery signed with `secret` (GITHUB_SECRET unless given; `null`: unsigned). */
  const toGithub = async (event: string, payload: unknown, options: { secret?: string | null; delivery?: string; path?: string } = {}): Promise<Reply> => {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = { 'x-github-event': event, 'x-github-delivery': options.delivery ?? randomUUID() };
    if (options.secret !== null) headers['x-hub-signature-256'] = await sign(options.secret ?? GITHUB_SECRET, body);
    return post(options.path ?? 'github', headers, body);
  };
  /** A GitLab delivery with `X-Gitlab-Token: token` (GITLAB_SECRET unless given; `null`: none). */
  const toGitlab = (event: string, payload: unknown, options: { token?: string | null; idempotencyKey?: string } = {}): Promise<Reply> => {
    const headers: Record<string, string> = { 'x-gitlab-event': event, 'x-gitlab-event-uuid': randomUUID() };
    if (options.token !== null) headers['x-gitlab-token'] = options.token ?? GITLAB_SECRET;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    return post('gitlab', headers, JSON.stringify(payload));
  };
  const repository = (fullName: string, web = sim.url) => ({ id: 1, full_name: fullName, html_url: `${web}/${fullName}` });
  const branchPush = (fullName: string, before: string, after: string, web?: string) => ({
    ref: 'refs/heads/main',
    before,
    after,
    created: false,
    deleted: false,
    repository: repository(fullName, web),
  });
  const project = (path: string, web = sim.url) => ({ path_with_namespace: path, web_url: `${web}/${path}` });
  const tagPush = (path: string, tag: string) => ({ object_kind: 'tag_push', event_name: 'tag_push', ref: `refs/tags/${tag}`, before: ZERO, after: SHA(7), project: project(path) });

  beforeAll(async () => {
    const churn = await createRepo(dir.path, 'acme/churn');
    await churn.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n' });
    churnHead = await churn.commit('Churn model', { date: '2025-01-10T09:00:00Z' });
    const detector = await createRepo(dir.path, 'ml/vision/detector', { bare: true });
    await detector.write({ 'dvc.yaml': 'artifacts:\n  det:\n    path: det.pt\n' });
    await detector.commit('Detector', { date: '2025-03-01T10:00:00Z' });
    await detector.close();

    // The server exists before the simulator (whose hooks post to it), the router after it (its sources name the simulator).
    const mount = express.Router();
    mount.use((req, res, next) => (router ? router(req, res, next) : next()));
    server = await createServer({ store: InMemoryRegistryStore.create(), port: 0, webhooks: mount, log: () => undefined });
    sim = await HostSimulator.start({
      reposDir: dir.path,
      tokens: { tok: { name: 'ada' } },
      webhooks: [
        { url: `${server.url}/webhooks/github`, secret: GITHUB_SECRET, host: 'github', repos: ['acme/churn'] },
        { url: `${server.url}/webhooks/gitlab`, secret: GITLAB_SECRET, host: 'gitlab', repos: ['ml/vision/detector'] },
      ],
    });
  });
  beforeEach(() => {
    enqueued.length = 0;
    logged.length = 0;
    sim.resetStats();
    use();
  });
  afterAll(async () => {
    await sim?.close();
    await server?.close();
  });

  describe('deliveries the simulator sends', () => {
    const octokit = () => new Octokit({ baseUrl: sim.githubUrl, auth: 'tok', log: QUIET });

    it('queues exactly one refresh of github:acme/churn for a tag created through the GitHub API (its create and push deliveries are one change)', async () => {
      const { data: tag } = await octokit().rest.git.createTag({ owner: 'acme', repo: 'churn', tag: 'churn@v1.0.0', message: 'v1', object: churnHead, type: 'commit' });
      await octokit().rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/churn@v1.0.0', sha: tag.sha });
      await sim.flushWebhooks();

      const sent = sim.stats().webhooks.deliveries;
      expect(sent.map((d) => [d.event, d.status])).toEqual([
        ['create', 202],
        ['push', 202],
      ]);
      expect(enqueued).toEqual(['github:acme/churn']);
    });

    it('queues exactly one refresh for a tag deleted through the GitHub API (delete and push)', async () => {
      const { data: tag } = await octokit().rest.git.createTag({ owner: 'acme', repo: 'churn', tag: 'churn#prod#1', message: 'promote', object: churnHead, type: 'commit' });
      await octokit().rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/churn#prod#1', sha: tag.sha });
      await sim.flushWebhooks();
      enqueued.length = 0;
      sim.resetStats();

      await octokit().rest.git.deleteRef({ owner: 'acme', repo: 'churn', ref: 'tags/churn#prod#1' });
      await sim.flushWebhooks();

      expect(sim.stats().webhooks.deliveries.map((d) => [d.event, d.status])).toEqual([
        ['delete', 202],
        ['push', 202],
      ]);
      expect(enqueued).toEqual(['github:acme/churn']);
    });

    it('queues one refresh per tag when two tags are created one after the other', async () => {
      for (const name of ['churn@v2.0.0', 'churn@v2.1.0']) {
        const { data: tag } = await octokit().rest.git.createTag({ owner: 'acme', repo: 'churn', tag: name, message: name, object: churnHead, type: 'commit' });
        await octokit().rest.git.createRef({ owner: 'acme', repo: 'churn', ref: `refs/tags/${name}`, sha: tag.sha });
      }
      await sim.flushWebhooks();
      expect(enqueued).toEqual(['github:acme/churn', 'github:acme/churn']);
    });

    it('queues one refresh of gitlab:ml/vision/detector for the Tag Push Hook of a tag created through the GitLab API', async () => {
      await new Gitlab({ host: sim.url, token: 'tok' }).Tags.create('ml/vision/detector', 'det@v1.0.0', 'main', { message: 'Detector v1' });
      await sim.flushWebhooks();

      expect(sim.stats().webhooks.deliveries.map((d) => [d.event, d.status])).toEqual([['Tag Push Hook', 202]]);
      expect(enqueued).toEqual(['gitlab:ml/vision/detector']);
    });

    it('refuses the simulator\'s deliveries with 401 when the sources hold other secrets, and queues nothing', async () => {
      use({ sources: [{ ...github(), webhookSecret: 'rotated' }, { ...gitlab(), webhookSecret: 'rotated-too' }] });
      const { data: tag } = await octokit().rest.git.createTag({ owner: 'acme', repo: 'churn', tag: 'churn@v3.0.0', message: 'v3', object: churnHead, type: 'commit' });
      await octokit().rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/churn@v3.0.0', sha: tag.sha });
      await new Gitlab({ host: sim.url, token: 'tok' }).Tags.create('ml/vision/detector', 'det@v3.0.0', 'main', { message: 'three' });
      await sim.flushWebhooks();

      expect(sim.stats().webhooks.deliveries.map((d) => d.status)).toEqual([401, 401, 401]);
      expect(enqueued).toEqual([]);
    });
  });

  describe('GitHub', () => {
    it('answers 401 to a delivery signed with another secret, and queues nothing', async () => {
      const reply = await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2)), { secret: 'forged' });
      expect(reply.status).toBe(401);
      expect(reply.answer).toMatchObject({ status: 'refused', message: expect.stringContaining('X-Hub-Signature-256 does not match') });
      expect(enqueued).toEqual([]);
    });

    it('answers 401 to an unsigned delivery, and to a body changed after signing', async () => {
      expect((await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2)), { secret: null })).status).toBe(401);
      const body = JSON.stringify(branchPush('acme/churn', SHA(1), SHA(2)));
      const signature = await sign(GITHUB_SECRET, body);
      const changed = await post('github', { 'x-github-event': 'push', 'x-hub-signature-256': signature }, body.replace(SHA(2), SHA(3)));
      expect(changed.status).toBe(401);
      expect(enqueued).toEqual([]);
    });

    it('refuses every delivery with 401 and says to configure webhookSecret when the source has none', async () => {
      use({ sources: [{ ...github(), webhookSecret: undefined }] });
      const signed = await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2)));
      const unsigned = await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2)), { secret: null });
      for (const reply of [signed, unsigned]) {
        expect(reply.status).toBe(401);
        expect(reply.answer.message).toMatch(/github source\(s\) github have no webhookSecret.*set webhookSecret/);
      }
      expect(enqueued).toEqual([]);
    });

    it('answers 400 saying so to a signed body that is not JSON', async () => {
      const reply = await toGithub('push', 'payload=%7B%7D');
      expect(reply.status).toBe(400);
      expect(reply.answer).toMatchObject({ status: 'invalid', message: expect.stringMatching(/not JSON.*application\/json/) });
      expect(enqueued).toEqual([]);
    });

    it('answers 400 naming repository.full_name, repository.html_url or ref when the signed payload lacks it', async () => {
      const noName = await toGithub('push', { ref: 'refs/heads/main', repository: { html_url: `${sim.url}/acme/churn` } });
      const noUrl = await toGithub('create', { ref: 'v1', ref_type: 'tag', repository: { full_name: 'acme/churn' } });
      const noRef = await toGithub('push', { repository: repository('acme/churn') });
      expect([noName, noUrl, noRef].map((r) => r.status)).toEqual([400, 400, 400]);
      expect(noName.answer.message).toContain('repository.full_name');
      expect(noUrl.answer.message).toContain('repository.html_url');
      expect(noRef.answer.message).toContain('no ref');
      expect(enqueued).toEqual([]);
    });

    it('answers ping with 200 and queues nothing', async () => {
      const reply = await toGithub('ping', { zen: 'Keep it logically awesome.', hook_id: 1, repository: repository('acme/churn') });
      expect(reply).toEqual({ status: 200, answer: { status: 'pong', message: expect.stringContaining('github source(s) github') } });
      expect(enqueued).toEqual([]);
    });

    it('ignores an event it does not act on with 202, saying so', async () => {
      const reply = await toGithub('issues', { action: 'opened', repository: repository('acme/churn') });
      expect(reply.status).toBe(202);
      expect(reply.answer).toMatchObject({ status: 'ignored', message: expect.stringContaining('"issues" is ignored') });
      expect(enqueued).toEqual([]);
    });

    it('queues a refresh for a branch push (a moved branch changes the repository\'s head), and another for the next move', async () => {
      const first = await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2)));
      const second = await toGithub('push', branchPush('acme/churn', SHA(2), SHA(3)));
      expect(first).toEqual({ status: 202, answer: { status: 'queued', message: 'Queued a refresh of github:acme/churn.', repositories: ['github:acme/churn'] } });
      expect(second.answer.status).toBe('queued');
      expect(enqueued).toEqual(['github:acme/churn', 'github:acme/churn']);
    });

    it('ignores a second delivery with the same X-GitHub-Delivery (202 duplicate), even with another payload', async () => {
      const delivery = randomUUID();
      const first = await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2)), { delivery });
      const again = await toGithub('push', branchPush('acme/churn', SHA(2), SHA(3)), { delivery });
      expect(first.answer.status).toBe('queued');
      expect(again).toEqual({ status: 202, answer: { status: 'duplicate', message: `Delivery ${delivery} was received before; nothing more is queued.` } });
      expect(enqueued).toEqual(['github:acme/churn']);
    });

    it('queues a refresh for any repository of a configured org, listed by the host or not (membership is not checked)', async () => {
      const reply = await toGithub('create', { ref: 'main', ref_type: 'branch', repository: repository('acme/brand-new') });
      expect(reply.answer).toMatchObject({ status: 'queued', repositories: ['github:acme/brand-new'] });
      expect(enqueued).toEqual(['github:acme/brand-new']);
    });

    it('ignores a repository the gateway does not index (202 not indexed): another owner, or another host', async () => {
      const otherOwner = await toGithub('push', branchPush('someone/else', SHA(1), SHA(2)));
      const otherHost = await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2), 'https://github.com'));
      for (const reply of [otherOwner, otherHost]) {
        expect(reply.status).toBe(202);
        expect(reply.answer).toMatchObject({ status: 'ignored', message: expect.stringContaining('is not indexed') });
      }
      expect(enqueued).toEqual([]);
    });

    it('maps github.com repositories to a source on api.github.com, by its configured repos, case aside', async () => {
      use({ sources: [{ kind: 'github', name: 'gh', url: 'https://api.github.com', repos: ['Iterative/Example-GTO'], orgs: [], webhookSecret: GITHUB_SECRET }] });
      const reply = await toGithub('push', branchPush('iterative/example-gto', SHA(1), SHA(2), 'https://github.com'));
      expect(reply.answer).toMatchObject({ status: 'queued', repositories: ['gh:iterative/example-gto'] });
    });

    it('gives a delivery to the source whose secret signed it when two sources share a host', async () => {
      use({
        sources: [
          { kind: 'github', name: 'alpha', url: sim.githubUrl, repos: [], orgs: ['acme', 'beta'], webhookSecret: 'alpha-secret' },
          { kind: 'github', name: 'beta', url: sim.githubUrl, repos: [], orgs: ['acme', 'beta'], webhookSecret: 'beta-secret' },
        ],
      });
      const reply = await toGithub('push', branchPush('beta/model', SHA(1), SHA(2)), { secret: 'beta-secret' });
      expect(reply.answer).toMatchObject({ status: 'queued', repositories: ['beta:beta/model'] });
      expect(enqueued).toEqual(['beta:beta/model']);
    });

    it('answers 413 to a body over 5 MB, and queues nothing', async () => {
      const body = JSON.stringify({ ...branchPush('acme/churn', SHA(1), SHA(2)), padding: 'x'.repeat(5 * 1024 * 1024) });
      const reply = await post('github', { 'x-github-event': 'push', 'x-hub-signature-256': await sign(GITHUB_SECRET, body) }, body);
      expect(reply.status).toBe(413);
      expect(reply.answer.status).toBe('too large');
      expect(enqueued).toEqual([]);
    });

    it('answers 503 when the refresh cannot be queued, and queues the same delivery when it comes again', async () => {
      let failures = 1;
      use({
        enqueue: async (ref) => {
          if (failures-- > 0) throw new Error('Redis is away');
          enqueued.push(ref);
        },
      });
      const delivery = randomUUID();
      const payload = branchPush('acme/churn', SHA(1), SHA(2));
      const failed = await toGithub('push', payload, { delivery });
      const redelivered = await toGithub('push', payload, { delivery });
      expect(failed.status).toBe(503);
      expect(failed.answer.message).toContain('redeliver');
      expect(redelivered.answer.status).toBe('queued');
      expect(enqueued).toEqual(['github:acme/churn']);
    });

    it('logs each delivery by event and id, never with the secret, the signature or the token', async () => {
      const delivery = randomUUID();
      const body = JSON.stringify(branchPush('acme/churn', SHA(1), SHA(2)));
      const signature = await sign(GITHUB_SECRET, body);
      await post('github', { 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': signature }, body);
      await toGitlab('Tag Push Hook', tagPush('ml/vision/detector', 'det@v5'));
      await toGitlab('Tag Push Hook', tagPush('ml/vision/detector', 'det@v6'), { token: `${GITLAB_SECRET}-guess` });

      expect(logged).toHaveLength(3);
      expect(logged[0]).toContain(`webhook github push ${delivery} → 202 queued`);
      expect(logged[2]).toContain('→ 401 refused');
      for (const line of logged) {
        for (const secret of [GITHUB_SECRET, GITLAB_SECRET, signature]) expect(line).not.toContain(secret);
      }
    });
  });

  describe('GitLab', () => {
    it('answers 401 to a wrong X-Gitlab-Token of the same length, of another length, or none, and queues nothing', async () => {
      const sameLength = GITLAB_SECRET.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
      const replies = [
        await toGitlab('Tag Push Hook', tagPush('ml/vision/detector', 'det@v7'), { token: sameLength }),
        await toGitlab('Tag Push Hook', tagPush('ml/vision/detector', 'det@v7'), { token: 'short' }),
        await toGitlab('Tag Push Hook', tagPush('ml/vision/detector', 'det@v7'), { token: null }),
      ];
      expect(replies.map((r) => [r.status, r.answer.status])).toEqual([
        [401, 'refused'],
        [401, 'refused'],
        [401, 'refused'],
      ]);
      expect(enqueued).toEqual([]);
    });

    it('queues a refresh for a Push Hook (a branch push) of a project in a subgroup of a configured group', async () => {
      const reply = await toGitlab('Push Hook', { object_kind: 'push', ref: 'refs/heads/main', before: SHA(1), after: SHA(2), project: project('ml/vision/detector') });
      expect(reply).toEqual({ status: 202, answer: { status: 'queued', message: 'Queued a refresh of gitlab:ml/vision/detector.', repositories: ['gitlab:ml/vision/detector'] } });
      expect(enqueued).toEqual(['gitlab:ml/vision/detector']);
    });

    it('queues a refresh for System Hook tag_push and repository_update events, and ignores other system events', async () => {
      const tag = await toGitlab('System Hook', tagPush('solo/project', 'm@v1'));
      const update = await toGitlab('System Hook', {
        event_name: 'repository_update',
        project: project('ml/top'),
        changes: [{ ref: 'refs/tags/a@v1', before: ZERO, after: SHA(4) }],
        refs: ['refs/tags/a@v1'],
      });
      const created = await toGitlab('System Hook', { event_name: 'project_create', path_with_namespace: 'ml/new' });
      expect([tag, update].map((r) => r.answer.repositories)).toEqual([['gitlab:solo/project'], ['gitlab:ml/top']]);
      expect(created.answer).toMatchObject({ status: 'ignored', message: expect.stringContaining('"project_create" is ignored') });
      expect(enqueued).toEqual(['gitlab:solo/project', 'gitlab:ml/top']);
    });

    it('queues one refresh when a project hook and a system hook report the same tag push', async () => {
      const project = await toGitlab('Tag Push Hook', tagPush('ml/vision/detector', 'det@v8'));
      const system = await toGitlab('System Hook', tagPush('ml/vision/detector', 'det@v8'));
      expect([project.answer.status, system.answer.status]).toEqual(['queued', 'duplicate']);
      expect(enqueued).toEqual(['gitlab:ml/vision/detector']);
    });

    it('ignores a second delivery with the same Idempotency-Key (202 duplicate)', async () => {
      const key = randomUUID();
      const first = await toGitlab('Push Hook', { ref: 'refs/heads/main', before: SHA(1), after: SHA(2), project: project('ml/top') }, { idempotencyKey: key });
      const retry = await toGitlab('Push Hook', { ref: 'refs/heads/main', before: SHA(2), after: SHA(3), project: project('ml/top') }, { idempotencyKey: key });
      expect([first.answer.status, retry.answer.status]).toEqual(['queued', 'duplicate']);
      expect(enqueued).toEqual(['gitlab:ml/top']);
    });

    it('ignores a project outside the configured groups and projects, even one whose path starts like a group', async () => {
      const reply = await toGitlab('Tag Push Hook', tagPush('mlops/tools', 'x@v1'));
      expect(reply.answer).toMatchObject({ status: 'ignored', message: expect.stringContaining('mlops/tools is not indexed') });
      expect(enqueued).toEqual([]);
    });

    it('answers 400 naming project.path_with_namespace when the payload lacks it', async () => {
      const reply = await toGitlab('Tag Push Hook', { object_kind: 'tag_push', ref: 'refs/tags/x@v1', project: { web_url: `${sim.url}/ml/top` } });
      expect(reply.status).toBe(400);
      expect(reply.answer.message).toContain('project.path_with_namespace');
      expect(enqueued).toEqual([]);
    });

    it('refuses every delivery with 401 and says to configure webhookSecret when the source has none', async () => {
      use({ sources: [{ ...gitlab(), webhookSecret: undefined }] });
      const reply = await toGitlab('Tag Push Hook', tagPush('ml/vision/detector', 'det@v9'));
      expect(reply.status).toBe(401);
      expect(reply.answer.message).toMatch(/have no webhookSecret.*set webhookSecret/);
      expect(enqueued).toEqual([]);
    });
  });

  describe('two gateway instances on one Redis (RedisDeliveryLog)', () => {
    /** Two routers, as two instances would run, under /webhooks/a and /webhooks/b, sharing one Redis prefix. */
    const twoInstances = (prefix: string) => {
      const both = express.Router();
      both.use('/a', use({ deliveries: RedisDeliveryLog.create({ client: redis.client, prefix }) }));
      both.use('/b', use({ deliveries: RedisDeliveryLog.create({ client: redis.client, prefix }) }));
      router = both;
    };

    it('queues one refresh when GitHub\'s create reaches one instance and the push of the same tag the other', async () => {
      const prefix = redis.prefix();
      twoInstances(prefix);
      const create = await toGithub('create', { ref: 'churn@v4.0.0', ref_type: 'tag', repository: repository('acme/churn') }, { path: 'a/github' });
      const push = await toGithub('push', { ref: 'refs/tags/churn@v4.0.0', before: ZERO, after: SHA(9), created: true, deleted: false, repository: repository('acme/churn') }, { path: 'b/github' });
      expect([create.answer.status, push.answer.status]).toEqual(['queued', 'duplicate']);
      expect(enqueued).toEqual(['github:acme/churn']);
    });

    it('queues one refresh for one delivery that reaches both instances, and keeps its keys under the prefix with a TTL', async () => {
      const prefix = redis.prefix();
      twoInstances(prefix);
      const delivery = randomUUID();
      const payload = branchPush('acme/churn', SHA(1), SHA(2));
      const [a, b] = await Promise.all([toGithub('push', payload, { delivery, path: 'a/github' }), toGithub('push', payload, { delivery, path: 'b/github' })]);
      expect([a.answer.status, b.answer.status].sort()).toEqual(['duplicate', 'queued']);
      expect(enqueued).toEqual(['github:acme/churn']);

      const keys = await keysUnder(redis.client, prefix);
      expect(keys).toEqual([`${prefix}webhook:change:github:acme/churn:refs/heads/main:${SHA(1)}..${SHA(2)}`, `${prefix}webhook:delivery:github:${delivery}`]);
      const ttls = await Promise.all(keys.map((key) => redis.client.pttl(key)));
      expect(ttls[0]).toBeGreaterThan(0);
      expect(ttls[0]).toBeLessThanOrEqual(10_000);
      expect(ttls[1]).toBeGreaterThan(23 * 60 * 60 * 1000);
    });

    it('queues the refresh anyway when Redis does not answer the delivery log (one refresh too many beats a lost one)', async () => {
      const away = unreachableRedis();
      use({ deliveries: RedisDeliveryLog.create({ client: away, prefix: redis.prefix() }) });
      const reply = await toGithub('push', branchPush('acme/churn', SHA(1), SHA(2))).finally(() => away.disconnect());
      expect(reply.answer).toMatchObject({ status: 'queued', repositories: ['github:acme/churn'] });
      expect(enqueued).toEqual(['github:acme/churn']);
      expect(logged.some((line) => line.includes('the delivery log failed'))).toBe(true);
    });
  });
});
