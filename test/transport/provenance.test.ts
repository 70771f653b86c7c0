import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CompareVersionsDocument,
  ImportedByDocument,
  MetricTrendDocument,
  RepositoryProblemsDocument,
  VersionProvenanceDocument,
  VersionsByContentDocument,
} from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { provenanceOf } from '../support/provenance.js';
import { startTestGateway } from '../support/testGateway.js';
import type { TestGateway } from '../support/testGateway.js';

/*
 * Provenance end to end: real Git repositories with DVC pipelines, indexed and queried over
 * HTTP. `acme/training` trains the churn model; `acme/deploy` imports its file with
 * `dvc import`; `acme/odd` and `acme/mono` hold the storage and broken-file cases.
 */

const execFileAsync = promisify(execFile);

const RAW = '1f'.repeat(16);
const PREPARED = `${'2f'.repeat(16)}.dir`;
const FEATURES = `${'3f'.repeat(16)}.dir`;
const FEATURES_OLD = `${'4f'.repeat(16)}.dir`;
const MODEL_1 = '5f'.repeat(16);
const MODEL_2 = '6f'.repeat(16);
const EXTERNAL = '7f'.repeat(16);
const LIVE = `${'8f'.repeat(16)}.dir`;
const CODE = '9f'.repeat(16);

const DVC_YAML = `stages:
  prepare:
    cmd: python src/prepare.py
    deps: [data/raw.csv, src/prepare.py]
    params: [prepare.split]
    outs: [data/prepared]
  featurize:
    cmd: python src/featurize.py
    deps: [data/prepared, data/external.xml, src/featurize.py]
    outs: [data/features]
  train:
    cmd: python src/train.py
    deps: [data/features, src/train.py]
    params: [train]
    outs:
      - models/model.pkl
      - eval/live
    metrics:
      - metrics.json:
          cache: false
    plots:
      - plots/loss.tsv:
          cache: false
          x: step
          y: loss
metrics:
  - eval/live/metrics.json
plots:
  - roc:
      template: linear
      title: ROC
      x: fpr
      y:
        plots/roc.json: tpr
artifacts:
  churn:
    path: models/model.pkl
    type: model
    desc: Churn classifier
    labels: [tabular]
`;

function lock(opts: { featuresSeenByTrain: string; model: string; nEst: number; lr: number }): string {
  return `schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
    - path: data/raw.csv
      hash: md5
      md5: ${RAW}
      size: 2048
    - path: src/prepare.py
      hash: md5
      md5: ${CODE}
      size: 100
    params:
      params.yaml:
        prepare.split: 0.2
    outs:
    - path: data/prepared
      hash: md5
      md5: ${PREPARED}
      size: 4096
      nfiles: 2
  featurize:
    cmd: python src/featurize.py
    deps:
    - path: data/external.xml
      hash: md5
      md5: ${EXTERNAL}
      size: 14445097
    - path: data/prepared
      hash: md5
      md5: ${PREPARED}
      size: 4096
      nfiles: 2
    - path: src/featurize.py
      hash: md5
      md5: ${CODE}
      size: 100
    outs:
    - path: data/features
      hash: md5
      md5: ${FEATURES}
      size: 8192
      nfiles: 3
  train:
    cmd: python src/train.py
    deps:
    - path: data/features
      hash: md5
      md5: ${opts.featuresSeenByTrain}
      size: 8192
      nfiles: 3
    - path: src/train.py
      hash: md5
      md5: ${CODE}
      size: 100
    params:
      params.yaml:
        train:
          n_est: ${opts.nEst}
          lr: ${opts.lr}
    outs:
    - path: eval/live
      hash: md5
      md5: ${LIVE}
      size: 300
      nfiles: 2
    - path: metrics.json
      hash: md5
      md5: ${'a'.repeat(32)}
      size: 40
    - path: models/model.pkl
      hash: md5
      md5: ${opts.model}
      size: 123456
    - path: plots/loss.tsv
      hash: md5
      md5: ${'b'.repeat(32)}
      size: 20
`;
}

const params = (nEst: number): string => `prepare:\n  split: 0.2\ntrain:\n  n_est: ${nEst}\n  lr: 0.1\n`;

