import { describe, expect, it } from '@jest/globals';
import { parseDvcYaml } from '../../src/parsing/index.js';
import { GET_STARTED } from './fixtures.js';

describe('parseDvcYaml: artifacts', () => {
  it('reads an artifact of the root dvc.yaml with its full name, path and metadata', () => {
    const { value, problems } = parseDvcYaml(GET_STARTED, 'dvc.yaml');
    expect(problems).toEqual([]);
    expect(value.artifacts).toStrictEqual([
      {
        fullName: 'text-classification',
        name: 'text-classification',
        dir: '',
        path: 'model.pkl',
        repoPath: 'model.pkl',
        type: 'model',
        description: 'Detect sentiment from text',
        labels: ['nlp', 'classification'],
      },
    ]);
  });

  it.each([
    ['dvc.yaml', 'churn', '', 'models/churn.pkl'],
    ['project_a/dvc.yaml', 'project_a:churn', 'project_a', 'project_a/models/churn.pkl'],
    ['Some/folder/A/dvc.yaml', 'Some/folder/A:churn', 'Some/folder/A', 'Some/folder/A/models/churn.pkl'],
  ])('names an artifact of %s by its directory', (file, fullName, dir, repoPath) => {
    const { value } = parseDvcYaml('artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n', file);
    expect(value.artifacts[0]).toMatchObject({ fullName, dir, repoPath, name: 'churn' });
  });

  it('resolves ".." in an artifact path against the dvc.yaml directory', () => {
    const { value } = parseDvcYaml('artifacts:\n  m:\n    path: ../shared/./model.pkl\n', 'project_a/sub/dvc.yaml');
    expect(value.artifacts[0]?.repoPath).toBe('project_a/shared/model.pkl');
  });

  it.each(['s3://gto-example/models/churn.pkl', 'https://example.com/models/nn.onnx', 'gs://bucket/dir/'])(
    'keeps the URL %s as the repoPath',
    (url) => {
      const { value } = parseDvcYaml(`artifacts:\n  churn:\n    path: ${url}\n`, 'project_a/dvc.yaml');
      expect(value.artifacts[0]).toMatchObject({ path: url, repoPath: url });
    },
  );

  it('reports a missing path with its line and keeps the other artifacts', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n  good:\n    path: a.pkl\n  nopath:\n    type: model\n', 'dvc.yaml');
    expect(value.artifacts.map((a) => a.name)).toEqual(['good']);
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 4, message: expect.stringContaining("'path' is required") }]);
  });

  it('reports an unknown field and leaves that declaration out, as DVC rejects it', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n  good:\n    path: a.pkl\n  odd:\n    path: b.pkl\n    kek: 1\n', 'dvc.yaml');
    expect(value.artifacts.map((a) => a.name)).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain("unknown field 'kek'");
  });

  it('keeps an artifact with a name GTO cannot tag, and reports it', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n  _bad_name_:\n    path: m.pkl\n', 'dvc.yaml');
    expect(value.artifacts.map((a) => a.fullName)).toEqual(['_bad_name_']);
    expect(problems[0]).toMatchObject({ line: 2, message: expect.stringContaining('cannot be tagged') });
  });

  it('reports a directory name that GTO cannot tag', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n  model:\n    path: m.pkl\n', 'my project/dvc.yaml');
    expect(value.artifacts[0]?.fullName).toBe('my project:model');
    expect(problems[0]?.message).toContain('not a valid GTO artifact name');
  });

  it.each([
    ['path: 3', "'path' is required"],
    ['path: [a, b]', "'path' is required"],
    ['path: ""', "'path' is required"],
  ])('skips an artifact whose %s', (field, message) => {
    const { value, problems } = parseDvcYaml(`artifacts:\n  m:\n    ${field}\n`, 'dvc.yaml');
    expect(value.artifacts).toEqual([]);
    expect(problems[0]?.message).toContain(message);
  });

  it.each([
    ['type: [model]', 'type', []],
    ['desc: {a: 1}', 'desc', []],
    ['labels: nlp', 'labels', []],
    ['labels: [nlp, 3, null]', 'labels', ['nlp']],
  ])('reports a bad %s and keeps the rest of the artifact', (field, name, labels) => {
    const { value, problems } = parseDvcYaml(`artifacts:\n  m:\n    path: m.pkl\n    ${field}\n`, 'dvc.yaml');
    expect(value.artifacts).toStrictEqual([{ fullName: 'm', name: 'm', dir: '', path: 'm.pkl', repoPath: 'm.pkl', labels }]);
    expect(problems[0]?.message).toContain(`artifacts.m.${name}`);
  });

  it('keeps meta as written', () => {
    const { value } = parseDvcYaml('artifacts:\n  m:\n    path: m.pkl\n    meta: {framework: sklearn, metrics: [0.9, 0.8]}\n', 'dvc.yaml');
    expect(value.artifacts[0]?.meta).toEqual({ framework: 'sklearn', metrics: [0.9, 0.8] });
  });

  it('interpolates artifact names and paths from vars', () => {
    const text = 'vars:\n  - model: churn\n    dir: models\nartifacts:\n  ${model}:\n    path: ${dir}/${model}.pkl\n';
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(problems).toEqual([]);
    expect(value.artifacts[0]).toMatchObject({ fullName: 'churn', path: 'models/churn.pkl' });
  });

  it('reports an unresolved variable in an artifact path', () => {
    const { problems } = parseDvcYaml('artifacts:\n  m:\n    path: models/${train.arch}.pkl\n', 'dvc.yaml');
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 2, message: expect.stringContaining("could not resolve '${train.arch}'") }]);
  });

  it('reports artifacts that are not a mapping', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n- churn\n', 'dvc.yaml');
    expect(value.artifacts).toEqual([]);
    expect(problems[0]).toMatchObject({ line: 1, message: expect.stringContaining('got a list') });
  });
});

