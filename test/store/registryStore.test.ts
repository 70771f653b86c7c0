import { describe, expect, it } from '@jest/globals';
import type { ModelRecord, VersionRecord, RepositorySnapshot } from '../../src/registry/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import type { RegistryStore } from '../../src/store/index.js';
import { useTestRedis } from '../support/redis.js';

const redis = useTestRedis('contract');

/** The contract every RegistryStore keeps; each Redis store gets a key prefix of its own. */
const implementations: [string, () => Promise<RegistryStore>][] = [
  ['InMemoryRegistryStore', async () => InMemoryRegistryStore.create()],
  ['RedisRegistryStore', async () => redis.store()],
];

function model(repository: string, name: string, overrides: Partial<ModelRecord> = {}): ModelRecord {
  return {
    ref: `${repository}:${name}`,
    repository,
    name,
    declaration: { file: 'dvc.yaml', path: `models/${name}.pkl`, type: 'model', labels: ['a'] },
    deprecated: false,
    latestVersion: 'v1.0.0',
    versions: [],
    stages: [],
    assignments: [],
    history: [],
    ...overrides,
  };
}

function snapshot(ref: string, models: ModelRecord[]): RepositorySnapshot {
  return {
    repository: { ref, source: 'local', kind: 'local', host: 'local', fullName: ref.slice(6), url: `file:///${ref}`, indexedAt: '2025-01-01T00:00:00.000Z', fingerprint: ref, problems: [], models: models.map((m) => m.ref) },
    models,
  };
}

describe.each(implementations)('%s', (_name, create) => {
  it('returns batch reads in the order asked, undefined where nothing is stored', async () => {
    const store = await create();
    await store.putSnapshot(snapshot('local:a', [model('local:a', 'x'), model('local:a', 'y')]));
    const models = await store.getModels(['local:a:y', 'local:b:x', 'local:a:x', 'nonsense']);
    expect(models.map((m) => m?.name)).toEqual(['y', undefined, 'x', undefined]);
    expect((await store.getRepositories(['local:zzz', 'local:a'])).map((r) => r?.ref)).toEqual([undefined, 'local:a']);
  });

  it('replaces a snapshot whole, so models gone from the repository are gone from the store', async () => {
    const store = await create();
    await store.putSnapshot(snapshot('local:a', [model('local:a', 'x'), model('local:a', 'y')]));
    await store.putSnapshot(snapshot('local:a', [model('local:a', 'y', { deprecated: true })]));
    expect(await store.getModels(['local:a:x'])).toEqual([undefined]);
    expect((await store.listModels()).map((m) => [m.ref, m.deprecated])).toEqual([['local:a:y', true]]);
  });

  it('lists summaries of every repository sorted by ref, with the fields filters use', async () => {
    const store = await create();
    await store.putSnapshot(snapshot('local:b', [model('local:b', 'm')]));
    await store.putSnapshot(snapshot('local:a', [model('local:a', 'z', { stages: [{ stage: 'prod', version: 'v1.0.0', commit: 'c', assignedAt: 't', timestamp: 1, author: { name: 'n', email: 'e' }, tag: 'z#prod', message: '' }] })]));
    expect(await store.listRepositories()).toEqual(['local:a', 'local:b']);
    expect(await store.listModels()).toEqual([
      { ref: 'local:a:z', repository: 'local:a', name: 'z', path: 'models/z.pkl', type: 'model', labels: ['a'], deprecated: false, stages: ['prod'], md5s: [], imports: [] },
      { ref: 'local:b:m', repository: 'local:b', name: 'm', path: 'models/m.pkl', type: 'model', labels: ['a'], deprecated: false, stages: [], md5s: [], imports: [] },
    ]);
  });

  it("summarises the md5s of a model's files and the repositories its versions import from, each once", async () => {
    const store = await create();
    const version = (name: string, md5: string, importKey?: string, sourceKey?: string): VersionRecord => ({
      name,
      ref: `local:a:m@${name}`,
      registered: true,
      deregistered: false,
      active: true,
      commit: { sha: 'c' },
      createdAt: 't',
      author: { name: 'n', email: 'e' },
      tag: `m@${name}`,
      message: '',
      stages: [],
      activeStages: [],
      artifact: { path: 'm.pkl', md5, trackedBy: '.dvc', ...(importKey ? { importedFrom: { url: 'u', key: importKey, path: 'm.pkl' } } : {}) },
      metrics: [],
      metricFiles: [],
      params: [],
      paramFiles: [],
      plots: [],
      ...(sourceKey
        ? {
            lineage: {
              lockFile: 'dvc.lock',
              stage: 'train',
              deps: [],
              params: [],
              outs: [],
              upstream: [],
              sources: [{ path: 'data.csv', kind: 'import' as const, import: { url: 'u', key: sourceKey, path: 'data.csv' } }],
              stale: false,
              truncated: false,
            },
          }
        : {}),
    });
    await store.putSnapshot(
      snapshot('local:a', [model('local:a', 'm', { versions: [version('v2.0.0', 'bb', 'github.com/x/y'), version('v1.0.0', 'aa', undefined, 'github.com/x/data'), version('v0.9.0', 'bb')] })]),
    );
    expect(await store.listModels()).toMatchObject([{ ref: 'local:a:m', md5s: ['aa', 'bb'], imports: ['github.com/x/data', 'github.com/x/y'] }]);
  });

  it('hands out copies: changing a returned value changes nothing stored', async () => {
    const store = await create();
    await store.putSnapshot(snapshot('local:a', [model('local:a', 'x')]));
    const [first] = await store.getModels(['local:a:x']);
    if (first) first.name = 'changed';
    const [second] = await store.getModels(['local:a:x']);
    expect(second?.name).toBe('x');
  });

  it('forgets a removed repository and its models', async () => {
    const store = await create();
    await store.putSnapshot(snapshot('local:a', [model('local:a', 'x')]));
    await store.setStatus({ ref: 'local:a', stale: false, lastAttemptAt: 't' });
    await store.removeRepository('local:a');
    expect(await store.listRepositories()).toEqual([]);
    expect(await store.getModels(['local:a:x'])).toEqual([undefined]);
    expect(await store.getStatuses(['local:a'])).toEqual([undefined]);
  });

  it('keeps the last status of each repository', async () => {
    const store = await create();
    await store.setStatus({ ref: 'local:a', stale: false, lastAttemptAt: '1' });
    await store.setStatus({ ref: 'local:a', stale: true, lastError: 'host down', lastAttemptAt: '2' });
    expect(await store.getStatuses(['local:a', 'local:b'])).toEqual([{ ref: 'local:a', stale: true, lastError: 'host down', lastAttemptAt: '2' }, undefined]);
  });
});