describe('provenance of a version: files, storage, lineage, imports', () => {
  const dir = useTempDir('modelgate-provenance');
  let gateway: TestGateway;
  const commits: string[] = [];
  let importCommit = '';

  beforeAll(async () => {
    const training = await createRepo(dir.path, 'acme/training');
    await training.write({
      '.dvc/config': `[core]\n    remote = Store\n['remote "store"']\n    url = s3://acme-dvc/training\n`,
      'data/raw.csv.dvc': `outs:\n- md5: ${RAW}\n  size: 2048\n  hash: md5\n  path: raw.csv\n`,
      'data/external.xml.dvc': `md5: f5ea021eddd7b1df6de80b904cba1da6
frozen: true
deps:
- path: get-started/data.xml
  repo:
    url: git@github.com:acme/datasets.git
    rev_lock: f59388cd04276e75d70b2136597aaa27e7937cc3
outs:
- md5: ${EXTERNAL}
  size: 14445097
  hash: md5
  path: external.xml
`,
      'src/prepare.py': 'print("prepare")\n',
      'src/featurize.py': 'print("featurize")\n',
      'src/train.py': 'print("train")\n',
      'dvc.yaml': DVC_YAML,
      'params.yaml': params(100),
      'dvc.lock': lock({ featuresSeenByTrain: FEATURES_OLD, model: MODEL_1, nEst: 100, lr: 0.05 }),
      'metrics.json': JSON.stringify({ auc: 0.8, loss: 0.5, nested: { f1: 0.7 }, list: [1, 2], none: null }),
      'plots/loss.tsv': 'step\tloss\n0\t0.9\n1\t0.5\n',
    });
    commits.push(await training.commit('v1', { date: '2025-01-01T00:00:00Z' }));
    await training.tag('churn@v1.0.0', { message: 'first', date: '2025-01-01T01:00:00Z' });

    await training.write({
      'params.yaml': params(200),
      'dvc.lock': lock({ featuresSeenByTrain: FEATURES, model: MODEL_2, nEst: 200, lr: 0.1 }),
      'metrics.json': JSON.stringify({ auc: 0.85, loss: 0.4, nested: { f1: 0.75 }, extra: 1 }),
    });
    commits.push(await training.commit('v2', { date: '2025-01-02T00:00:00Z' }));
    await training.tag('churn@v1.1.0', { message: 'second', date: '2025-01-02T01:00:00Z' });

    // Same weights again (identical md5), and a metrics file that no longer parses.
    await training.write({ 'metrics.json': '{"auc": 0.9,' });
    commits.push(await training.commit('v3', { date: '2025-01-03T00:00:00Z' }));
    await training.tag('churn@v1.2.0', { message: 'third', date: '2025-01-03T01:00:00Z' });

    await training.write({ 'metrics.json': JSON.stringify({ auc: 0.95, loss: 0.3 }) });
    commits.push(await training.commit('v4', { date: '2025-01-04T00:00:00Z' }));
    await training.tag('churn@v1.3.0', { message: 'fourth', date: '2025-01-04T01:00:00Z' });
    await training.tag('churn@v1.3.0!', { message: 'withdrawn', date: '2025-01-04T02:00:00Z' });

    // The training clone's origin is on GitHub: imports of that URL, in any form, mean this repository.
    await execFileAsync('git', ['-C', join(dir.path, 'acme/training'), 'remote', 'add', 'origin', 'https://github.com/acme/training.git']);

    // `dvc import <training>.git models/model.pkl -o models/churn.pkl`, pinned at v1.1.0's commit,
    // and a canary imported by its GitHub ssh URL, pinned at v1.0.0's.
    const deploy = await createRepo(dir.path, 'acme/deploy');
    await deploy.write({
      'dvc.yaml': 'artifacts:\n  churn-prod:\n    path: models/churn.pkl\n    type: model\n  churn-canary:\n    path: models/canary.pkl\n',
      'models/canary.pkl.dvc': `md5: ${'e'.repeat(32)}
frozen: true
deps:
- path: models/model.pkl
  repo:
    url: git@github.com:Acme/training
    rev_lock: ${commits[0]}
outs:
- md5: ${MODEL_1}
  size: 123456
  hash: md5
  path: canary.pkl
`,
      'models/churn.pkl.dvc': `md5: ${'c'.repeat(32)}
frozen: true
deps:
- path: models/model.pkl
  repo:
    url: ${join(dir.path, 'acme/training')}.git
    rev_lock: ${commits[1]}
outs:
- md5: ${MODEL_2}
  size: 123456
  hash: md5
  path: churn.pkl
`,
    });
    importCommit = await deploy.commit('import churn', { date: '2025-02-01T00:00:00Z' });
    await deploy.tag('churn-prod@v1.0.0', { message: 'ship', date: '2025-02-01T01:00:00Z' });
    await deploy.tag('churn-canary@v0.1.0', { message: 'canary', date: '2025-02-01T01:00:00Z' });

    gateway = await startTestGateway(dir.path);
    await gateway.index();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const provenance = (ref: string) => provenanceOf(gateway, ref);

  it('gives the model file with its DVC 3 storage URL, the remote picked case-insensitively from core.remote', async () => {
    const v = await provenance('local:acme/training:churn@v1.0.0');
    expect(v.artifact).toMatchObject({
      path: 'models/model.pkl',
      md5: MODEL_1,
      size: 123456,
      trackedBy: 'dvc.lock',
      storage: { remote: 'store', url: `s3://acme-dvc/training/files/md5/5f/${MODEL_1.slice(2)}` },
      storageMessage: null,
      importedFrom: null,
    });
  });

  it('reads metrics from Git, flattened, lists and nulls dropped, and reports one inside a DVC-tracked directory with its storage URL', async () => {
    const v = await provenance('local:acme/training:churn@v1.0.0');
    expect(v.metrics).toEqual([
      { path: 'metrics.json', key: 'auc', value: 0.8 },
      { path: 'metrics.json', key: 'loss', value: 0.5 },
      { path: 'metrics.json', key: 'nested.f1', value: 0.7 },
    ]);
    const live = v.metricFiles.find((f) => f.path === 'eval/live/metrics.json');
    expect(live).toMatchObject({ location: 'DVC', md5: LIVE, storage: { remote: 'store', url: `s3://acme-dvc/training/files/md5/8f/${LIVE.slice(2)}` } });
    expect(live?.message).toMatch(/not in Git: it lies inside eval\/live, a directory DVC tracks \(dvc\.lock\)/);
    expect(v.metricFiles.find((f) => f.path === 'metrics.json')).toMatchObject({ location: 'GIT', message: null });
  });

  it('reports a metrics file that does not parse as unreadable, for that file and version only', async () => {
    const v = await provenance('local:acme/training:churn@v1.2.0');
    expect(v.metrics).toEqual([]);
    const file = v.metricFiles.find((f) => f.path === 'metrics.json');
    expect(file?.location).toBe('UNREADABLE');
    expect(file?.message).toMatch(/JSON|parse|end/i);
    // The model file of the same version is still there.
    expect(v.artifact?.md5).toBe(MODEL_2);
    const { data } = await gateway.query(RepositoryProblemsDocument, { ref: 'local:acme/training' });
    const problems = data?.repository?.problems ?? [];
    expect(problems.some((p) => p.file === 'metrics.json' && p.commit === commits[2])).toBe(true);
  });

  it("merges params as DVC does and shows dvc.lock's recorded value next to the file's", async () => {
    const v = await provenance('local:acme/training:churn@v1.0.0');
    expect(v.params).toEqual([
      { path: 'params.yaml', key: 'prepare.split', value: 0.2, source: 'file', locked: true, lockedValue: 0.2 },
      { path: 'params.yaml', key: 'train.lr', value: 0.1, source: 'file', locked: true, lockedValue: 0.05 },
      { path: 'params.yaml', key: 'train.n_est', value: 100, source: 'file', locked: true, lockedValue: 100 },
    ]);
    expect(v.paramFiles).toEqual([{ path: 'params.yaml', location: 'GIT', message: null }]);
  });

  it('lists declared plots with their options, data points from Git, and data that is missing', async () => {
    const v = await provenance('local:acme/training:churn@v1.0.0');
    const loss = v.plots.find((p) => p.id === 'plots/loss.tsv');
    expect(loss).toMatchObject({ file: 'dvc.yaml', x: 'step', y: ['loss'] });
    expect(loss?.data).toEqual([
      {
        path: 'plots/loss.tsv',
        location: 'GIT',
        rows: [
          { step: 0, loss: 0.9 },
          { step: 1, loss: 0.5 },
        ],
        message: null,
        storage: null,
      },
    ]);
    const roc = v.plots.find((p) => p.id === 'roc');
    expect(roc).toMatchObject({ template: 'linear', title: 'ROC', x: 'fpr', y: ['tpr'] });
    expect(roc?.data[0]).toMatchObject({ path: 'plots/roc.json', location: 'MISSING', rows: null });
  });

  it('follows lineage upstream through every stage to the sources, flagging an input its producer has since changed', async () => {
    const v = await provenance('local:acme/training:churn@v1.0.0');
    const lineage = v.lineage;
    expect(lineage).toMatchObject({ lockFile: 'dvc.lock', stage: 'train', cmd: 'python src/train.py', stale: true });
    expect(lineage?.deps).toEqual([
      { path: 'data/features', md5: FEATURES_OLD, size: 8192, producedBy: 'dvc.lock:featurize', stale: true, source: null },
      { path: 'src/train.py', md5: CODE, size: 100, producedBy: null, stale: false, source: { kind: 'GIT', file: null } },
    ]);
    expect(lineage?.params).toEqual([
      { path: 'params.yaml', key: 'train.n_est', value: 100 },
      { path: 'params.yaml', key: 'train.lr', value: 0.05 },
    ]);
    expect(lineage?.upstream.map((s) => s.stage)).toEqual(['featurize', 'prepare']);
    expect(lineage?.upstream[0]?.deps.find((d) => d.path === 'data/prepared')).toMatchObject({ producedBy: 'dvc.lock:prepare', stale: false });
    expect(lineage?.sources.map((s) => [s.path, s.kind])).toEqual([
      ['data/external.xml', 'IMPORT'],
      ['data/raw.csv', 'DVC'],
      ['src/featurize.py', 'GIT'],
      ['src/prepare.py', 'GIT'],
      ['src/train.py', 'GIT'],
    ]);
    const raw = lineage?.sources.find((s) => s.path === 'data/raw.csv');
    expect(raw).toMatchObject({ file: 'data/raw.csv.dvc', md5: RAW, storage: { remote: 'store', url: `s3://acme-dvc/training/files/md5/1f/${RAW.slice(2)}` } });
    // An import from a repository Modelgate does not index stays an external link.
    expect(lineage?.sources.find((s) => s.path === 'data/external.xml')?.import).toEqual({
      url: 'git@github.com:acme/datasets.git',
      path: 'get-started/data.xml',
      revLock: 'f59388cd04276e75d70b2136597aaa27e7937cc3',
      repository: null,
    });
    const fresh = await provenance('local:acme/training:churn@v1.1.0');
    expect(fresh.lineage?.stale).toBe(false);
  });

  it('resolves a dvc import to the indexed repository, its commit and the model version it names', async () => {
    const v = await provenance('local:acme/deploy:churn-prod@v1.0.0');
    expect(v.artifact).toMatchObject({ path: 'models/churn.pkl', md5: MODEL_2, trackedBy: '.dvc', storage: null });
    expect(v.artifact?.storageMessage).toBe('models/churn.pkl: no remote is configured: there is no .dvc/config (add a remote with `dvc remote add -d <name> <url>`).');
    expect(v.artifact?.importedFrom).toMatchObject({
      path: 'models/model.pkl',
      revLock: commits[1],
      commit: { sha: commits[1] },
      repository: { ref: 'local:acme/training' },
      modelVersions: [{ ref: 'local:acme/training:churn@v1.1.0' }],
    });
    expect(importCommit).toMatch(/^[0-9a-f]{40}$/);
  });

  it("matches an import by the ssh form of a local clone's origin URL", async () => {
    const v = await provenance('local:acme/deploy:churn-canary@v0.1.0');
    expect(v.artifact?.importedFrom).toMatchObject({
      url: 'git@github.com:Acme/training',
      repository: { ref: 'local:acme/training' },
      modelVersions: [{ ref: 'local:acme/training:churn@v1.0.0' }],
    });
  });

  it('answers the reverse question: which versions, anywhere, were built from a repository', async () => {
    const { data } = await gateway.query(ImportedByDocument, { ref: 'local:acme/training' });
    expect(data?.repository?.importedBy).toEqual({
      totalCount: 2,
      nodes: [{ ref: 'local:acme/deploy:churn-canary@v0.1.0' }, { ref: 'local:acme/deploy:churn-prod@v1.0.0' }],
    });
    const none = await gateway.query(ImportedByDocument, { ref: 'local:acme/deploy' });
    expect(none.data?.repository?.importedBy.totalCount).toBe(0);
  });

  it('shows identical model files (same md5) across versions and repositories', async () => {
    const v = await provenance('local:acme/training:churn@v1.1.0');
    expect(v.artifact?.sameContent.map((s) => s.ref).sort()).toEqual([
      'local:acme/deploy:churn-prod@v1.0.0',
      'local:acme/training:churn@v1.2.0',
      'local:acme/training:churn@v1.3.0',
    ]);
    const { data } = await gateway.query(VersionsByContentDocument, { md5: MODEL_1.toUpperCase() });
    expect(data?.modelVersionsByContent.map((v) => v.ref)).toEqual(['local:acme/deploy:churn-canary@v0.1.0', 'local:acme/training:churn@v1.0.0']);
  });

  it('compares two versions like dvc metrics diff / dvc params diff', async () => {
    const { data, errors } = await gateway.query(CompareVersionsDocument, { ref: 'local:acme/training:churn@v1.0.0', to: 'v1.1.0' });
    expect(errors).toBeUndefined();
    const comparison = data?.modelVersion?.compare;
    expect(comparison?.from.ref).toBe('local:acme/training:churn@v1.0.0');
    expect(comparison?.to.ref).toBe('local:acme/training:churn@v1.1.0');
    expect(comparison?.metrics).toEqual([
      { path: 'metrics.json', key: 'auc', from: 0.8, to: 0.85, change: 0.05, status: 'MODIFIED' },
      { path: 'metrics.json', key: 'extra', from: null, to: 1, change: null, status: 'ADDED' },
      { path: 'metrics.json', key: 'loss', from: 0.5, to: 0.4, change: -0.1, status: 'MODIFIED' },
      { path: 'metrics.json', key: 'nested.f1', from: 0.7, to: 0.75, change: 0.05, status: 'MODIFIED' },
    ]);
    expect(comparison?.params).toEqual([{ path: 'params.yaml', key: 'train.n_est', from: 100, to: 200, change: 100, status: 'MODIFIED' }]);
    const all = await gateway.query(CompareVersionsDocument, { ref: 'local:acme/training:churn@v1.0.0', to: 'local:acme/training:churn@latest', all: true });
    expect(all.data?.modelVersion?.compare.to.ref).toBe('local:acme/training:churn@v1.2.0');
    expect(all.data?.modelVersion?.compare.params.map((p) => [p.key, p.status])).toEqual([
      ['prepare.split', 'UNCHANGED'],
      ['train.lr', 'UNCHANGED'],
      ['train.n_est', 'MODIFIED'],
    ]);
    const missing = await gateway.query(CompareVersionsDocument, { ref: 'local:acme/training:churn@v1.0.0', to: 'v9.9.9' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0]?.message).toMatch(/v9\.9\.9 is not indexed for model local:acme\/training:churn/);
  });

  it('gives one metric across versions in order for a chart, deregistered versions only on request', async () => {
    const { data } = await gateway.query(MetricTrendDocument, { ref: 'local:acme/training:churn', key: 'auc' });
    expect(data?.model?.metricTrend.map((p) => [p.versionName, p.value, p.numericValue])).toEqual([
      ['v1.0.0', 0.8, 0.8],
      ['v1.1.0', 0.85, 0.85],
      ['v1.2.0', null, null],
    ]);
    expect(data?.model?.metricTrend[0]).toMatchObject({ path: 'metrics.json', createdAt: '2025-01-01T01:00:00+00:00', version: { ref: 'local:acme/training:churn@v1.0.0' } });
    const all = await gateway.query(MetricTrendDocument, { ref: 'local:acme/training:churn', key: 'auc', includeDeregistered: true });
    expect(all.data?.model?.metricTrend.map((p) => p.versionName)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0']);
    const other = await gateway.query(MetricTrendDocument, { ref: 'local:acme/training:churn', key: 'auc', path: 'eval/live/metrics.json' });
    expect(other.data?.model?.metricTrend.every((p) => p.value === null)).toBe(true);
  });
});

describe('storage details and broken files', () => {
  const dir = useTempDir('modelgate-storage');
  let gateway: TestGateway;

  beforeAll(async () => {
    const odd = await createRepo(dir.path, 'acme/odd');
    await odd.write({
      '.dvc/config': `['remote "Backup"']\n    url = s3://backup\n`,
      'dvc.yaml': `stages:
  train:
    cmd: python train.py
    params: [params.yaml:]
    outs:
      - models/a.pkl:
          remote: backup
      - models/b.pkl
      - models/c.pkl:
          push: false
    metrics:
      - metrics.json:
          cache: false
artifacts:
  a: { path: models/a.pkl }
  b: { path: models/b.pkl }
  c: { path: models/c.pkl }
`,
      // Legacy 2.x entries (no `hash: md5`) live at <url>/<md5[0:2]>/<md5[2:]>.
      'dvc.lock': `schema: '2.0'
stages:
  train:
    cmd: python train.py
    params:
      params.yaml:
        lr: 0.1
    outs:
    - path: models/a.pkl
      md5: ${'a'.repeat(32)}
      size: 1
    - path: models/b.pkl
      md5: ${'b'.repeat(32)}
      size: 1
    - path: models/c.pkl
      md5: ${'c'.repeat(32)}
      size: 1
`,
      'params.yaml': new Uint8Array([0x6c, 0x72, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
      'metrics.json': new Uint8Array([0x7b, 0x00, 0x7d]),
    });
    await odd.commit('odd', { date: '2025-03-01T00:00:00Z' });
    for (const name of ['a', 'b', 'c']) await odd.tag(`${name}@v1.0.0`, { message: name, date: '2025-03-01T01:00:00Z' });

    const mono = await createRepo(dir.path, 'acme/mono');
    await mono.write({
      'projects/vision/.dvc/config': `[core]\n    remote = local\n['remote "local"']\n    url = ../../../storage\n`,
      'projects/vision/dvc.yaml': 'stages:\n  train:\n    cmd: python train.py\n    outs: [model.bin]\nartifacts:\n  net: { path: model.bin }\n',
      'projects/vision/dvc.lock': `schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    outs:\n    - path: model.bin\n      hash: md5\n      md5: ${'d'.repeat(32)}\n      size: 5\n`,
    });
    await mono.commit('mono', { date: '2025-03-01T00:00:00Z' });

    // `${…}` from params.yaml, as DVC loads it by default for interpolation.
    const templated = await createRepo(dir.path, 'acme/templated');
    await templated.write({
      '.dvc/config': `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://t\n`,
      'params.yaml': 'model_dir: models\ntrain:\n  epochs: 5\n',
      'dvc.yaml': 'stages:\n  train:\n    cmd: python train.py --epochs ${train.epochs}\n    params: [train.epochs]\n    outs:\n      - ${model_dir}/model.pkl\nartifacts:\n  t:\n    path: ${model_dir}/model.pkl\n',
      'dvc.lock': `schema: '2.0'\nstages:\n  train:\n    cmd: python train.py --epochs 5\n    params:\n      params.yaml:\n        train.epochs: 5\n    outs:\n    - path: models/model.pkl\n      hash: md5\n      md5: ${'e'.repeat(32)}\n      size: 9\n`,
    });
    await templated.commit('templated', { date: '2025-03-01T00:00:00Z' });
    await templated.tag('t@v1.0.0', { message: 't', date: '2025-03-01T01:00:00Z' });

    const noisy = await createRepo(dir.path, 'acme/noisy');
    const stages = Array.from({ length: 120 }, (_, i) => `  s${i}:\n    cmd: [1]\n`).join('');
    await noisy.write({ 'dvc.yaml': `stages:\n${stages}artifacts:\n  m: { path: m.pkl }\n` });
    await noisy.commit('noisy', { date: '2025-03-01T00:00:00Z' });
    await noisy.tag('m@v1.0.0', { message: 'm', date: '2025-03-01T01:00:00Z' });
    await mono.tag('projects/vision=net@v1.0.0', { message: 'net', date: '2025-03-01T01:00:00Z' });

    gateway = await startTestGateway(dir.path);
    await gateway.index();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const artifactOf = async (ref: string) => (await gateway.query(VersionProvenanceDocument, { ref })).data?.modelVersion?.artifact;

  it("uses an output's own remote over core.remote, names compared case-insensitively, in the 2.x layout for legacy entries", async () => {
    expect(await artifactOf('local:acme/odd:a@v1.0.0')).toMatchObject({ storage: { remote: 'backup', url: `s3://backup/aa/${'a'.repeat(30)}` }, storageMessage: null });
  });

  it('says why there is no storage URL: no default remote, push: false', async () => {
    const b = await artifactOf('local:acme/odd:b@v1.0.0');
    expect(b?.storage).toBeNull();
    expect(b?.storageMessage).toBe("models/b.pkl: .dvc/config defines 'backup' but no default remote (core.remote); set one with `dvc remote default <name>` or name one with remote: on the output.");
    const c = await artifactOf('local:acme/odd:c@v1.0.0');
    expect(c?.storageMessage).toBe('models/c.pkl: output has push: false, so `dvc push` never uploads it to a remote.');
  });

  it("reads a sub-project's own .dvc/config, resolving a relative local remote", async () => {
    expect(await artifactOf('local:acme/mono:projects/vision:net@v1.0.0')).toMatchObject({
      storage: { remote: 'local', url: `storage/files/md5/dd/${'d'.repeat(30)}` },
    });
  });

  it('resolves ${…} in dvc.yaml from params.yaml, as DVC does, so the model file is found', async () => {
    const { data } = await gateway.query(VersionProvenanceDocument, { ref: 'local:acme/templated:t@v1.0.0' });
    expect(data?.modelVersion?.artifact).toMatchObject({ path: 'models/model.pkl', md5: 'e'.repeat(32), storage: { url: `s3://t/files/md5/ee/${'e'.repeat(30)}` } });
    expect(data?.modelVersion?.lineage?.cmd).toBe('python train.py --epochs 5');
    expect(data?.modelVersion?.params).toEqual([{ path: 'params.yaml', key: 'train.epochs', value: 5, source: 'file', locked: true, lockedValue: 5 }]);
    const repo = await gateway.query(RepositoryProblemsDocument, { ref: 'local:acme/templated' });
    expect(repo.data?.repository?.problems).toEqual([]);
  });

  it('reports at most 50 problems per file, then how many more, and still serves the model', async () => {
    const { data } = await gateway.query(RepositoryProblemsDocument, { ref: 'local:acme/noisy' });
    const problems = data?.repository?.problems ?? [];
    expect(problems).toHaveLength(51);
    expect(problems[0]).toMatchObject({ file: 'dvc.yaml', line: 3, message: expect.stringMatching(/stages\.s0\.cmd/) });
    expect(problems[50]?.message).toBe('…and 70 more problems in dvc.yaml; fix the ones above first.');
    expect((await artifactOf('local:acme/noisy:m@v1.0.0'))?.path).toBe('m.pkl');
  });

  it('reports binary and invalid UTF-8 files as unreadable, falls back to the params dvc.lock recorded, and keeps serving', async () => {
    const { data } = await gateway.query(VersionProvenanceDocument, { ref: 'local:acme/odd:a@v1.0.0' });
    const v = data?.modelVersion;
    expect(v?.metricFiles).toEqual([
      { path: 'metrics.json', location: 'UNREADABLE', md5: null, storage: null, message: expect.stringMatching(/NUL bytes, so it looks binary/) },
    ]);
    expect(v?.paramFiles[0]).toMatchObject({ path: 'params.yaml', location: 'UNREADABLE', message: expect.stringMatching(/not valid UTF-8/) });
    expect(v?.params).toEqual([{ path: 'params.yaml', key: 'lr', value: 0.1, source: 'dvc.lock', locked: true, lockedValue: 0.1 }]);
    const repo = await gateway.query(RepositoryProblemsDocument, { ref: 'local:acme/odd' });
    const messages = repo.data?.repository?.problems.map((p) => `${p.file}: ${p.message}`) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^metrics\.json: .*looks binary/), expect.stringMatching(/^params\.yaml: .*not valid UTF-8/)]),
    );
  });
});
