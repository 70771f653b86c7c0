/** Registry snapshots made up for tests that need many repositories fast (no Git behind them). */
import type { ModelRecord, RepositorySnapshot } from '../../src/registry/index.js';

/** Repository `i` (`github:acme/repo-0042`) with `modelCount` models of three versions each, the newest in `prod`. */
export function syntheticSnapshot(i: number, modelCount = 2): RepositorySnapshot {
  const repository = `github:acme/repo-${String(i).padStart(4, '0')}`;
  const models: ModelRecord[] = Array.from({ length: modelCount }, (_, m) => {
    const name = `model-${m}`;
    const ref = `${repository}:${name}`;
    const versions = [1, 2, 3].map((v) => ({
      name: `v${v}.0.0`,
      ref: `${ref}@v${v}.0.0`,
      registered: true,
      deregistered: false,
      active: true,
      commit: { sha: `${String(v).repeat(40)}` },
      createdAt: `2025-0${v}-01T00:00:00+00:00`,
      author: { name: 'Ada', email: 'ada@example.com' },
      tag: `${name}@v${v}.0.0`,
      message: 'release',
      stages: v === 3 ? ['prod'] : [],
      activeStages: v === 3 ? ['prod'] : [],
      metrics: [{ file: 'metrics.json', key: 'auc', value: 0.9 }],
      metricFiles: [],
      params: [],
      paramFiles: [],
      plots: [],
    }));
    return {
      ref,
      repository,
      name,
      declaration: { file: 'dvc.yaml', path: 'model.pkl', type: 'model', labels: [] },
      deprecated: false,
      latestVersion: 'v3.0.0',
      latestCommit: '3'.repeat(40),
      versions,
      stages: [{ stage: 'prod', version: 'v3.0.0', commit: '3'.repeat(40), assignedAt: '2025-03-02T00:00:00+00:00', timestamp: 1740873600, author: { name: 'Ada', email: 'ada@example.com' }, tag: `${name}#prod#1`, message: '' }],
      assignments: [],
      history: [],
    } as unknown as ModelRecord;
  });
  return {
    repository: { ref: repository, source: 'github', kind: 'github', host: 'github.com', fullName: repository.slice(7), url: `https://github.com/${repository.slice(7)}`, indexedAt: '2025-06-01T00:00:00.000Z', fingerprint: `f${i}`, problems: [], models: models.map((m) => m.ref) },
    models,
  };
}
