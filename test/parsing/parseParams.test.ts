import { describe, expect, it } from '@jest/globals';
import { parseParams, selectParams } from '../../src/parsing/index.js';
import { PARAMS } from './fixtures.js';

describe('parseParams', () => {
  it('flattens to dotted keys, keeping lists whole and nulls', () => {
    expect(parseParams(PARAMS, 'params.yaml')).toEqual({
      value: [
        { key: 'prepare.split', value: 0.2 },
        { key: 'prepare.seed', value: 20170428 },
        { key: 'featurize.max_features', value: 200 },
        { key: 'featurize.ngrams', value: 2 },
        { key: 'train.seed', value: 20170428 },
        { key: 'train.n_est', value: 50 },
        { key: 'train.min_split', value: 0.01 },
        { key: 'train.layers', value: [64, 32] },
        { key: 'train.scheduler', value: null },
      ],
      problems: [],
    });
  });

  it('keeps mappings inside lists as they are', () => {
    expect(parseParams('{"augment": [{"flip": true}, {"rotate": 15}]}', 'custom.json').value).toEqual([
      { key: 'augment', value: [{ flip: true }, { rotate: 15 }] },
    ]);
  });

  it('reads TOML params', () => {
    expect(parseParams('[train]\nlr = 0.001\nlayers = [1, 2]\n', 'params.toml').value).toEqual([
      { key: 'train.lr', value: 0.001 },
      { key: 'train.layers', value: [1, 2] },
    ]);
  });

  it.each([
    ['a list', '- a\n- b\n', 'params.yaml', 'got a list'],
    ['a number', '3', 'params.json', 'got a number'],
  ])('reports a top level that is %s', (_case, text, file, message) => {
    expect(parseParams(text, file)).toEqual({ value: [], problems: [{ file, message: expect.stringContaining(message) }] });
  });

  it('reads Python params files, classes as sections', () => {
    expect(parseParams('LR = 0.1\n\nclass Train:\n    epochs = 10\n    layers = (64, 32)\n', 'params.py')).toEqual({
      value: [
        { key: 'LR', value: 0.1 },
        { key: 'Train.epochs', value: 10 },
        { key: 'Train.layers', value: [64, 32] },
      ],
      problems: [],
    });
  });

  it('reports a YAML syntax error with its line', () => {
    expect(parseParams('train:\n  lr: [0.1\n', 'params.yaml').problems).toEqual([
      { file: 'params.yaml', line: expect.any(Number), message: expect.stringContaining('YAML syntax error') },
    ]);
  });
});

describe('selectParams', () => {
  const values = parseParams(PARAMS, 'params.yaml').value;

  it.each([
    [['prepare.split'], ['prepare.split']],
    [['train'], ['train.seed', 'train.n_est', 'train.min_split', 'train.layers', 'train.scheduler']],
    [['featurize.ngrams', 'prepare'], ['prepare.split', 'prepare.seed', 'featurize.ngrams']],
    [['train.layers'], ['train.layers']],
    [['tra'], []],
    [['missing.key'], []],
    [[], []],
  ])('selects %j', (keys, expected) => {
    expect(selectParams(values, keys).map((kv) => kv.key)).toEqual(expected);
  });

  it('selects everything when no keys are given (the whole file is tracked)', () => {
    expect(selectParams(values)).toEqual(values);
  });
});
