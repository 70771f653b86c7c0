import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Indexer } from '../../src/indexer/index.js';
import { LocalGitSource } from '../../src/sources/index.js';
import type { GitSource } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

/** One repository per name under `root`, each with one commit and a `<name>@v1.0.0` tag. */
async function makeTaggedRepos(root: string, names: string[], files: (name: string) => Record<string, string>): Promise<void> {
  for (const name of names) {
    const repo = await createRepo(root, name);
    await repo.write(files(name));
    await repo.commit(name, { date: '2025-01-01T00:00:00Z' });
    await repo.tag(`${name}@v1.0.0`, { message: 'v1', date: '2025-01-01T01:00:00Z' });
  }
}

describe('Indexer', () => {
  const dir = useTempDir('modelgate-indexer');

  it('reads nothing more than the refs of a repository whose refs did not change, and re-reads it after a new tag', async () => {
    const root = join(dir.path, 'unchanged');
    const repo = await createRepo(root, 'r');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  m:\n    path: m.pkl\n' });
    await repo.commit('m', { date: '2025-01-01T00:00:00Z' });
    await repo.tag('m@v1.0.0', { message: 'v1', date: '2025-01-01T01:00:00Z' });
    const source = LocalGitSource.create({ root });
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [source], store });
    try {
      expect(await indexer.indexAll()).toMatchObject({ updated: 1, unchanged: 0, models: 1, versions: 1 });
      const [before] = await store.getRepositories(['local:r']);
      const again = await indexer.indexAll();
      expect(again).toMatchObject({ updated: 0, unchanged: 1, models: 1, versions: 1 });
      expect((await store.getRepositories(['local:r']))[0]?.indexedAt).toBe(before?.indexedAt);

      await repo.tag('m#prod#1', { message: 'prod', date: '2025-01-02T01:00:00Z' });
      expect(await indexer.indexAll()).toMatchObject({ updated: 1, unchanged: 0 });
      expect((await store.getModels(['local:r:m']))[0]?.stages.map((s) => s.stage)).toEqual(['prod']);
    } finally {
      await source.close();
    }
  });

  it('reads metrics, params, plot data and .dvc files, but never the model file or pipeline inputs themselves', async () => {
    const root = join(dir.path, 'reads');
    const repo = await createRepo(root, 'r');
    await repo.write({
      'dvc.yaml': 'stages:\n  train:\n    cmd: t\n    deps: [data.csv, train.py]\n    params: [lr]\n    outs: [model.bin]\n    metrics:\n      - metrics.json:\n          cache: false\nartifacts:\n  m: { path: model.bin }\n',
      'dvc.lock': "schema: '2.0'\nstages:\n  train:\n    cmd: t\n    deps:\n    - path: data.csv\n      md5: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    outs:\n    - path: model.bin\n      md5: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
      'params.yaml': 'lr: 0.1\n',
      'metrics.json': '{"auc": 1}',
      'data.csv': 'x\n'.repeat(1000),
      'train.py': 'print(1)\n',
      'model.bin': new Uint8Array(4096),
    });
    await repo.commit('m', { date: '2025-01-01T00:00:00Z' });
    await repo.tag('m@v1.0.0', { message: 'v1', date: '2025-01-01T01:00:00Z' });
    const local = LocalGitSource.create({ root });
    // The real source, with every file request written down on the way through.
    const requested: string[] = [];
    // Counted like a hosted source's API calls: one per batch call.
    let calls = 0;
    const counted = <T>(result: T): T => {
      calls += 1;
      return result;
    };
    const recording: GitSource = {
      name: local.name,
      kind: local.kind,
      listRepositories: () => counted(local.listRepositories()),
      readRefs: (r) => counted(local.readRefs(r)),
      listFiles: (r, commits) => counted(local.listFiles(r, commits)),
      readFiles: (r, files) => {
        requested.push(...files.map((f) => f.path));
        return counted(local.readFiles(r, files));
      },
      readCommits: (r, shas) => counted(local.readCommits(r, shas)),
      close: () => local.close(),
      get apiCalls() {
        return calls;
      },
    };
    const store = InMemoryRegistryStore.create();
    try {
      const indexer = Indexer.create({ sources: [recording], store });
      // list, refs, tree, 2 batches of files (DVC files with params.yaml, then the version's files), commits.
      expect(await indexer.indexAll()).toMatchObject({ updated: 1, versions: 1, apiCalls: { local: 6 } });
      expect(indexer.lastPass?.apiCalls).toBe(6);
      expect(await indexer.indexAll()).toMatchObject({ unchanged: 1, apiCalls: { local: 2 } });
      expect([...new Set(requested)].sort()).toEqual(['dvc.lock', 'dvc.yaml', 'metrics.json', 'params.yaml']);
      expect((await store.getModels(['local:r:m']))[0]?.versions[0]?.artifact?.md5).toBe('b'.repeat(32));
    } finally {
      await local.close();
    }
  });

  it('keeps the last snapshot of a repository it can no longer read, marked stale, while others go on', async () => {
    const root = join(dir.path, 'failing');
    await makeTaggedRepos(root, ['a', 'b'], (name) => ({ 'dvc.yaml': `artifacts:\n  ${name}:\n    path: ${name}.pkl\n` }));
    const source = LocalGitSource.create({ root });
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [source], store });
    try {
      await indexer.indexAll();
      // Objects gone: the repository is still listed, but nothing in it can be read.
      await rename(join(root, 'a', '.git', 'objects'), join(root, 'a', '.git', 'objects-gone'));
      const summary = await indexer.indexAll();
      expect(summary.failed.map((f) => f.repository)).toEqual(['local:a']);
      expect((await store.getModels(['local:a:a']))[0]?.latestVersion).toBe('v1.0.0');
      expect(await store.getStatuses(['local:a', 'local:b'])).toEqual([
        expect.objectContaining({ stale: true, lastError: expect.stringContaining('local:a') }),
        expect.objectContaining({ stale: false }),
      ]);
    } finally {
      await source.close();
    }
  });

  it('locates model files inside directory outputs, on per-output remotes, and kept in Git', async () => {
    const root = join(dir.path, 'outputs');
    const repo = await createRepo(root, 'r');
    const md5 = (c: string) => c.repeat(32);
    await repo.write({
      'dvc.yaml': [
        'stages:',
        '  train:',
        '    cmd: python train.py',
        '    outs:',
        '    - models',
        '    - small.pkl:',
        '        remote: models',
        '    - ingit.pkl:',
        '        cache: false',
        'artifacts:',
        '  inside: { path: models/model.pkl }',
        '  small: { path: small.pkl }',
        '  ingit: { path: ingit.pkl }',
        '',
      ].join('\n'),
      'dvc.lock': [
        "schema: '2.0'",
        'stages:',
        '  train:',
        '    cmd: python train.py',
        '    outs:',
        `    - { path: models, hash: md5, md5: ${md5('a')}.dir, size: 10, nfiles: 2 }`,
        `    - { path: small.pkl, hash: md5, md5: ${md5('b')}, size: 5 }`,
        `    - { path: ingit.pkl, hash: md5, md5: ${md5('c')}, size: 3 }`,
        '',
      ].join('\n'),
      'ingit.pkl': 'abc',
      '.dvc/config': "[core]\n    remote = main\n['remote \"main\"']\n    url = s3://bucket/main\n['remote \"models\"']\n    url = s3://bucket/models\n",
    });
    await repo.commit('outputs', { date: '2025-01-01T00:00:00Z' });
    for (const name of ['inside', 'small', 'ingit']) await repo.tag(`${name}@v1.0.0`, { message: name, date: '2025-01-01T01:00:00Z' });
    const source = LocalGitSource.create({ root });
    const store = InMemoryRegistryStore.create();
    try {
      await Indexer.create({ sources: [source], store }).indexAll();
      const models = await store.getModels(['local:r:inside', 'local:r:small', 'local:r:ingit']);
      const [inside, small, ingit] = models.map((m) => m?.versions[0]);
      expect(inside?.artifact).toMatchObject({ path: 'models/model.pkl', trackedBy: 'dvc.lock' });
      expect(inside?.artifact?.md5).toBeUndefined();
      expect(inside?.artifact?.storageMessage).toMatch(/lies inside models, a directory output; its md5 is in the directory's .dir manifest at s3:\/\//);
      expect(inside?.lineage?.stage).toBe('train');
      expect(small?.artifact?.storage).toEqual({ remote: 'models', url: `s3://bucket/models/files/md5/bb/${md5('b').slice(2)}` });
      expect(ingit?.artifact).toMatchObject({ md5: md5('c'), trackedBy: 'dvc.lock' });
      expect(ingit?.artifact?.storage).toBeUndefined();
    } finally {
      await source.close();
    }
  });

  it('forgets repositories that disappear from their source', async () => {
    const root = join(dir.path, 'disappearing');
    await makeTaggedRepos(root, ['keep', 'drop'], (name) => ({ 'x.txt': name }));
    const source = LocalGitSource.create({ root });
    const store = InMemoryRegistryStore.create();
    const indexer = Indexer.create({ sources: [source], store });
    try {
      await indexer.indexAll();
      expect(await store.listRepositories()).toEqual(['local:drop', 'local:keep']);
      await rename(join(root, 'drop'), join(dir.path, 'dropped-elsewhere'));
      await indexer.indexAll();
      expect(await store.listRepositories()).toEqual(['local:keep']);
      expect((await store.listModels()).map((m) => m.ref)).toEqual(['local:keep:keep']);
    } finally {
      await source.close();
    }
  });
});
