import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startGateway } from '../../src/main.js';
import type { Gateway } from '../../src/main.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { waitFor } from '../support/processes.js';

/*
 * Redis going away under a running gateway (a Redis of the test's own, on its own port):
 * /readyz says so, queries get a clear error naming Redis, nothing leaks a password, and
 * everything comes back without a restart when Redis does (even empty: the index is rebuilt).
 */

const QUERY = '{ models { totalCount nodes { ref latestVersion { version } } } }';

async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

function startRedis(port: number): ChildProcess {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', 'hunter2'], { stdio: 'ignore' });
  server.once('error', (error) => {
    throw new Error(`expected redis-server on the PATH (.ci/run installs it): ${error.message}`);
  });
  return server;
}

async function post(url: string, query: string): Promise<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('a gateway whose Redis goes away and comes back', () => {
  let gateway: Gateway | undefined;
  let redis: ChildProcess | undefined;
  afterAll(async () => {
    await gateway?.stop();
    redis?.kill('SIGKILL');
  });
  const dir = useTempDir('modelgate-redis-outage');
  let port = 0;
  let config = '';

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    const repo = await createRepo(repos, 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n    type: model\n' });
    await repo.commit('model', { date: '2025-06-01T10:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'v1', date: '2025-06-01T11:00:00Z' });
    port = await freePort();
    redis = startRedis(port);
    config = join(dir.path, 'modelgate.yaml');
    // A short interval: after Redis comes back empty, the next pass rebuilds the index.
    await writeFile(config, ['listen: { host: 127.0.0.1, port: 0 }', `redis: redis://:hunter2@127.0.0.1:${port}`, 'refresh: { interval: 2s }', 'sources:', '  - kind: local', `    path: ${repos}`, ''].join('\n'));
  }, 30_000);

  it('says so on /readyz and in query errors, leaks no password, and recovers on its own', async () => {
    await waitFor('Redis', async () => {
      const probe = spawn('redis-cli', ['-p', String(port), '-a', 'hunter2', '--no-auth-warning', 'ping'], { stdio: 'ignore' });
      const [code] = (await once(probe, 'exit')) as [number];
      return code === 0 ? true : undefined;
    });
    gateway = await startGateway(loadConfig({ file: config }), createLogger({ quiet: true }));
    const url = gateway.server.url;
    const healthy = await waitFor('the first pass', async () => {
      const answer = await post(url, QUERY);
      return (answer.data as { models: { totalCount: number } } | undefined)?.models.totalCount === 1 ? answer : undefined;
    });
    expect(healthy.errors).toBeUndefined();

    // Redis dies.
    redis?.kill('SIGKILL');
    if (redis) await once(redis, 'exit');
    const readyz = await waitFor('/readyz to say the store is down', async () => {
      const response = await fetch(`${url}/readyz`);
      return response.status === 503 ? ((await response.json()) as { ready: boolean; reasons: string[] }) : undefined;
    }, 10_000);
    expect(readyz.ready).toBe(false);
    expect(readyz.reasons.join(' ')).toMatch(/store unreachable: .*Redis.*127\.0\.0\.1/i);
    const failed = await post(url, QUERY);
    expect(failed.errors?.[0]?.extensions?.code).toBe('STORE_UNAVAILABLE');
    expect(failed.errors?.[0]?.message).toMatch(/Redis/);
    expect(JSON.stringify({ readyz, failed })).not.toContain('hunter2');
    // Liveness is not readiness: the process is alive and says so.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // Redis returns, empty (no persistence): the gateway reconnects and the next pass rebuilds the index.
    redis = startRedis(port);
    const recovered = await waitFor('the index rebuilt', async () => {
      const answer = await post(url, QUERY);
      return (answer.data as { models: { totalCount: number } } | undefined)?.models.totalCount === 1 ? answer : undefined;
    }, 30_000, 250);
    expect(recovered).toEqual(healthy);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  }, 60_000);
});
