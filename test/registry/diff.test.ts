import { describe, expect, it } from '@jest/globals';
import { diffKeyValues } from '../../src/registry/index.js';

const kv = (key: string, value: unknown, path = 'metrics.json') => ({ path, key, value });

describe('diffKeyValues (dvc metrics diff / dvc params diff)', () => {
  it('lists changed, added and removed keys by file then key, with change = to − from for numbers', () => {
    const rows = diffKeyValues(
      [kv('auc', 0.8), kv('loss', 0.3), kv('gone', 1), kv('same', 2), kv('x', 1, 'a.json')],
      [kv('auc', 0.85), kv('loss', 0.1), kv('new', 'yes'), kv('same', 2), kv('x', 1, 'a.json')],
    );
    expect(rows).toEqual([
      { path: 'metrics.json', key: 'auc', from: 0.8, to: 0.85, change: 0.05, status: 'modified' },
      { path: 'metrics.json', key: 'gone', from: 1, status: 'removed' },
      { path: 'metrics.json', key: 'loss', from: 0.3, to: 0.1, change: -0.2, status: 'modified' },
      { path: 'metrics.json', key: 'new', to: 'yes', status: 'added' },
    ]);
  });

  it('lists unchanged keys too with all, and compares lists and objects by value', () => {
    const rows = diffKeyValues([kv('l', [1, 2]), kv('s', 'a')], [kv('l', [1, 2]), kv('s', 'b')], true);
    expect(rows).toEqual([
      { path: 'metrics.json', key: 'l', from: [1, 2], to: [1, 2], status: 'unchanged' },
      { path: 'metrics.json', key: 's', from: 'a', to: 'b', status: 'modified' },
    ]);
  });

  it('gives no change for non-numbers or booleans, and keeps a null that is really there', () => {
    expect(diffKeyValues([kv('b', true), kv('n', null)], [kv('b', false), kv('n', 1)])).toEqual([
      { path: 'metrics.json', key: 'b', from: true, to: false, status: 'modified' },
      { path: 'metrics.json', key: 'n', from: null, to: 1, status: 'modified' },
    ]);
  });
});

describe('diffKeyValues change precision', () => {
  it.each([
    [0.8, 0.85, 0.05],
    [0.1, 0.3, 0.2],
    [100, 200, 100],
    [1e-7, 3e-7, 2e-7],
    [0.123456789, 0.2, 0.076543211],
  ])('%p → %p changes by %p', (from, to, change) => {
    expect(diffKeyValues([kv('m', from)], [kv('m', to)])[0]?.change).toBe(change);
  });
});