describe('parseDvcYaml: stages', () => {
  it('reads the example-get-started pipeline', () => {
    const { value } = parseDvcYaml(GET_STARTED, 'dvc.yaml');
    expect(value.stages.map((s) => s.name)).toEqual(['prepare', 'featurize', 'train', 'evaluate']);
    expect(value.stages[2]).toStrictEqual({
      name: 'train',
      wdir: '',
      cmd: 'python src/train.py data/features model.pkl',
      deps: ['data/features', 'src/train.py'],
      params: [{ file: 'params.yaml', keys: ['train.seed', 'train.n_est', 'train.min_split'] }],
      outs: [{ repoPath: 'model.pkl', kind: 'out', cache: true }],
    });
  });

  it('makes every stage path relative to the repository root through the wdir', () => {
    const text = 'stages:\n  train:\n    wdir: ../src\n    cmd: [python train.py, echo done]\n    deps: [train.py, ../data/x.csv]\n    outs: [../models/m.pkl]\n';
    const { value } = parseDvcYaml(text, 'project_a/pipelines/dvc.yaml');
    expect(value.stages[0]).toMatchObject({
      wdir: 'project_a/src',
      cmd: ['python train.py', 'echo done'],
      deps: ['project_a/src/train.py', 'project_a/data/x.csv'],
      outs: [{ repoPath: 'project_a/models/m.pkl' }],
    });
  });

  it.each([
    ['dvc.yaml', './', '', 'm.pkl'],
    ['dvc.yaml', '.', '', 'm.pkl'],
    ['project_a/dvc.yaml', '..', '', 'm.pkl'],
    ['project_a/dvc.yaml', '../', '', 'm.pkl'],
    ['project_a/dvc.yaml', 'src/', 'project_a/src', 'project_a/src/m.pkl'],
  ])('in %s resolves wdir %p to %p', (file, wdir, expected, out) => {
    const { value } = parseDvcYaml(`stages:\n  t:\n    cmd: x\n    wdir: "${wdir}"\n    outs: [m.pkl]\n`, file);
    expect(value.stages[0]).toMatchObject({ wdir: expected, outs: [{ repoPath: out }] });
  });

  it('reads outs, metrics and plots with cache, remote and push', () => {
    const text = `stages:
  evaluate:
    cmd: python src/evaluate.py
    outs:
    - model.pkl:
        remote: Models
        push: false
    metrics:
    - eval/metrics.json:
        cache: false
    plots:
    - eval/plots/roc.json:
        cache: false
        x: fpr
        y: tpr
        template: simple
        title: ROC
        x_label: False positive rate
        y_label: True positive rate
`;
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(problems).toEqual([]);
    expect(value.stages[0]?.outs).toStrictEqual([
      { repoPath: 'model.pkl', kind: 'out', cache: true, remote: 'Models', push: false },
      { repoPath: 'eval/metrics.json', kind: 'metric', cache: false },
      { repoPath: 'eval/plots/roc.json', kind: 'plot', cache: false },
    ]);
    expect(value.plots).toStrictEqual([
      {
        id: 'eval/plots/roc.json',
        files: ['eval/plots/roc.json'],
        x: 'fpr',
        y: ['tpr'],
        template: 'simple',
        title: 'ROC',
        xLabel: 'False positive rate',
        yLabel: 'True positive rate',
      },
    ]);
  });

  it('reads header: false of a CSV plot output, for parsePlotData', () => {
    const text = 'stages:\n  t:\n    cmd: x\n    plots:\n    - logs/acc.csv:\n        header: false\n        x: "0"\n        y: "1"\n';
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(problems).toEqual([]);
    expect(value.plots).toStrictEqual([{ id: 'logs/acc.csv', files: ['logs/acc.csv'], x: '0', y: ['1'], header: false }]);
  });

  it('reports a plot header that is not true or false', () => {
    const { value, problems } = parseDvcYaml('stages:\n  t:\n    cmd: x\n    plots:\n    - a.csv:\n        header: no-thanks\n', 'dvc.yaml');
    expect(value.plots).toStrictEqual([{ id: 'a.csv', files: ['a.csv'] }]);
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 6, message: expect.stringContaining("header of 'a.csv': expected true or false, got a string") }]);
  });

  it.each([
    ['cache: "no"', 'cache'],
    ['push: 0', 'push'],
    ['remote: [a]', 'remote'],
  ])('reports an output with %s and keeps its default', (option, field) => {
    const { value, problems } = parseDvcYaml(`stages:\n  s:\n    cmd: x\n    outs:\n    - m.pkl:\n        ${option}\n`, 'dvc.yaml');
    expect(value.stages[0]?.outs).toStrictEqual([{ repoPath: 'm.pkl', kind: 'out', cache: true }]);
    expect(problems[0]).toMatchObject({ line: 6, message: expect.stringContaining(`${field} of 'm.pkl'`) });
  });

  it('groups params by file, with bare keys going to params.yaml in the wdir', () => {
    const text = `stages:
  train:
    cmd: python train.py
    wdir: src
    params:
    - train.seed
    - custom.json:
      - model.layers
    - train.n_est
    - custom.json:
      - model.layers
      - model.dropout
    - configs/other.toml:
`;
    const { value } = parseDvcYaml(text, 'dvc.yaml');
    expect(value.stages[0]?.params).toStrictEqual([
      { file: 'src/params.yaml', keys: ['train.seed', 'train.n_est'] },
      { file: 'src/custom.json', keys: ['model.layers', 'model.dropout'] },
      { file: 'src/configs/other.toml' },
    ]);
  });

  it('ignores bare keys when params.yaml is tracked whole, as DVC does', () => {
    const text = 'stages:\n  train:\n    cmd: x\n    params:\n    - train.seed\n    - params.yaml:\n';
    expect(parseDvcYaml(text, 'dvc.yaml').value.stages[0]?.params).toStrictEqual([{ file: 'params.yaml' }]);
  });

  it('treats an empty key list as the whole file', () => {
    const text = 'stages:\n  train:\n    cmd: x\n    params:\n    - custom.yaml: []\n';
    expect(parseDvcYaml(text, 'dvc.yaml').value.stages[0]?.params).toStrictEqual([{ file: 'custom.yaml' }]);
  });

  it.each([
    ['params: train.seed', 'params: expected a list'],
    ['params: [3]', 'expected a key or {file: [keys]}'],
    ['params: [{custom.json: model}]', "for 'custom.json'"],
    ['params: [{custom.json: [1]}]', 'expected a key name'],
    ['deps: src/train.py', 'deps: expected a list of paths'],
    ['deps: [{src/train.py: {}}]', 'expected a path'],
    ['outs: model.pkl', 'outs: expected a list'],
    ['outs: [{a: {}, b: {}}]', 'expected a path or {path:'],
    ['outs: [{m.pkl: true}]', "options of 'm.pkl'"],
    ['plots: [{p.json: {x: [1]}}]', "x of 'p.json'"],
    ['plots: [{p.json: {y: {a: 1}}}]', "y of 'p.json'"],
    ['wdir: 3', 'wdir: expected a directory path'],
    ['cmd: {python: train.py}', 'cmd: expected a string or a list'],
    ['frozn: true', "unknown stage field 'frozn'"],
  ])('reports a stage with %s', (field, message) => {
    const { value, problems } = parseDvcYaml(`stages:\n  train:\n    cmd: python train.py\n    ${field}\n`.replace(/cmd: python train.py\n    cmd:/, 'cmd:'), 'dvc.yaml');
    expect(value.stages.map((s) => s.name)).toEqual(['train']);
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining(message)]);
  });

  it('reports a stage without cmd but keeps its outputs', () => {
    const { value, problems } = parseDvcYaml('stages:\n  train:\n    outs: [model.pkl]\n', 'dvc.yaml');
    expect(value.stages[0]?.outs).toHaveLength(1);
    expect(problems[0]?.message).toContain('cmd is required');
  });

  it.each([
    ['a list', 'stages:\n- train\n', 'stages: expected a mapping'],
    ['a string definition', 'stages:\n  train: python train.py\n', 'stages.train: expected a stage definition'],
  ])('reports stages given as %s', (_case, text, message) => {
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(value.stages).toEqual([]);
    expect(problems[0]?.message).toContain(message);
  });
});

