import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gitlab } from '@gitbeaker/rest';
import { Octokit } from '@octokit/rest';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import { HostSimulator } from '../src/hosts/index.js';
import { createLogger } from '../src/log.js';
import { startGateway } from '../src/main.js';
import type { Gateway } from '../src/main.js';
import type { RepoWriter } from '../src/demo/repoWriter.js';
import { createRepo, useTempDir } from './support/gitRepo.js';
import { waitFor } from './support/processes.js';
import { TEST_REDIS_URL, useTestRedis } from './support/redis.js';

/*
 * Issue 6 end to end, as deployed: two gateways (each with its worker) on one Redis, a GitHub
 * org and a GitLab group served by the simulator, which also delivers signed webhooks to the
 * first gateway. Subscribers on both gateways see each change once, within a second.
 */

const SECRET = 'hook-secret';
const EVENTS = `subscription ($filter: RegistryEventFilter) {
  registryEvents(filter: $filter) { id kind tag stage model { ref } version { version } }
}`;

interface Event {
  id: string;
  kind: string;
  tag: string;
  stage: string | null;
  model: { ref: string };
  version: { version: string } | null;
}

/** A graphql-ws subscriber that records every event it receives, with the time it arrived. */
function subscriber(url: string, filter: Record<string, unknown> = {}) {
  const client: Client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  const received: (Event & { receivedAt: number })[] = [];
  const errors: unknown[] = [];
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  client.on('connected', () => setTimeout(subscribed, 200));
  const stop = client.subscribe<{ registryEvents: Event }>(
    { query: EVENTS, variables: { filter } },
    {
      next: (value) => {
        if (value.data) received.push({ ...value.data.registryEvents, receivedAt: Date.now() });
        if (value.errors) errors.push(value.errors);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return {
    received,
    errors,
    ready,
    close: async () => {
      stop();
      await client.dispose();
    },
  };
}

async function graphqlPost(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('a live registry: mutations, webhooks and subscriptions across two gateways', () => {
  let sim: HostSimulator;
  let a: Gateway;
  let b: Gateway;
  const subscribers: { close(): Promise<void> }[] = [];
  const writers = new Map<string, RepoWriter>();
  // Declared before the temporary folder's own clean-up, so the gateways stop before their repositories go.
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
    await a?.stop();
    await b?.stop();
    await sim?.close();
  });
  const dir = useTempDir('modelgate-live');
  const redis = useTestRedis('live');

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    for (const path of ['acme/churn', 'lab/vision']) {
      const name = path.split('/')[1] as string;
      const repo = await createRepo(repos, path);
      await repo.write({ 'dvc.yaml': `artifacts:\n  ${name}:\n    path: model.pkl\n    type: model\n` });
      await repo.commit('model', { date: '2025-06-01T10:00:00Z' });
      await repo.tag(`${name}@v1.0.0`, { message: 'v1', date: '2025-06-01T11:00:00Z' });
      await repo.write({ 'params.yaml': 'lr: 0.2\n' });
      await repo.commit('retrain', { date: '2025-06-02T10:00:00Z' });
      await repo.tag(`${name}@v1.1.0`, { message: 'v1.1', date: '2025-06-02T11:00:00Z' });
      writers.set(path, repo);
    }
    // The gateway's own token reads; the people's token (`writer`) may create tags.
    sim = await HostSimulator.start({ reposDir: repos, tokens: { reader: { readOnly: true }, writer: {} } });
    const config = join(dir.path, 'modelgate.yaml');
    await writeFile(
      config,
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        `redis: ${TEST_REDIS_URL}`,
        `redisPrefix: "${redis.prefix()}"`,
        'refresh: { interval: 10m }',
        'sources:',
        '  - kind: github',
        `    url: ${sim.githubUrl}`,
        '    token: reader',
        '    orgs: [acme]',
        `    webhookSecret: ${SECRET}`,
        '  - kind: gitlab',
        `    url: ${sim.url}`,
        '    token: reader',
        '    groups: [lab]',
        `    webhookSecret: ${SECRET}`,
        '',
      ].join('\n'),
    );
    const log = createLogger({ quiet: process.env.MG_DEBUG !== '1' });
    a = await startGateway(loadConfig({ file: config }), log);
    b = await startGateway(loadConfig({ file: config }), log);
    await waitFor('the first pass', async () => (a.jobs?.ready && b.jobs?.ready ? true : undefined), 30_000);
    await waitFor('both repositories indexed', async () => ((await a.store.listRepositories()).length === 2 ? true : undefined), 30_000);
    sim.setWebhooks([
      { url: `${a.server.url}/webhooks/github`, secret: SECRET, host: 'github' },
      { url: `${a.server.url}/webhooks/gitlab`, secret: SECRET, host: 'gitlab' },
    ]);
  }, 90_000);

  function subscribe(url: string, filter: Record<string, unknown> = {}) {
    const s = subscriber(url, filter);
    subscribers.push(s);
    return s;
  }

  it('tells subscribers on both gateways of a promotion made by mutation, once each, within a second', async () => {
    const [onA, onB] = [subscribe(a.server.url), subscribe(b.server.url)];
    await Promise.all([onA.ready, onB.ready]);
    const answer = await graphqlPost(
      a.server.url,
      'mutation ($model: String!, $version: String!, $stage: String!) { assignStage(model: $model, version: $version, stage: $stage) { version activeStages } }',
      { model: 'github:acme/churn:churn', version: 'v1.0.0', stage: 'prod' },
      { 'x-modelgate-token-github': 'writer' },
    );
    const answeredAt = Date.now();
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ assignStage: { version: 'v1.0.0', activeStages: ['prod'] } });
    await waitFor('the event on both gateways', async () => (onA.received.length > 0 && onB.received.length > 0 ? true : undefined), 5000, 20);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const s of [onA, onB]) {
      expect(s.received.map(({ kind, tag, stage, model, version }) => ({ kind, tag, stage, model: model.ref, version: version?.version }))).toEqual([
        { kind: 'ASSIGNED', tag: 'churn#prod#1', stage: 'prod', model: 'github:acme/churn:churn', version: 'v1.0.0' },
      ]);
      expect((s.received[0]?.receivedAt ?? Infinity) - answeredAt).toBeLessThan(1000);
      expect(s.errors).toEqual([]);
    }
  }, 30_000);

  it('refreshes once and publishes once for a signed GitHub webhook, and ignores a forged one', async () => {
    const s = subscribe(b.server.url, { repository: 'github:acme/churn' });
    await s.ready;
    // A new commit pushed (no webhook for it here), then its version tagged through the host's API, as a CI job would.
    await writers.get('acme/churn')?.write({ 'params.yaml': 'lr: 0.3\n' });
    const head = await writers.get('acme/churn')?.commit('retrain again', { date: '2025-06-05T09:00:00Z' }) as string;
    const octokit = new Octokit({ baseUrl: sim.githubUrl, auth: 'writer' });
    const tag = await octokit.rest.git.createTag({ owner: 'acme', repo: 'churn', tag: 'churn@v1.2.0', message: 'v1.2', object: head, type: 'commit', tagger: { name: 'Ada', email: 'ada@example.com', date: '2025-06-05T10:00:00Z' } });
    await octokit.rest.git.createRef({ owner: 'acme', repo: 'churn', ref: 'refs/tags/churn@v1.2.0', sha: tag.data.sha });
    await sim.flushWebhooks();
    await waitFor('the registration event', async () => (s.received.some((e) => e.tag === 'churn@v1.2.0') ? true : undefined), 10_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(s.received.filter((e) => e.tag === 'churn@v1.2.0').map((e) => e.kind)).toEqual(['REGISTERED']);

    // A forged delivery: 401, and nothing indexed or published.
    const before = s.received.length;
    const forged = await fetch(`${a.server.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'forged-1', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body: JSON.stringify({ ref: 'refs/tags/churn@v9.9.9', repository: { full_name: 'acme/churn', html_url: `${sim.url}/acme/churn` } }),
    });
    expect(forged.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(s.received.length).toBe(before);
  }, 30_000);

  it('refreshes once and publishes once for a GitLab Tag Push Hook', async () => {
    const s = subscribe(a.server.url, { repository: 'gitlab:lab/vision', kinds: ['REGISTERED'] });
    await s.ready;
    await writers.get('lab/vision')?.write({ 'params.yaml': 'lr: 0.3\n' });
    await writers.get('lab/vision')?.commit('retrain again', { date: '2025-06-05T09:00:00Z' });
    const gitlab = new Gitlab({ host: sim.url, token: 'writer' });
    await gitlab.Tags.create('lab/vision', 'vision@v1.2.0', 'main', { message: 'v1.2' });
    await sim.flushWebhooks();
    await waitFor('the registration event', async () => (s.received.length > 0 ? true : undefined), 10_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(s.received.map((e) => [e.kind, e.tag, e.model.ref])).toEqual([['REGISTERED', 'vision@v1.2.0', 'gitlab:lab/vision:vision']]);
  }, 30_000);

  it('gives a subscriber that reconnects with `since` exactly the three events it missed', async () => {
    const first = subscribe(a.server.url, { model: 'github:acme/churn:churn' });
    await first.ready;
    const token = { 'x-modelgate-token-github': 'writer' };
    const assign = (version: string, stage: string) =>
      graphqlPost(a.server.url, 'mutation ($m: String!, $v: String!, $s: String!) { assignStage(model: $m, version: $v, stage: $s) { version } }', { m: 'github:acme/churn:churn', v: version, s: stage }, token);
    const r = await assign('v1.1.0', 'staging');
    expect(r.errors).toBeUndefined();
    await waitFor('the first event', async () => (first.received.length >= 1 ? true : undefined), 5000, 20);
    expect(first.received.map((e) => [e.kind, e.stage])).toEqual([['ASSIGNED', 'staging']]);
    const lastSeen = first.received[0]?.id as string;
    await first.close();
    for (const [version, stage] of [['v1.1.0', 'prod'], ['v1.2.0', 'dev'], ['v1.0.0', 'prod']] as const) expect((await assign(version, stage)).errors).toBeUndefined();
    const again = subscribe(b.server.url, { model: 'github:acme/churn:churn', since: lastSeen });
    await waitFor('the missed events', async () => (again.received.length >= 3 ? true : undefined), 5000, 20);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(again.received.map((e) => [e.kind, e.stage, e.version?.version])).toEqual([
      ['ASSIGNED', 'prod', 'v1.1.0'],
      ['ASSIGNED', 'dev', 'v1.2.0'],
      ['ASSIGNED', 'prod', 'v1.0.0'],
    ]);
  }, 30_000);
});
