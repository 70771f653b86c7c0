/**
 * GTO semantics that need a repository to change or to be large (research §8.13 and scale):
 * real Git repositories, the real indexer, the gateway for what a client then sees.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BulkTag, RepoWriter } from '../../src/demo/repoWriter.js';
import { ModelRegistryStateDocument } from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { startTestGateway } from '../support/testGateway.js';
import type { TestGateway } from '../support/testGateway.js';

/** 2025-01-01T00:00:00Z plus `seconds`. */
function t(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

async function stateOf(gateway: TestGateway, ref: string) {
  const { data, errors } = await gateway.query(ModelRegistryStateDocument, { ref });
  expect(errors).toBeUndefined();
  if (!data?.model) throw new Error(`no model ${ref}`);
  return data.model;
}

describe('GTO state follows the tags as they are now', () => {
  const dir = useTempDir('modelgate-gto-changes');
  let gateway: TestGateway;
  let repo: RepoWriter;
  const c: string[] = [];

  beforeAll(async () => {
    repo = await createRepo(dir.path, 'r');
    c.push(...(await repo.commitMany([0, 1, 2].map((i) => ({ message: `c${i}`, date: t(i), files: { 'dvc.yaml': 'artifacts:\n  m:\n    path: m.pkl\n', 'n.txt': `${i}` } })))));
    await repo.tagMany([
      { name: 'm@v1.0.0', commit: c[0] ?? '', date: t(100), message: 'one' },
      { name: 'm#prod#1', commit: c[0] ?? '', date: t(110), message: 'ship one' },
      { name: 'm@v2.0.0', commit: c[1] ?? '', date: t(200), message: 'two' },
      { name: 'm#prod#2', commit: c[1] ?? '', date: t(210), message: 'ship two' },
    ]);
    gateway = await startTestGateway(dir.path);
    await gateway.index();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('deleted tags: the state is recomputed as if they never existed (GTO keeps no other record)', async () => {
    expect((await stateOf(gateway, 'local:r:m')).stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v2.0.0']);
    await repo.deleteTag('m#prod#2');
    await repo.deleteTag('m@v2.0.0');
    expect(await gateway.index()).toMatchObject({ updated: 1, failed: [] });
    const m = await stateOf(gateway, 'local:r:m');
    expect(m.latestVersion?.version).toBe('v1.0.0');
    expect(m.versions.nodes.map((v) => v.version)).toEqual(['v1.0.0']);
    expect(m.stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v1.0.0']);
    expect(m.history.nodes.map((e) => e.tag)).toEqual(['m#prod#1', 'm@v1.0.0']);
  });

  it('a tag moved with `git tag -f` counts at its new commit and new tagger date only', async () => {
    await repo.tag('m@v3.0.0', { message: 'three', date: t(300), commit: c[2] ?? '' });
    await repo.tag('m#prod#1', { message: 'moved', date: t(310), commit: c[2] ?? '', force: true });
    expect(await gateway.index()).toMatchObject({ updated: 1, failed: [] });
    const m = await stateOf(gateway, 'local:r:m');
    expect(m.stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['prod=v3.0.0']);
    expect(m.versions.nodes.map((v) => `${v.version}[${v.stages.join(',')}]`)).toEqual(['v3.0.0[prod]', 'v1.0.0[]']);
    expect(m.history.nodes.map((e) => e.tag)).toEqual(['m#prod#1', 'm@v3.0.0', 'm@v1.0.0']);
  });
});

describe('a repository with 10,000 GTO tags', () => {
  const dir = useTempDir('modelgate-gto-10k');
  const ARTIFACTS = 50;
  const VERSIONS = 100;
  const COMMITS = 1000;
  const STAGES = ['dev', 'staging', 'prod'];
  let gateway: TestGateway;
  let seconds = Number.POSITIVE_INFINITY;
  let commits: string[] = [];

  beforeAll(async () => {
    const repo = await createRepo(dir.path, 'big');
    const declarations = Array.from({ length: ARTIFACTS }, (_, k) => `  a${k}:\n    path: models/a${k}.pkl\n`).join('');
    commits = await repo.commitMany(
      Array.from({ length: COMMITS }, (_, i) => ({
        message: `train ${i}`,
        date: t(i),
        files: { ...(i === 0 ? { 'dvc.yaml': `artifacts:\n${declarations}` } : {}), 'run.txt': `${i}\n` },
      })),
    );
    // Artifact k registers v1.i.0 on its own commit per version, then assigns dev, staging
    // and prod in turn; 50 tags share each tagger second, as bulk CI tagging does.
    const tags: BulkTag[] = [];
    for (let k = 0; k < ARTIFACTS; k += 1) {
      for (let i = 0; i < VERSIONS; i += 1) {
        const commit = commits[(k * 20 + i) % COMMITS] ?? '';
        tags.push({ name: `a${k}@v1.${i}.0`, commit, date: t(10_000 + i * 60), message: `a${k} v1.${i}.0` });
        tags.push({ name: `a${k}#${STAGES[i % 3]}#${i + 1}`, commit, date: t(10_030 + i * 60), message: 'promote' });
      }
    }
    expect(tags).toHaveLength(10_000);
    await repo.tagMany(tags);
    gateway = await startTestGateway(dir.path);
    const summary = await gateway.index();
    seconds = summary.seconds;
    expect(summary).toMatchObject({ failed: [], models: ARTIFACTS, versions: ARTIFACTS * VERSIONS });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('indexes all of them in one pass within 10 seconds (about 2 s on a 2-core machine)', () => {
    expect(seconds).toBeLessThan(10);
  });

  it('serves every version, the stages as GTO shows them, and the whole history', async () => {
    const m = await stateOf(gateway, 'local:big:a7');
    expect(m.versions.totalCount).toBe(VERSIONS);
    expect(m.latestVersion).toMatchObject({ version: 'v1.99.0', commit: { sha: commits[(7 * 20 + 99) % COMMITS] } });
    expect(m.stages.map((s) => `${s.stage}=${s.version.version}`)).toEqual(['dev=v1.99.0', 'prod=v1.98.0', 'staging=v1.97.0']);
    expect(m.allStages).toHaveLength(VERSIONS);
    expect(m.history.totalCount).toBe(2 * VERSIONS);
    expect(m.path).toBe('models/a7.pkl');
  });
});