describe('parseDvcYaml: foreach and matrix', () => {
  it('expands foreach over a list into name@item stages', () => {
    const text = `stages:
  train:
    foreach: [us, eu]
    do:
      cmd: python train.py --region \${item}
      outs:
      - models/\${item}.pkl
`;
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(problems).toEqual([]);
    expect(value.stages.map((s) => [s.name, s.cmd, s.outs[0]?.repoPath])).toEqual([
      ['train@us', 'python train.py --region us', 'models/us.pkl'],
      ['train@eu', 'python train.py --region eu', 'models/eu.pkl'],
    ]);
  });

  it('expands foreach over a mapping with ${key} and ${item.field}', () => {
    const text = `stages:
  build:
    foreach:
      uk: {epochs: 10, lr: 0.1}
      us: {epochs: 20, lr: 0.01}
    do:
      cmd: python train.py \${key} \${item.epochs} \${item.lr}
`;
    const { value } = parseDvcYaml(text, 'dvc.yaml');
    expect(value.stages.map((s) => [s.name, s.cmd])).toEqual([
      ['build@uk', 'python train.py uk 10 0.1'],
      ['build@us', 'python train.py us 20 0.01'],
    ]);
  });

  it('names foreach stages over a list of mappings by index, as DVC does', () => {
    const text = 'stages:\n  s:\n    foreach: [{n: a}, {n: b}]\n    do:\n      cmd: run ${item.n}\n';
    expect(parseDvcYaml(text, 'dvc.yaml').value.stages.map((s) => [s.name, s.cmd])).toEqual([
      ['s@0', 'run a'],
      ['s@1', 'run b'],
    ]);
  });

  it('expands foreach over a list taken from vars', () => {
    const text = 'vars:\n  - regions: [us, eu]\nstages:\n  s:\n    foreach: ${regions}\n    do:\n      cmd: run ${item}\n';
    expect(parseDvcYaml(text, 'dvc.yaml').value.stages.map((s) => s.name)).toEqual(['s@us', 's@eu']);
  });

  it('expands a matrix into the cartesian product', () => {
    const text = `stages:
  train:
    matrix:
      model: [cnn, xgb]
      feature: [a, b]
      shuffle: [true]
    cmd: python train.py \${item.model} \${item.feature} \${item.shuffle}
    outs:
    - \${item.model}-\${item.feature}.pkl
`;
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(problems).toEqual([]);
    expect(value.stages.map((s) => [s.name, s.cmd, s.outs[0]?.repoPath])).toEqual([
      ['train@cnn-a-true', 'python train.py cnn a true', 'cnn-a.pkl'],
      ['train@cnn-b-true', 'python train.py cnn b true', 'cnn-b.pkl'],
      ['train@xgb-a-true', 'python train.py xgb a true', 'xgb-a.pkl'],
      ['train@xgb-b-true', 'python train.py xgb b true', 'xgb-b.pkl'],
    ]);
  });

  it('names composite matrix values by axis and index', () => {
    const text = 'stages:\n  t:\n    matrix:\n      cfg: [{lr: 1}, {lr: 2}]\n    cmd: run ${item.cfg.lr}\n';
    expect(parseDvcYaml(text, 'dvc.yaml').value.stages.map((s) => [s.name, s.cmd])).toEqual([
      ['t@cfg0', 'run 1'],
      ['t@cfg1', 'run 2'],
    ]);
  });

  it.each([
    ['foreach from a params file', 'foreach: ${models}\n    do:\n      cmd: x', "could not resolve '${models}'"],
    ['foreach over a string', 'foreach: abc\n    do:\n      cmd: x', 'expected a list or a mapping'],
    ['foreach without do', 'foreach: [a]', "'do' must be a stage definition"],
    ['foreach with extra keys', 'foreach: [a]\n    cmd: x\n    do:\n      cmd: x', "only 'foreach' and 'do'"],
    ['matrix with a scalar axis', 'matrix:\n      model: cnn\n    cmd: x', "'model' must be a non-empty list"],
    ['matrix as a list', 'matrix: [a, b]\n    cmd: x', 'expected a mapping of names to lists'],
    ['a huge matrix', 'matrix:\n      a: [1,2,3,4,5,6,7,8,9,10]\n      b: [1,2,3,4,5,6,7,8,9,10]\n      c: [1,2,3,4,5,6,7,8,9,10,11]\n    cmd: x', '1100 combinations'],
  ])('reports and skips %s', (_case, body, message) => {
    const { value, problems } = parseDvcYaml(`stages:\n  t:\n    ${body}\n  other:\n    cmd: y\n`, 'dvc.yaml');
    expect(value.stages.map((s) => s.name)).toEqual(['other']);
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 2, message: expect.stringContaining(message) }]);
  });

  it('reports an unresolved variable of an expanded stage once', () => {
    const text = 'stages:\n  t:\n    foreach: [a, b, c]\n    do:\n      cmd: run ${item} --epochs ${train.epochs}\n';
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(value.stages).toHaveLength(3);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain("'${train.epochs}'");
  });

  it('uses stage-level vars', () => {
    const text = 'stages:\n  t:\n    vars:\n      - epochs: 5\n    cmd: run --epochs ${epochs}\n';
    expect(parseDvcYaml(text, 'dvc.yaml').value.stages[0]?.cmd).toBe('run --epochs 5');
  });

  it('keeps an escaped \\${ as a literal', () => {
    const text = 'stages:\n  t:\n    cmd: echo \\${HOME}\n';
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(value.stages[0]?.cmd).toBe('echo ${HOME}');
    expect(problems).toEqual([]);
  });

  it('reports a list spliced into text', () => {
    const text = 'vars:\n  - layers: [1, 2]\nstages:\n  t:\n    cmd: run ${layers}\n';
    expect(parseDvcYaml(text, 'dvc.yaml').problems[0]?.message).toContain('cannot put a list inside text');
  });
});

