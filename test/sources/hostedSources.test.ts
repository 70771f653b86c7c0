import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { HostSimulator } from '../../src/hosts/index.js';
import { Indexer } from '../../src/indexer/index.js';
import { createSources } from '../../src/main.js';
import type { ModelRecord } from '../../src/registry/index.js';
import type { GitSource } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

/*
 * The issue's first promise: the same repositories read through `github`, `gitlab` and
 * `local` give the same registry. The sources are built from a real config by `main.ts`'s
 * `createSources`, and the hosts are the simulator over the same folder.
 */

const TAGGER = { name: 'Tess Tagger', email: 'tess@example.net' };

/** What must not depend on the host: models, versions (name, commit, registration, time), stages, history kinds, files. */
function registryOf(models: (ModelRecord | undefined)[]): unknown {
  return models.map((m) =>
    m === undefined
      ? undefined
      : {
          name: m.name,
          deprecated: m.deprecated,
          latestVersion: m.latestVersion,
          declaration: m.declaration,
          versions: m.versions.map((v) => ({
            name: v.name,
            commit: v.commit.sha,
            registered: v.registered,
            deregistered: v.deregistered,
            createdAt: v.createdAt,
            tag: v.tag,
            message: v.message,
            stages: v.stages,
            artifact: v.artifact,
            metrics: v.metrics,
            params: v.params,
            lineage: v.lineage,
          })),
          stages: m.stages.map((s) => [s.stage, s.version, s.assignedAt]),
          history: m.history.map((e) => [e.kind, e.tag, e.at]),
        },
  );
}

describe('github, gitlab and local sources over the same repositories', () => {
  const dir = useTempDir('modelgate-hosted');
  let sim: HostSimulator;
  let sources: GitSource[] = [];
  const stores = new Map<string, InMemoryRegistryStore>();
  const summaries = new Map<string, Awaited<ReturnType<Indexer['indexAll']>>>();

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    for (const name of ['churn', 'vision']) {
      const repo = await createRepo(repos, `acme/${name}`);
      await repo.write({
        '.dvc/config': `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://acme/${name}\n`,
        'dvc.yaml': `stages:\n  train:\n    cmd: python train.py\n    params: [lr]\n    outs: [model.pkl]\n    metrics:\n      - metrics.json:\n          cache: false\nartifacts:\n  ${name}:\n    path: model.pkl\n    type: model\n`,
        'params.yaml': 'lr: 0.1\n',
        'metrics.json': '{"auc": 0.8}',
        'dvc.lock': `schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    params:\n      params.yaml:\n        lr: 0.1\n    outs:\n    - path: model.pkl\n      hash: md5\n      md5: ${'ab'.repeat(16)}\n      size: 12\n`,
      });
      await repo.commit('v1', { date: '2025-05-01T10:00:00+02:00' });
      await repo.tag(`${name}@v1.0.0`, { message: 'first', date: '2025-05-01T11:00:00+02:00', tagger: TAGGER });
      await repo.write({ 'metrics.json': '{"auc": 0.9}', 'params.yaml': 'lr: 0.2\n' });
      await repo.commit('v2', { date: '2025-05-02T10:00:00+02:00' });
      await repo.tag(`${name}@v1.1.0`, { message: 'second', date: '2025-05-02T11:00:00+02:00', tagger: TAGGER });
      await repo.tag(`${name}#prod#1`, { message: 'promote', date: '2025-05-03T09:00:00-05:00', tagger: TAGGER });
      await repo.lightweightTag(`${name}#dev#2`);
    }
    sim = await HostSimulator.start({ reposDir: repos, tokens: { 'sim-token': {} } });
    const config = parseConfig(
      [
        'sources:',
        `  - { kind: local, name: local, path: ${repos} }`,
        `  - { kind: github, name: github, url: "${sim.url}/api/v3", token: sim-token, orgs: [acme] }`,
        `  - { kind: gitlab, name: gitlab, url: "${sim.url}", token: sim-token, groups: [acme] }`,
      ].join('\n'),
      join(dir.path, 'modelgate.yaml'),
      {},
    );
    sources = createSources(config);
    for (const source of sources) {
      const store = InMemoryRegistryStore.create();
      stores.set(source.name, store);
      summaries.set(source.name, await Indexer.create({ sources: [source], store }).indexAll());
    }
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await sim?.close();
  });

  it('indexes every repository through each source without failures', () => {
    for (const [name, summary] of summaries) {
      expect({ name, repositories: summary.repositories, failed: summary.failed, models: summary.models, versions: summary.versions }).toEqual({
        name,
        repositories: 2,
        failed: [],
        models: 2,
        versions: 4,
      });
    }
  });

  it('gives identical registry answers through github, gitlab and local', async () => {
    const read = async (source: string) => {
      const store = stores.get(source);
      if (!store) throw new Error(source);
      return registryOf(await store.getModels([`${source}:acme/churn:churn`, `${source}:acme/vision:vision`]));
    };
    const local = await read('local');
    expect(local).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'churn', latestVersion: 'v1.1.0' })]));
    expect(await read('github')).toEqual(local);
    expect(await read('gitlab')).toEqual(local);
  });

  it('counts the host API calls of each pass per source, and the local source none', () => {
    expect(summaries.get('local')?.apiCalls).toEqual({});
    expect(summaries.get('github')?.apiCalls.github).toBeGreaterThan(0);
    expect(summaries.get('gitlab')?.apiCalls.gitlab).toBeGreaterThan(0);
    // Every call a source counted reached the simulator, and nothing else did.
    const counted = (summaries.get('github')?.apiCalls.github ?? 0) + (summaries.get('gitlab')?.apiCalls.gitlab ?? 0);
    expect(sim.stats().requests).toBe(counted);
  });
});
