import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModelDetailDocument, ModelsDocument, ModelVersionDocument, NodeDocument, RepositoriesDocument } from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { startTestGateway } from '../support/testGateway.js';
import type { TestGateway } from '../support/testGateway.js';

const MD5 = {
  v1: 'a3f1c2d4e5b60718293a4b5c6d7e8f90',
  v2: 'b4e2d3c5f6a71829304b5c6d7e8f9a01',
  v3: 'c5f3e4d6a7b8293a415c6d7e8f9a0b12',
};

function dvcLock(md5: string, size: number): string {
  return `schema: '2.0'
stages:
  train:
    cmd: python src/train.py data/features models/churn.pkl
    deps:
    - path: data/features
      hash: md5
      md5: 0f1e2d3c4b5a69788796a5b4c3d2e1f0.dir
      size: 2048
      nfiles: 2
    - path: src/train.py
      hash: md5
      md5: 1111a222b333c444d555e666f7778888
      size: 812
    params:
      params.yaml:
        train.n_est: 100
        train.lr: 0.1
    outs:
    - path: models/churn.pkl
      hash: md5
      md5: ${md5}
      size: ${size}
`;
}

const CHURN_DVC_YAML = `stages:
  train:
    cmd: python src/train.py data/features models/churn.pkl
    deps:
    - data/features
    - src/train.py
    params:
    - train.n_est
    - train.lr
    outs:
    - models/churn.pkl
metrics:
- eval/metrics.json
artifacts:
  churn:
    path: models/churn.pkl
    type: model
    desc: Predicts which customers will leave
    labels:
    - tabular
    - churn
`;