describe('parseDvcYaml: top-level metrics, params and plots', () => {
  it('reads top-level metrics and params files from the dvc.yaml directory', () => {
    const { value } = parseDvcYaml('metrics:\n- dvclive/metrics.json\nparams:\n- dvclive/params.yaml\n', 'project_a/dvc.yaml');
    expect(value.metrics).toEqual(['project_a/dvclive/metrics.json']);
    expect(value.params).toEqual(['project_a/dvclive/params.yaml']);
  });

  it('reads plots with y per file, and path plots', () => {
    const { value } = parseDvcYaml(GET_STARTED, 'dvc.yaml');
    expect(value.plots).toStrictEqual([
      {
        id: 'ROC',
        files: ['eval/plots/sklearn/roc/train.json', 'eval/plots/sklearn/roc/test.json'],
        x: 'fpr',
        y: ['tpr'],
        template: 'simple',
        fields: { 'eval/plots/sklearn/roc/train.json': ['tpr', 'fpr'], 'eval/plots/sklearn/roc/test.json': ['tpr', 'fpr'] },
      },
      {
        id: 'Confusion-Matrix',
        files: ['eval/plots/sklearn/cm/train.json', 'eval/plots/sklearn/cm/test.json'],
        x: 'actual',
        y: ['predicted'],
        template: 'confusion',
        fields: { 'eval/plots/sklearn/cm/train.json': ['predicted', 'actual'], 'eval/plots/sklearn/cm/test.json': ['predicted', 'actual'] },
      },
      { id: 'eval/plots/images/importance.png', files: ['eval/plots/images/importance.png'] },
    ]);
  });

  it('reads a plot whose id is its file and y lists several fields', () => {
    const text = 'plots:\n- dvclive/plots/metrics/acc.tsv:\n    x: step\n    y: [acc, val_acc]\n- logs.csv:\n';
    expect(parseDvcYaml(text, 'sub/dvc.yaml').value.plots).toStrictEqual([
      { id: 'dvclive/plots/metrics/acc.tsv', files: ['sub/dvclive/plots/metrics/acc.tsv'], x: 'step', y: ['acc', 'val_acc'] },
      { id: 'logs.csv', files: ['sub/logs.csv'] },
    ]);
  });

  it('reads y as {file: [fields]} and x as {file: field}', () => {
    const text = 'plots:\n- prc:\n    x: {eval/prc.json: recall}\n    y: {eval/prc.json: [precision, threshold]}\n';
    expect(parseDvcYaml(text, 'dvc.yaml').value.plots).toStrictEqual([
      { id: 'prc', files: ['eval/prc.json'], x: 'recall', y: ['precision', 'threshold'], fields: { 'eval/prc.json': ['recall', 'precision', 'threshold'] } },
    ]);
  });

  it.each([
    ['metrics: eval/metrics.json', 'metrics: expected a list of file paths'],
    ['metrics: [3]', 'metrics[0]: expected a file path'],
    ['params: {a: 1}', 'params: expected a list of file paths'],
    ['plots: roc.json', 'plots: expected a list'],
    ['plots: [3]', 'plots[0]: expected a path'],
    ['plots: [{roc: yes}]', 'plots[0].roc: expected {x, y'],
    ['plots: [{roc: {title: [a]}}]', 'plots[0].roc.title: title: expected a string'],
    ['vars: {a: 1}', 'vars: expected a list'],
    ['vars: [3]', 'vars[0]: expected a mapping or a file name'],
    ['stges: {}', "stges: unknown section 'stges'"],
  ])('reports %s', (text, message) => {
    const { problems } = parseDvcYaml(`${text}\n`, 'dvc.yaml');
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining(message)]);
  });
});

