import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModelDetailDocument, ModelVersionDocument, NodeDocument } from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { startTestGateway } from '../support/testGateway.js';
import type { TestGateway } from '../support/testGateway.js';

describe('a version name registered at two commits', () => {
  const dir = useTempDir('modelgate-version-refs');
  let gateway: TestGateway;
  let c1 = '';
  let c2 = '';

  beforeAll(async () => {
    const repo = await createRepo(dir.path, 'r');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  m: { path: m.pkl }\n' });
    c1 = await repo.commit('one', { date: '2025-01-01T00:00:00Z' });
    await repo.tag('m@v1.0.0', { message: 'first', date: '2025-01-01T01:00:00Z' });
    await repo.write({ 'm.txt': 'two' });
    c2 = await repo.commit('two', { date: '2025-01-02T00:00:00Z' });
    await repo.tag('m@v1.0.0#2', { message: 'again', date: '2025-01-02T01:00:00Z' });
    await repo.tag('m@v1.0.0!#3', { message: 'withdrawn', date: '2025-01-03T01:00:00Z' });
    gateway = await startTestGateway(dir.path);
    await gateway.index();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('keeps latest on the active registration and gives each version its own ref and ID', async () => {
    const { data } = await gateway.query(ModelDetailDocument, { ref: 'local:r:m', includeDeregistered: true });
    expect(data?.model?.latestVersion?.version).toBe('v1.0.0');
    const versions = data?.model?.versions.nodes ?? [];
    expect(versions.map((v) => [v.ref, v.commit.sha, v.deregistered])).toEqual([
      ['local:r:m@v1.0.0', c1, false],
      [`local:r:m@v1.0.0~${c2.slice(0, 12)}`, c2, true],
    ]);
    const latest = await gateway.query(ModelVersionDocument, { ref: 'local:r:m@latest' });
    expect(latest.data?.modelVersion?.commit.sha).toBe(c1);
    const second = await gateway.query(ModelVersionDocument, { ref: `local:r:m@v1.0.0~${c2.slice(0, 12)}` });
    expect(second.data?.modelVersion?.commit.sha).toBe(c2);
    const node = await gateway.query(NodeDocument, { id: second.data?.modelVersion?.id ?? '' });
    expect(node.data?.node).toMatchObject({ __typename: 'ModelVersion', ref: `local:r:m@v1.0.0~${c2.slice(0, 12)}` });
  });

  it('accepts an explicit null for stages(all:)', async () => {
    const { errors } = await gateway.raw('{ model(ref: "local:r:m") { stages(all: null) { stage } } }');
    expect(errors).toBeUndefined();
  });
});
