import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { CompareVersionsDocument, RepositoryProblemsDocument } from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { provenanceOf } from '../support/provenance.js';
import { startTestGateway } from '../support/testGateway.js';
import type { TestGateway } from '../support/testGateway.js';

/*
 * The harder corners of provenance, end to end over real repositories: plots that share or
 * split files, plot directories, params recorded by several stages, directories in Git,
 * lineage across nested dvc.lock files, cycles and huge pipelines, imports found by content.
 */

const md5 = (c: string): string => `${c}f`.repeat(16);

const lockOut = (path: string, hash: string, extra = ''): string => `    - path: ${path}\n      hash: md5\n      md5: ${hash}\n      size: 10\n${extra}`;

describe('provenance edge cases', () => {
  const dir = useTempDir('modelgate-provenance-edge');
  let gateway: TestGateway;
  let sourceHead = '';

  beforeAll(async () => {
    const plots = await createRepo(dir.path, 'edge/plots');
    await plots.write({
      'dvc.yaml': `stages:
  train:
    cmd: python train.py
    metrics:
      - eval/metrics.json:
          cache: false
    plots:
      - eval/noheader.csv:
          cache: false
          header: false
      - eval/metrics.json:
          cache: false
          x: step
          y: auc
plots:
  - curves:
      x: step
      y:
        eval/prc.json: precision
        eval/roc.json: tpr
  - prc-only:
      x: recall
      y:
        eval/curves.json: precision
  - roc-only:
      x: fpr
      y:
        eval/curves.json: tpr
  - live/plots
artifacts:
  code:
    path: src
  everything:
    path: .
`,
      'src/train.py': 'print(1)\n',
      'eval/metrics.json': JSON.stringify({ auc: 0.9, history: [{ step: 0, auc: 0.5 }, { step: 1, auc: 0.9 }] }),
      'eval/noheader.csv': '1,2\n3,4\n',
      'eval/prc.json': JSON.stringify([{ step: 0, precision: 0.5 }, { step: 1, precision: 0.7 }]),
      'eval/roc.json': JSON.stringify([{ step: 0, tpr: 0.1 }]),
      'eval/curves.json': JSON.stringify({ prc: [{ recall: 0.1, precision: 0.9 }], roc: [{ fpr: 0.2, tpr: 0.8 }] }),
      'live/plots/metrics/loss.tsv': 'step\tloss\n0\t1.5\n',
      'live/plots/metrics/acc.tsv': 'step\tacc\n0\t0.5\n',
    });
    await plots.commit('plots', { date: '2025-04-01T00:00:00Z' });
    await plots.tag('code@v1.0.0', { message: 'c', date: '2025-04-01T01:00:00Z' });
    await plots.tag('everything@v1.0.0', { message: 'e', date: '2025-04-01T01:00:00Z' });

    const params = await createRepo(dir.path, 'edge/params');
    const paramsLock = (optY: boolean) => `schema: '2.0'
stages:
  a:
    cmd: a
    params:
      custom.json:
        opt.x: 1
    outs:
${lockOut('a.out', md5('a'))}  b:
    cmd: b
    deps:
${lockOut('a.out', md5('a'))}    params:
      custom.json:
        opt.x: 5
${optY ? '        opt.y: 2\n' : ''}      train.toml:
        lr: 0.3
    outs:
${lockOut('model.pkl', md5('b'))}${lockOut('big', `${md5('c')}.dir`, '      nfiles: 3000000000\n')}`;
    await params.write({
      '.dvc/config': `[core]\n    remote = r\n['remote "r"']\n    url = s3://p\n`,
      'dvc.yaml': `stages:
  a:
    cmd: a
    params:
      - custom.json:
          - opt.x
    outs: [a.out]
  b:
    cmd: b
    deps: [a.out]
    params:
      - custom.json:
      - train.toml:
          - lr
    outs: [model.pkl, big]
artifacts:
  first: { path: a.out }
  m: { path: model.pkl }
  big: { path: big }
`,
      'custom.json': JSON.stringify({ opt: { x: 1, y: 2 } }),
      'train.toml': 'lr = 0.3\nepochs = 4\n',
      'dvc.lock': paramsLock(true),
    });
    await params.commit('one', { date: '2025-04-01T00:00:00Z' });
    for (const name of ['first', 'm', 'big']) await params.tag(`${name}@v1.0.0`, { message: name, date: '2025-04-01T01:00:00Z' });
    // opt.y leaves the file; the stage has not run since, so dvc.lock still records it.
    await params.write({ 'custom.json': JSON.stringify({ opt: { x: 1 } }) });
    await params.commit('two', { date: '2025-04-02T00:00:00Z' });
    await params.tag('m@v1.1.0', { message: 'm', date: '2025-04-02T01:00:00Z' });
    await params.tag('m#prod#1', { message: 'prod', date: '2025-04-02T02:00:00Z' });

    const lineage = await createRepo(dir.path, 'edge/lineage');
    await lineage.write({
      'dvc.yaml': `stages:
  train:
    cmd: python script.py
    wdir: training
    deps: [../data/features, script.py]
    outs: [../models/model.pkl]
  c1:
    cmd: c1
    deps: [c2.out]
    outs: [c1.out]
  c2:
    cmd: c2
    deps: [c1.out]
    outs: [c2.out]
artifacts:
  model: { path: models/model.pkl }
  cyc: { path: c1.out }
`,
      'dvc.lock': `schema: '2.0'
stages:
  train:
    cmd: python script.py
    deps:
${lockOut('../data/features', `${md5('f')}.dir`)}${lockOut('script.py', md5('s'))}    outs:
${lockOut('../models/model.pkl', md5('m'))}  c1:
    cmd: c1
    deps:
${lockOut('c2.out', md5('2'))}    outs:
${lockOut('c1.out', md5('1'))}  c2:
    cmd: c2
    deps:
${lockOut('c1.out', md5('1'))}    outs:
${lockOut('c2.out', md5('2'))}`,
      'training/script.py': 'print(2)\n',
      'data/dvc.yaml': 'stages:\n  feat1:\n    cmd: f1\n    deps: [https://example.com/raw.csv]\n    outs: [features/part1.csv]\n  feat2:\n    cmd: f2\n    deps: [external.xml, notes.txt]\n    outs: [features/part2.csv]\n',
      'data/dvc.lock': `schema: '2.0'
stages:
  feat1:
    cmd: f1
    deps:
    - path: https://example.com/raw.csv
      etag: abc
      size: 10
    outs:
${lockOut('features/part1.csv', md5('p'))}  feat2:
    cmd: f2
    deps:
${lockOut('external.xml', md5('x'))}${lockOut('notes.txt', md5('n'))}    outs:
${lockOut('features/part2.csv', md5('q'))}`,
      'data/external.xml.dvc': `md5: ${md5('d')}\nfrozen: true\ndeps:\n- path: https://data.example.com/external.xml\n  etag: '"abc"'\n  size: 10\nouts:\n- md5: ${md5('x')}\n  size: 10\n  hash: md5\n  path: external.xml\n`,
    });
    await lineage.commit('lineage', { date: '2025-04-01T00:00:00Z' });
    await lineage.tag('model@v1.0.0', { message: 'm', date: '2025-04-01T01:00:00Z' });
    await lineage.tag('cyc@v1.0.0', { message: 'c', date: '2025-04-01T01:00:00Z' });

    // A chain of 1,002 stages: lineage follows 1,000 and says it stopped.
    const chain = await createRepo(dir.path, 'edge/chain');
    const stages = Array.from({ length: 1002 }, (_, i) => `  s${i}:\n    cmd: s${i}\n${i > 0 ? `    deps:\n${lockOut(`o${i - 1}`, md5('e'))}` : ''}    outs:\n${lockOut(`o${i}`, md5('e'))}`);
    await chain.write({ 'dvc.yaml': 'artifacts:\n  last: { path: o1001 }\n', 'dvc.lock': `schema: '2.0'\nstages:\n${stages.join('')}` });
    await chain.commit('chain', { date: '2025-04-01T00:00:00Z' });
    await chain.tag('last@v1.0.0', { message: 'l', date: '2025-04-01T01:00:00Z' });

    // An import pinned to a commit no version sits on: found by the file's md5.
    const source = await createRepo(dir.path, 'edge/source');
    await source.write({
      'dvc.yaml': 'stages:\n  t:\n    cmd: t\n    outs: [m.pkl]\nartifacts:\n  m: { path: m.pkl }\n',
      'dvc.lock': `schema: '2.0'\nstages:\n  t:\n    cmd: t\n    outs:\n${lockOut('m.pkl', md5('7'))}`,
    });
    await source.commit('m', { date: '2025-04-01T00:00:00Z' });
    await source.tag('m@v1.0.0', { message: 'm', date: '2025-04-01T01:00:00Z' });
    await source.write({ 'README.md': 'later\n' });
    sourceHead = await source.commit('later', { date: '2025-04-02T00:00:00Z' });
    const consumer = await createRepo(dir.path, 'edge/consumer');
    await consumer.write({
      'dvc.yaml': 'artifacts:\n  served: { path: served.pkl }\n',
      'served.pkl.dvc': `md5: ${md5('8')}\nfrozen: true\ndeps:\n- path: m.pkl\n  repo:\n    url: ${join(dir.path, 'edge/source')}\n    rev: main\n    rev_lock: ${sourceHead}\nouts:\n- md5: ${md5('7')}\n  size: 10\n  hash: md5\n  path: served.pkl\n`,
    });
    await consumer.commit('served', { date: '2025-04-03T00:00:00Z' });
    await consumer.tag('served@v1.0.0', { message: 's', date: '2025-04-03T01:00:00Z' });

    gateway = await startTestGateway(dir.path);
    await gateway.index();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const provenance = (ref: string) => provenanceOf(gateway, ref);

  describe('plots', () => {
    it('reads each file of a multi-file y for its own fields, with no false problems', async () => {
      const curves = (await provenance('local:edge/plots:code@v1.0.0')).plots.find((p) => p.id === 'curves');
      expect(curves?.y).toEqual(['precision', 'tpr']);
      expect(curves?.data.map((d) => [d.path, d.location, d.rows])).toEqual([
        ['eval/prc.json', 'GIT', [{ step: 0, precision: 0.5 }, { step: 1, precision: 0.7 }]],
        ['eval/roc.json', 'GIT', [{ step: 0, tpr: 0.1 }]],
      ]);
      const { data } = await gateway.query(RepositoryProblemsDocument, { ref: 'local:edge/plots' });
      expect(data?.repository?.problems).toEqual([]);
    });

    it('gives two plots over one file each the list with its own fields', async () => {
      const v = await provenance('local:edge/plots:code@v1.0.0');
      expect(v.plots.find((p) => p.id === 'prc-only')?.data[0]?.rows).toEqual([{ recall: 0.1, precision: 0.9 }]);
      expect(v.plots.find((p) => p.id === 'roc-only')?.data[0]?.rows).toEqual([{ fpr: 0.2, tpr: 0.8 }]);
    });

    it('reads a metrics file that is also a plot both ways', async () => {
      const v = await provenance('local:edge/plots:code@v1.0.0');
      expect(v.metrics).toEqual([{ path: 'eval/metrics.json', key: 'auc', value: 0.9 }]);
      expect(v.plots.find((p) => p.id === 'eval/metrics.json')?.data[0]?.rows).toEqual([
        { step: 0, auc: 0.5 },
        { step: 1, auc: 0.9 },
      ]);
    });

    it('honours header: false on a CSV plot', async () => {
      const v = await provenance('local:edge/plots:code@v1.0.0');
      expect(v.plots.find((p) => p.id === 'eval/noheader.csv')?.data[0]?.rows).toEqual([
        { 0: 1, 1: 2 },
        { 0: 3, 1: 4 },
      ]);
    });

    it('expands a plot directory (DVCLive) to the files below it', async () => {
      const v = await provenance('local:edge/plots:code@v1.0.0');
      expect(v.plots.find((p) => p.id === 'live/plots')?.data.map((d) => [d.path, d.location, d.rows])).toEqual([
        ['live/plots/metrics/acc.tsv', 'GIT', [{ step: 0, acc: 0.5 }]],
        ['live/plots/metrics/loss.tsv', 'GIT', [{ step: 0, loss: 1.5 }]],
      ]);
    });

    it('finds a model that is a directory in Git, or the repository itself', async () => {
      expect((await provenance('local:edge/plots:code@v1.0.0')).artifact).toMatchObject({ path: 'src', trackedBy: 'git' });
      expect((await provenance('local:edge/plots:everything@v1.0.0')).artifact).toMatchObject({ path: '', trackedBy: 'git' });
    });
  });

  describe('params', () => {
    it("takes the recorded value from the stage that made the model file when stages recorded different ones; other files and TOML too", async () => {
      const m = await provenance('local:edge/params:m@v1.0.0');
      expect(m.params).toEqual([
        { path: 'custom.json', key: 'opt.x', value: 1, source: 'file', locked: true, lockedValue: 5 },
        { path: 'custom.json', key: 'opt.y', value: 2, source: 'file', locked: true, lockedValue: 2 },
        { path: 'train.toml', key: 'lr', value: 0.3, source: 'file', locked: true, lockedValue: 0.3 },
      ]);
      const first = await provenance('local:edge/params:first@v1.0.0');
      expect(first.params.find((p) => p.key === 'opt.x')?.lockedValue).toBe(1);
    });

    it('shows a count of files beyond 2^31 without an error', async () => {
      expect((await provenance('local:edge/params:big@v1.0.0')).artifact).toMatchObject({ md5: `${md5('c')}.dir`, nfiles: 3000000000 });
    });

    it('compares a param removed from the file as removed, not as changed to null, and accepts a bare #stage', async () => {
      const { data, errors } = await gateway.query(CompareVersionsDocument, { ref: 'local:edge/params:m@v1.0.0', to: '#prod' });
      expect(errors).toBeUndefined();
      expect(data?.modelVersion?.compare.to.ref).toBe('local:edge/params:m@v1.1.0');
      expect(data?.modelVersion?.compare.params).toEqual([{ path: 'custom.json', key: 'opt.y', from: 2, to: null, change: null, status: 'REMOVED' }]);
      expect(data?.modelVersion?.compare.fromUnavailable).toEqual([]);
    });
  });

  describe('lineage', () => {
    it('links a stage with a wdir to the stages of a nested dvc.lock that fill the directory it reads', async () => {
      const lineage = (await provenance('local:edge/lineage:model@v1.0.0')).lineage;
      expect(lineage).toMatchObject({ lockFile: 'dvc.lock', stage: 'train', truncated: false });
      expect(lineage?.deps.map((d) => [d.path, d.producedBy, d.source?.kind ?? null])).toEqual([
        ['data/features', 'data/dvc.lock:feat1', null],
        ['training/script.py', null, 'GIT'],
      ]);
      expect(lineage?.upstream.map((s) => `${s.lockFile}:${s.stage}`)).toEqual(['data/dvc.lock:feat1', 'data/dvc.lock:feat2']);
    });

    it('names every kind of source: a URL, an import-url, a file in Git, an untracked file', async () => {
      const lineage = (await provenance('local:edge/lineage:model@v1.0.0')).lineage;
      expect(lineage?.sources.map((s) => [s.path, s.kind, s.url ?? s.file ?? null])).toEqual([
        ['data/external.xml', 'IMPORT_URL', 'https://data.example.com/external.xml'],
        ['data/notes.txt', 'UNTRACKED', null],
        ['https://example.com/raw.csv', 'URL', 'https://example.com/raw.csv'],
        ['training/script.py', 'GIT', null],
      ]);
    });

    it('walks a cycle once', async () => {
      const lineage = (await provenance('local:edge/lineage:cyc@v1.0.0')).lineage;
      expect(lineage?.stage).toBe('c1');
      expect(lineage?.upstream.map((s) => s.stage)).toEqual(['c2']);
    });

    it('stops a pipeline of more than 1,000 stages and says so', async () => {
      const lineage = (await provenance('local:edge/chain:last@v1.0.0')).lineage;
      expect(lineage?.stage).toBe('s1001');
      expect(lineage?.upstream).toHaveLength(999);
      expect(lineage?.truncated).toBe(true);
    });
  });

  it('finds the imported version by content when the import is pinned to a commit no version sits on', async () => {
    const v = await provenance('local:edge/consumer:served@v1.0.0');
    expect(v.artifact?.importedFrom).toMatchObject({ revLock: sourceHead, rev: 'main', md5: md5('7'), repository: { ref: 'local:edge/source' }, modelVersions: [{ ref: 'local:edge/source:m@v1.0.0' }] });
  });
});