describe('the gateway over local Git repositories', () => {
  let gateway: TestGateway;
  const heads: Record<string, string> = {};
  const dir = useTempDir('modelgate-e2e');

  beforeAll(async () => {
    const root = dir.path;

    const churn = await createRepo(root, 'acme/churn');
    await churn.write({
      'dvc.yaml': CHURN_DVC_YAML,
      'dvc.lock': dvcLock(MD5.v1, 1000),
      'params.yaml': 'train:\n  n_est: 100\n  lr: 0.1\n  seed: 7\n',
      'eval/metrics.json': JSON.stringify({ auc: 0.81, roc_auc: { test: 0.8, train: 0.9 }, curve: [1, 2] }),
      '.dvc/config': "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://acme-models/churn\n",
    });
    heads.c1 = await churn.commit('first model', { date: '2025-01-10T09:00:00+01:00' });
    await churn.tag('churn@v1.0.0', { message: 'first release', date: '2025-01-10T10:00:00+01:00', tagger: { name: 'Ada', email: 'ada@acme.test' } });
    await churn.tag('churn#prod#1', { message: 'ship it', date: '2025-01-11T10:00:00+01:00', tagger: { name: 'Bob', email: 'bob@acme.test' } });
    await churn.write({ 'dvc.lock': dvcLock(MD5.v2, 2000), 'eval/metrics.json': JSON.stringify({ auc: 0.85, roc_auc: { test: 0.84, train: 0.93 } }) });
    heads.c2 = await churn.commit('better model', { date: '2025-02-01T09:00:00+01:00' });
    await churn.tag('churn@v1.1.0', { message: 'better', date: '2025-02-01T10:00:00+01:00' });
    await churn.tag('churn#staging#2', { message: 'try it', date: '2025-02-02T10:00:00+01:00' });
    await churn.write({ 'dvc.lock': dvcLock(MD5.v3, 3000) });
    heads.c3 = await churn.commit('bad model', { date: '2025-03-01T09:00:00+01:00' });
    await churn.tag('churn@v1.2.0', { message: 'oops', date: '2025-03-01T10:00:00+01:00' });
    await churn.tag('churn@v1.2.0!', { message: 'broken, withdrawn', date: '2025-03-02T10:00:00+01:00' });
    await churn.lightweightTag('churn@v9.9.9');

    const broken = await createRepo(root, 'acme/broken', { bare: true });
    await broken.write({ 'dvc.yaml': 'artifacts:\n  broken:\n    path: [unclosed\n' });
    await broken.commit('broken dvc.yaml', { date: '2025-01-05T12:00:00Z' });
    await broken.tag('broken@v0.1.0', { message: 'x', date: '2025-01-05T12:30:00Z' });
    await broken.close();

    const vision = await createRepo(root, 'acme/vision');
    await vision.write({
      'detector/dvc.yaml': 'artifacts:\n  yolo:\n    path: models/yolo.pt\n    type: model\n    labels: [vision]\n',
      'detector/models/yolo.pt': 'weights',
    });
    await vision.commit('detector', { date: '2025-04-01T08:00:00-05:00' });
    await vision.tag('detector=yolo@v0.1.0', { message: 'first detector', date: '2025-04-01T08:30:00-05:00' });

    gateway = await startTestGateway(root);
    const summary = await gateway.index();
    expect(summary.failed).toEqual([]);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('lists every tagged model across repositories with its latest version and stages', async () => {
    const { data, errors } = await gateway.query(ModelsDocument, {});
    expect(errors).toBeUndefined();
    const models = data?.models.edges.map((e) => ({
      ref: e.node.ref,
      latest: e.node.latestVersion?.version ?? null,
      stages: e.node.stages.map((s) => `${s.stage}=${s.version.version}`),
    }));
    expect(models).toEqual([
      { ref: 'local:acme/broken:broken', latest: 'v0.1.0', stages: [] },
      { ref: 'local:acme/churn:churn', latest: 'v1.1.0', stages: ['prod=v1.0.0', 'staging=v1.1.0'] },
      { ref: 'local:acme/vision:detector:yolo', latest: 'v0.1.0', stages: [] },
    ]);
    expect(data?.models.totalCount).toBe(3);
  });

  it('reads the declaration, the model file, metrics and params at each version commit', async () => {
    const { data, errors } = await gateway.query(ModelDetailDocument, { ref: 'local:acme/churn:churn' });
    expect(errors).toBeUndefined();
    const model = data?.model;
    expect(model).toMatchObject({ path: 'models/churn.pkl', type: 'model', description: 'Predicts which customers will leave', labels: ['tabular', 'churn'] });
    expect(model?.versions.nodes.map((v) => v.version)).toEqual(['v1.1.0', 'v1.0.0']);
    const [v11, v10] = model?.versions.nodes ?? [];
    expect(v10?.artifact).toEqual({
      path: 'models/churn.pkl',
      md5: MD5.v1,
      size: 1000,
      nfiles: null,
      trackedBy: 'dvc.lock',
      storage: { remote: 'storage', url: `s3://acme-models/churn/files/md5/${MD5.v1.slice(0, 2)}/${MD5.v1.slice(2)}` },
    });
    expect(v11?.artifact?.md5).toBe(MD5.v2);
    expect(v10?.commit.sha).toBe(heads.c1);
    expect(v10?.author).toEqual({ name: 'Ada', email: 'ada@acme.test' });
    expect(v10?.createdAt).toBe('2025-01-10T10:00:00+01:00');
    expect(v10?.metrics).toEqual([
      { path: 'eval/metrics.json', key: 'auc', value: 0.81 },
      { path: 'eval/metrics.json', key: 'roc_auc.test', value: 0.8 },
      { path: 'eval/metrics.json', key: 'roc_auc.train', value: 0.9 },
    ]);
    expect(v11?.metrics.find((m) => m.key === 'auc')?.value).toBe(0.85);
    expect(v10?.params).toEqual([
      { path: 'params.yaml', key: 'train.lr', value: 0.1 },
      { path: 'params.yaml', key: 'train.n_est', value: 100 },
    ]);
  });

  it('leaves deregistered versions out unless asked for them', async () => {
    const { data } = await gateway.query(ModelDetailDocument, { ref: 'local:acme/churn:churn', includeDeregistered: true });
    expect(data?.model?.versions.nodes.map((v) => `${v.version}${v.deregistered ? '!' : ''}`)).toEqual(['v1.2.0!', 'v1.1.0', 'v1.0.0']);
    expect(data?.model?.versions.totalCount).toBe(3);
  });

  it('lists history newest first', async () => {
    const { data } = await gateway.query(ModelDetailDocument, { ref: 'local:acme/churn:churn' });
    expect(data?.model?.history.nodes.map((e) => `${e.kind} ${e.tag}`)).toEqual([
      'DEREGISTERED churn@v1.2.0!',
      'REGISTERED churn@v1.2.0',
      'ASSIGNED churn#staging#2',
      'REGISTERED churn@v1.1.0',
      'ASSIGNED churn#prod#1',
      'REGISTERED churn@v1.0.0',
    ]);
  });

  it('answers which version is in a stage, and where its file is', async () => {
    const { data, errors } = await gateway.query(ModelVersionDocument, { ref: 'local:acme/churn:churn#prod' });
    expect(errors).toBeUndefined();
    expect(data?.modelVersion).toMatchObject({
      ref: 'local:acme/churn:churn@v1.0.0',
      version: 'v1.0.0',
      stages: ['prod'],
      commit: { sha: heads.c1 },
      artifact: { path: 'models/churn.pkl', md5: MD5.v1 },
      model: { ref: 'local:acme/churn:churn' },
    });
    const latest = await gateway.query(ModelVersionDocument, { ref: 'local:acme/churn:churn@latest' });
    expect(latest.data?.modelVersion?.version).toBe('v1.1.0');
  });

  it('resolves nested dvc.yaml artifacts by their full name', async () => {
    const { data } = await gateway.query(ModelDetailDocument, { ref: 'local:acme/vision:detector:yolo' });
    expect(data?.model).toMatchObject({ name: 'detector:yolo', path: 'detector/models/yolo.pt', labels: ['vision'] });
    expect(data?.model?.versions.nodes[0]?.artifact).toMatchObject({ path: 'detector/models/yolo.pt', trackedBy: 'git', md5: null });
  });

  it('reports a broken dvc.yaml as a problem of its repository only', async () => {
    const { data } = await gateway.query(RepositoriesDocument, {});
    const byRef = Object.fromEntries((data?.repositories.nodes ?? []).map((r) => [r.ref, r]));
    expect(Object.keys(byRef)).toEqual(['local:acme/broken', 'local:acme/churn', 'local:acme/vision']);
    expect(byRef['local:acme/broken']?.problems).toEqual([expect.objectContaining({ file: 'dvc.yaml', line: expect.any(Number), message: expect.stringMatching(/YAML/i) })]);
    expect(byRef['local:acme/churn']?.problems.map((p) => p.file)).toEqual(['churn@v9.9.9']);
    expect(byRef['local:acme/vision']?.problems).toEqual([]);
    expect(byRef['local:acme/churn']).toMatchObject({ defaultBranch: 'main', stale: false, headCommit: { sha: heads.c3 }, models: { totalCount: 1 } });
  });

  it('pages through models with cursors and a stable total count', async () => {
    const first = await gateway.query(ModelsDocument, { first: 2 });
    expect(first.data?.models.edges.map((e) => e.node.name)).toEqual(['broken', 'churn']);
    expect(first.data?.models.pageInfo.hasNextPage).toBe(true);
    const second = await gateway.query(ModelsDocument, { first: 2, after: first.data?.models.pageInfo.endCursor });
    expect(second.data?.models.edges.map((e) => e.node.name)).toEqual(['detector:yolo']);
    expect(second.data?.models.pageInfo.hasNextPage).toBe(false);
    expect(second.data?.models.totalCount).toBe(3);
  });

  it.each([
    [{ labels: ['tabular'] }, ['churn']],
    [{ stage: 'prod' }, ['churn']],
    [{ type: 'model' }, ['churn', 'detector:yolo']],
    [{ query: 'CUSTOMERS' }, ['churn']],
    [{ repository: 'local:acme/vision' }, ['detector:yolo']],
  ])('filters models with %j', async (filter, names) => {
    const { data } = await gateway.query(ModelsDocument, { filter });
    expect(data?.models.edges.map((e) => e.node.name)).toEqual(names);
  });

  it('fetches every kind of node by its global ID', async () => {
    const { data } = await gateway.query(ModelDetailDocument, { ref: 'local:acme/churn:churn' });
    const id = data?.model?.id ?? '';
    const node = await gateway.query(NodeDocument, { id });
    expect(node.data?.node).toEqual({ id, __typename: 'Model', ref: 'local:acme/churn:churn' });
    const version = await gateway.query(ModelVersionDocument, { ref: 'local:acme/churn:churn@v1.0.0' });
    const versionNode = await gateway.query(NodeDocument, { id: version.data?.modelVersion?.id ?? '' });
    expect(versionNode.data?.node).toMatchObject({ __typename: 'ModelVersion', ref: 'local:acme/churn:churn@v1.0.0' });
  });

  it('answers null for an unknown model and a coded error for a malformed ref', async () => {
    const unknown = await gateway.query(ModelDetailDocument, { ref: 'local:acme/churn:nope' });
    expect(unknown.data?.model).toBeNull();
    const malformed = await gateway.query(ModelDetailDocument, { ref: 'no-colons' });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.message).toMatch(/not a model ref/);
  });

  it('refuses pages larger than the maximum with a clear error', async () => {
    const { errors } = await gateway.query(ModelsDocument, { first: 100000 });
    expect(errors?.[0]?.extensions?.code).toBe('PAGE_TOO_LARGE');
    expect(errors?.[0]?.message).toMatch(/first must be between 0 and 500/);
  });
});
