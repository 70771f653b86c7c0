import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { StoreError } from '../../src/errors.js';
import type { ModelRecord, RepositorySnapshot } from '../../src/registry/index.js';
import { RedisRegistryStore, redisKeys } from '../../src/store/index.js';
import { makeTempDir } from '../support/gitRepo.js';
import { TEST_REDIS_URL, countRoundTrips, createTestClient, keysUnder, useTestRedis } from '../support/redis.js';

const redis = useTestRedis('redis-store');

/**
 * A snapshot whose every part carries `marker`: the repository's fingerprint, each model's
 * `latestVersion` and each summary's description, so a reader can tell which write it sees.
 */
function markedSnapshot(ref: string, marker: string, names: string[], padding = 0): RepositorySnapshot {
  const models: ModelRecord[] = names.map((name) => ({
    ref: `${ref}:${name}`,
    repository: ref,
    name,
    declaration: { file: 'dvc.yaml', path: `models/${name}.pkl`, description: `${marker}${'.'.repeat(padding)}`, labels: [] },
    deprecated: false,
    latestVersion: marker,
    versions: [],
    stages: [],
    assignments: [],
    history: [],
  }));
  return {
    repository: {
      ref,
      source: 'local',
      kind: 'local',
      host: 'local',
      fullName: ref.slice(ref.indexOf(':') + 1),
      url: `file:///${ref}`,
      indexedAt: '2025-01-01T00:00:00.000Z',
      fingerprint: marker,
      problems: [],
      models: models.map((m) => m.ref).sort(),
    },
    models,
  };
}

function names(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `model-${String(from + i).padStart(4, '0')}`);
}

/** A TCP port nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error(`expected a TCP address, got ${String(address)}`);
  return address.port;
}

/** The keys under `prefix` with the length of each hash among them, as one comparable text. */
async function stateUnder(client: Redis, prefix: string): Promise<string> {
  const keys = await keysUnder(client, prefix);
  const lengths = await Promise.all(keys.map(async (key) => ((await client.type(key)) === 'hash' ? client.hlen(key) : 0)));
  return JSON.stringify(keys.map((key, i) => [key, lengths[i]]));
}

