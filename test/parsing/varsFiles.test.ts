import { describe, expect, it } from '@jest/globals';
import { parseDvcYaml, varsFilesOf } from '../../src/parsing/index.js';

const YAML = `vars:
  - config.yaml:paths
  - local: { seed: 7 }
stages:
  train:
    vars:
      - train/overrides.json
    wdir: train
    cmd: python train.py --epochs \${train.epochs} --lr \${lr} --seed \${local.seed}
    outs:
      - \${paths.models}/model.pkl
artifacts:
  churn:
    path: \${paths.models}/model.pkl
    desc: trained for \${train.epochs} epochs
`;

describe('dvc.yaml variables from files (params.yaml and vars: entries)', () => {
  it('lists the files DVC would read: params.yaml next to dvc.yaml, file-level vars, stage vars relative to the stage wdir', () => {
    expect(varsFilesOf(YAML, 'ml/dvc.yaml').sort()).toEqual(['ml/config.yaml', 'ml/params.yaml', 'ml/train/train/overrides.json']);
    expect(varsFilesOf('not: [valid', 'dvc.yaml')).toEqual(['params.yaml']);
  });

  it('resolves ${…} from params.yaml, selected keys of a vars file, inline vars and stage vars files', () => {
    const varsFiles = new Map<string, unknown>([
      ['params.yaml', { train: { epochs: 20 } }],
      ['config.yaml', { paths: { models: 'out/models' }, ignored: { x: 1 } }],
      ['train/train/overrides.json', { lr: 0.01 }],
    ]);
    const { value, problems } = parseDvcYaml(YAML, 'dvc.yaml', { varsFiles });
    expect(problems).toEqual([]);
    expect(value.artifacts[0]).toMatchObject({ repoPath: 'out/models/model.pkl', description: 'trained for 20 epochs' });
    expect(value.stages[0]).toMatchObject({ cmd: 'python train.py --epochs 20 --lr 0.01 --seed 7', outs: [{ repoPath: 'train/out/models/model.pkl' }] });
  });

  it('reports a vars file that is not in Git, a missing selected key, and a variable defined twice (DVC MergeError), keeping the first', () => {
    const varsFiles = new Map<string, unknown>([
      ['params.yaml', { paths: { models: 'from-params' } }],
      ['config.yaml', { paths: { models: 'from-config' } }],
    ]);
    const { value, problems } = parseDvcYaml(YAML, 'dvc.yaml', { varsFiles });
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/variable 'paths\.models' from 'config\.yaml' is already defined; DVC refuses to merge it/),
        expect.stringMatching(/vars file 'train\/train\/overrides\.json' is not in Git at this commit/),
        expect.stringMatching(/could not resolve '\$\{train\.epochs\}': no such variable in the file's vars or its params\.yaml/),
      ]),
    );
    expect(value.artifacts[0]?.repoPath).toBe('from-params/model.pkl');
    const missingKey = parseDvcYaml('vars:\n  - config.yaml:nope\n', 'dvc.yaml', { varsFiles });
    expect(missingKey.problems.map((p) => p.message)).toEqual([expect.stringMatching(/vars file 'config\.yaml' has no key 'nope'/)]);
  });

  it('never changes the parsed files it is given', () => {
    const params = { paths: { models: 'm' } };
    const varsFiles = new Map<string, unknown>([['params.yaml', params], ['config.yaml', { paths: { extra: 'e' } }]]);
    parseDvcYaml(YAML, 'dvc.yaml', { varsFiles });
    expect(params).toEqual({ paths: { models: 'm' } });
  });

  it('without vars files, says that the variable is missing and keeps the text', () => {
    const { value, problems } = parseDvcYaml('artifacts:\n  m:\n    path: ${dir}/m.pkl\n', 'dvc.yaml');
    expect(problems[0]?.message).toMatch(/could not resolve '\$\{dir\}'/);
    expect(value.artifacts[0]?.path).toBe('${dir}/m.pkl');
  });
});