describe('parseDvcYaml: hostile and broken files', () => {
  it('reports a YAML syntax error with its line and returns nothing', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n  m:\n    path: [a\nstages: {}\n', 'dvc.yaml');
    expect(value.artifacts).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'dvc.yaml', message: expect.stringContaining('YAML syntax error') });
    expect(problems[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('reports duplicate keys as a syntax error at the second key', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n  m:\n    path: a\n  m:\n    path: b\n', 'dvc.yaml');
    expect(value.artifacts).toEqual([]);
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 4, message: expect.stringContaining('unique') }]);
  });

  it.each([
    ['a list', '- stages\n- artifacts\n', 'got a list'],
    ['a string', 'just text\n', 'got a string'],
    ['a number', '42\n', 'got a number'],
  ])('reports a top level that is %s', (_case, text, message) => {
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(value).toStrictEqual({ file: 'dvc.yaml', dir: '', artifacts: [], stages: [], metrics: [], params: [], plots: [] });
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 1, message: expect.stringContaining(message) }]);
  });

  it('reads an empty file as an empty dvc.yaml', () => {
    expect(parseDvcYaml('', 'dvc.yaml')).toStrictEqual({
      value: { file: 'dvc.yaml', dir: '', artifacts: [], stages: [], metrics: [], params: [], plots: [] },
      problems: [],
    });
  });

  it('keeps a 900 KB description', () => {
    const desc = 'x'.repeat(900 * 1024);
    const { value } = parseDvcYaml(`artifacts:\n  m:\n    path: m.pkl\n    desc: ${desc}\n`, 'dvc.yaml');
    expect(value.artifacts[0]?.description?.length).toBe(900 * 1024);
  });

  it('refuses a 5 MB file unread, over the metadata size limit', () => {
    const desc = 'x'.repeat(5 * 1024 * 1024);
    const { value, problems } = parseDvcYaml(`artifacts:\n  m:\n    path: m.pkl\n    desc: ${desc}\n`, 'dvc.yaml');
    expect(value.artifacts).toEqual([]);
    expect(problems).toEqual([{ file: 'dvc.yaml', message: expect.stringContaining('over the 1 MiB limit for metadata files; it was not read') }]);
  });

  it('does not let __proto__ keys pollute Object.prototype', () => {
    const text = `vars:
  - __proto__: {polluted: yes}
artifacts:
  __proto__:
    path: m.pkl
    meta: {__proto__: {polluted: yes}}
stages:
  __proto__:
    cmd: run \${__proto__.polluted}
    params:
    - __proto__: [polluted]
`;
    const { value } = parseDvcYaml(text, 'dvc.yaml');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(value.artifacts[0]?.name).toBe('__proto__');
    expect(value.stages[0]).toMatchObject({ name: '__proto__', cmd: 'run yes', params: [{ file: '__proto__', keys: ['polluted'] }] });
  });

  it('does not resolve variables from the prototype chain', () => {
    const { problems } = parseDvcYaml('stages:\n  t:\n    cmd: run ${constructor.name}\n', 'dvc.yaml');
    expect(problems[0]?.message).toContain("could not resolve '${constructor.name}'");
  });

  it('reports an alias bomb instead of expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const { problems } = parseDvcYaml(`${lines.join('\n')}\n`, 'dvc.yaml');
    expect(problems).toEqual([{ file: 'dvc.yaml', message: expect.stringContaining('alias') }]);
  });

  it('reports absurdly deep nesting instead of throwing', () => {
    const text = `artifacts: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    const { value, problems } = parseDvcYaml(text, 'dvc.yaml');
    expect(value.artifacts).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ file: 'dvc.yaml', message: expect.stringContaining('more than 200 levels deep') })]);
  });
});