describe('RedisRegistryStore', () => {
  it('never lets a reader see parts of two snapshots while a writer alternates them', async () => {
    const prefix = redis.prefix();
    const writer = redis.store({ prefix });
    const reader = redis.store({ prefix });
    const ref = 'local:team/churn';
    // Overlapping model sets, each model about 8 KB, so each write takes several chunks.
    const snapshots = { A: markedSnapshot(ref, 'A', names(0, 150), 8000), B: markedSnapshot(ref, 'B', names(75, 225), 8000) };
    const every = names(0, 225).map((name) => `${ref}:${name}`);
    await writer.putSnapshot(snapshots.A);

    let writing = true;
    const writes = (async () => {
      try {
        for (let i = 1; i <= 40; i += 1) await writer.putSnapshot(i % 2 === 1 ? snapshots.B : snapshots.A);
      } finally {
        writing = false;
      }
    })();
    const mixes: string[] = [];
    const seen = { repository: new Set<string>(), models: new Set<string>(), summaries: new Set<string>() };
    const expectedRefs = (marker: string) => (marker === 'A' || marker === 'B' ? snapshots[marker].repository.models : []);
    while (writing) {
      const [repository] = await reader.getRepositories([ref]);
      const marker = repository?.fingerprint ?? 'none';
      seen.repository.add(marker);
      if (JSON.stringify(repository?.models) !== JSON.stringify(expectedRefs(marker))) mixes.push(`repository ${marker} lists the models of another snapshot`);

      const models = (await reader.getModels(every)).filter((m) => m !== undefined);
      const modelMarkers = [...new Set(models.map((m) => m.latestVersion ?? 'none'))];
      const modelMarker = modelMarkers.join('+');
      seen.models.add(modelMarker);
      if (modelMarkers.length !== 1 || JSON.stringify(models.map((m) => m.ref).sort()) !== JSON.stringify(expectedRefs(modelMarker))) mixes.push(`getModels returned ${modelMarker}`);

      const summaries = await reader.listModels();
      const summaryMarkers = [...new Set(summaries.map((s) => s.description?.[0] ?? 'none'))];
      const summaryMarker = summaryMarkers.join('+');
      seen.summaries.add(summaryMarker);
      if (summaryMarkers.length !== 1 || JSON.stringify(summaries.map((s) => s.ref)) !== JSON.stringify(expectedRefs(summaryMarker))) mixes.push(`listModels returned ${summaryMarker}`);
    }
    await writes;

    expect(mixes).toEqual([]);
    // Both snapshots were seen by every kind of read, so the reads did overlap the writes.
    expect({ repository: [...seen.repository].sort(), models: [...seen.models].sort(), summaries: [...seen.summaries].sort() }).toEqual({
      repository: ['A', 'B'],
      models: ['A', 'B'],
      summaries: ['A', 'B'],
    });
  });

  it('keeps the previous snapshot current and readable when a writer is killed in the middle of a large snapshot', async () => {
    // The child runs the built store, as `modelgate index` would (npm test builds first).
    const dist = fileURLToPath(new URL('../../dist/store/index.js', import.meta.url));
    const source = fileURLToPath(new URL('../../src/store/RedisRegistryStore.ts', import.meta.url));
    const built = await stat(join(dist, '../RedisRegistryStore.js')).catch(() => undefined);
    if (!built || built.mtimeMs < (await stat(source)).mtimeMs) {
      throw new Error(`expected dist/store built from the current src/store (found ${built ? 'an older build' : 'none'}); run \`npm run -s build\` first.`);
    }
    const prefix = redis.prefix();
    const store = redis.store({ prefix });
    const ref = 'local:team/big';
    const before = markedSnapshot(ref, 'before', names(0, 3));
    await store.putSnapshot(before);

    const dir = await makeTempDir('modelgate-crash');
    const script = join(dir.path, 'writeLargeSnapshot.mjs');
    await writeFile(
      script,
      `import { RedisRegistryStore } from ${JSON.stringify(new URL('../../dist/store/index.js', import.meta.url).href)};
const [url, prefix, ref] = process.argv.slice(2);
const store = RedisRegistryStore.create({ url, prefix });
const padding = '.'.repeat(2000);
const models = Array.from({ length: 20000 }, (_, i) => ({
  ref: ref + ':huge-' + i, repository: ref, name: 'huge-' + i, deprecated: false, latestVersion: 'after',
  declaration: { file: 'dvc.yaml', path: 'm.pkl', description: padding, labels: [] },
  versions: [], stages: [], assignments: [], history: [],
}));
const repository = { ref, source: 'local', kind: 'local', host: 'local', fullName: 'team/big', url: 'file:///big',
  indexedAt: '2025-01-02T00:00:00.000Z', fingerprint: 'after', problems: [], models: models.map((m) => m.ref).sort() };
await store.putSnapshot({ repository, models });
process.stdout.write('done\\n');
await store.close();
`,
    );
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [script, TEST_REDIS_URL, prefix, ref], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const exited = once(child, 'exit');

      // Kill it as soon as anything of the repository changes in Redis (its first chunk).
      const keys = redisKeys(prefix);
      const { head } = keys.snapshotParts(ref);
      const current = await redis.client.hget(keys.repositories, ref);
      const stateBefore = await stateUnder(redis.client, head);
      const started = Date.now();
      while ((await stateUnder(redis.client, head)) === stateBefore) {
        if (Date.now() - started > 20000) throw new Error(`expected the child to start writing within 20 s; it printed: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill('SIGKILL');
      const [, signal] = await exited;

      const [repository] = await store.getRepositories([ref]);
      const orphanKeys = (await keysUnder(redis.client, head)).filter((key) => !key.includes(`:${current}:`));
      const ttls = await Promise.all(orphanKeys.map((key) => redis.client.pttl(key)));
      expect({
        signal,
        finished: output.includes('done'),
        fingerprint: repository?.fingerprint,
        listed: (await store.listModels()).map((s) => s.ref),
        newModel: await store.getModels([`${ref}:huge-0`]),
        // The half-written generation expires on its own (15 minutes while written).
        orphansExpire: ttls.length > 0 && ttls.every((ttl) => ttl > 0 && ttl <= 15 * 60 * 1000),
      }).toEqual({ signal: 'SIGKILL', finished: false, fingerprint: 'before', listed: before.repository.models, newModel: [undefined], orphansExpire: true });
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await dir.cleanup();
    }
  });

  it('reads 500 models across 100 repositories in a fixed handful of round trips', async () => {
    const client = redis.track(createTestClient());
    const store = redis.track(RedisRegistryStore.create({ client, prefix: redis.prefix() }));
    const refs = Array.from({ length: 100 }, (_, i) => `local:team/repo-${i}`);
    for (const ref of refs) {
      await store.putSnapshot(markedSnapshot(ref, 'x', names(0, 5)));
      await store.setStatus({ ref, stale: false, lastAttemptAt: 't' });
    }
    const modelRefs = refs.flatMap((ref) => names(0, 5).map((name) => `${ref}:${name}`));
    const trips = countRoundTrips(client);
    const cost = async (read: () => Promise<unknown[]>) => {
      trips.reset();
      const values = await read();
      return { round_trips: trips.count, found: values.filter((v) => v !== undefined).length };
    };

    expect({
      getModels: await cost(() => store.getModels(modelRefs)),
      getRepositories: await cost(() => store.getRepositories(refs)),
      getStatuses: await cost(() => store.getStatuses(refs)),
      listModels: await cost(() => store.listModels()),
      listRepositories: await cost(() => store.listRepositories()),
    }).toEqual({
      getModels: { round_trips: 2, found: 500 },
      getRepositories: { round_trips: 2, found: 100 },
      getStatuses: { round_trips: 1, found: 100 },
      listModels: { round_trips: 2, found: 500 },
      listRepositories: { round_trips: 1, found: 100 },
    });
  });

  it('rejects every call with a StoreError naming the URL without its password, within 2 s, when Redis is unreachable', async () => {
    const port = await closedPort();
    const store = redis.track(RedisRegistryStore.create({ url: `redis://modelgate:s3cret@127.0.0.1:${port}/0`, prefix: redis.prefix() }));
    const snapshot = markedSnapshot('local:a', 'x', names(0, 2));
    const calls: Record<string, () => Promise<unknown>> = {
      ping: () => store.ping(),
      putSnapshot: () => store.putSnapshot(snapshot),
      removeRepository: () => store.removeRepository('local:a'),
      getRepositories: () => store.getRepositories(['local:a']),
      getModels: () => store.getModels(['local:a:model-0000']),
      listRepositories: () => store.listRepositories(),
      listModels: () => store.listModels(),
      setStatus: () => store.setStatus({ ref: 'local:a', stale: false, lastAttemptAt: 't' }),
      getStatuses: () => store.getStatuses(['local:a']),
    };
    const outcome = async (call: () => Promise<unknown>) => {
      const started = performance.now();
      try {
        await call();
        return 'resolved';
      } catch (error) {
        const text = `${error instanceof Error ? error.message : String(error)} ${error instanceof Error ? error.stack : ''}`;
        return {
          storeError: error instanceof StoreError,
          namesUrl: text.includes(`redis://modelgate:***@127.0.0.1:${port}/0`),
          leaksPassword: text.includes('s3cret'),
          within2s: performance.now() - started < 2000,
        };
      }
    };
    const expected = { storeError: true, namesUrl: true, leaksPassword: false, within2s: true };
    // Right after create (the first connection attempt under way), and again while it reconnects.
    for (const when of ['at once', 'later']) {
      if (when === 'later') await new Promise((resolve) => setTimeout(resolve, 500));
      const outcomes = Object.fromEntries(await Promise.all(Object.entries(calls).map(async ([name, call]) => [name, await outcome(call)] as const)));
      expect({ when, outcomes }).toEqual({ when, outcomes: Object.fromEntries(Object.keys(calls).map((name) => [name, expected])) });
    }
  });

  it('recovers without a restart when Redis comes back', async () => {
    const port = await closedPort();
    // A Redis of this test's own (the shared one must stay up), without persistence.
    const startRedis = () => {
      const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      server.once('error', (error) => {
        throw new Error(`expected redis-server on the PATH (.ci/run installs it): ${error.message}`);
      });
      return server;
    };
    let server = startRedis();
    try {
      const store = redis.track(RedisRegistryStore.create({ url: `redis://127.0.0.1:${port}`, prefix: redis.prefix() }));
      const pingsWithin = async (ms: number) => {
        const started = Date.now();
        for (;;) {
          try {
            await store.ping();
            return true;
          } catch {
            if (Date.now() - started > ms) return false;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      };
      const upAtFirst = await pingsWithin(5000);
      server.kill('SIGTERM');
      await once(server, 'exit');
      const whileDown = await store.ping().then(
        () => 'answered',
        (error: unknown) => (error instanceof StoreError ? 'StoreError' : String(error)),
      );
      server = startRedis();
      const upAgain = await pingsWithin(5000);
      expect({ upAtFirst, whileDown, upAgain }).toEqual({ upAtFirst: true, whileDown: 'StoreError', upAgain: true });
    } finally {
      server.kill('SIGTERM');
    }
  });

  it("leaves none of a removed repository's keys once the retired generation's TTL has passed", async () => {
    const prefix = redis.prefix();
    const store = redis.store({ prefix, retiredTtlSeconds: 1 });
    await store.putSnapshot(markedSnapshot('local:a', 'one', names(0, 3)));
    await store.putSnapshot(markedSnapshot('local:a', 'two', names(1, 4)));
    await store.setStatus({ ref: 'local:a', stale: false, lastAttemptAt: 't' });
    await store.removeRepository('local:a');

    const left = await keysUnder(redis.client, prefix);
    const ttls = await Promise.all(left.map((key) => redis.client.pttl(key)));
    // Both generations (the replaced one and the removed one) remain briefly, each with a TTL of at most 1 s.
    expect({ keys: left.length, allExpiring: ttls.every((ttl) => ttl > 0 && ttl <= 1000) }).toEqual({ keys: 6, allExpiring: true });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await keysUnder(redis.client, prefix)).toEqual([]);
  });

  it('leaves a client it was given open when closed', async () => {
    const client = redis.track(createTestClient());
    const store = RedisRegistryStore.create({ client, prefix: redis.prefix() });
    await store.ping();
    await store.close();
    expect(await client.ping()).toBe('PONG');
  });

  it('rejects calls after close with a StoreError saying the store is closed', async () => {
    const store = RedisRegistryStore.create({ url: TEST_REDIS_URL, prefix: redis.prefix() });
    await store.ping();
    await store.close();
    await expect(store.listRepositories()).rejects.toThrow(/is closed/);
  });

  it('names its keys under mg:v1: unless given another prefix', () => {
    expect([redisKeys().repositories, redisKeys('x:').snapshot('local:a', 'g1').models]).toEqual(['mg:v1:repositories', 'x:snapshot:local:a:g1:models']);
  });
});
