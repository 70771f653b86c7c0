import { describe, expect, it } from '@jest/globals';
import { MAX_NESTING_DEPTH, parseMetrics } from '../../src/parsing/index.js';

describe('parseMetrics', () => {
  it('flattens example-get-started metrics to dotted keys in file order', () => {
    const text = '{"avg_prec": {"train": 0.9743681430252835, "test": 0.9249974999612706}, "roc_auc": {"train": 0.9866678562450621, "test": 0.9460213440787918}}';
    expect(parseMetrics(text, 'eval/metrics.json')).toEqual({
      value: [
        { key: 'avg_prec.train', value: 0.9743681430252835 },
        { key: 'avg_prec.test', value: 0.9249974999612706 },
        { key: 'roc_auc.train', value: 0.9866678562450621 },
        { key: 'roc_auc.test', value: 0.9460213440787918 },
      ],
      problems: [],
    });
  });

  it('keeps numbers, strings and booleans and drops lists, nulls and empty sections', () => {
    const text = 'acc: 0.9\nstep: 12\nbest: true\nmodel: cnn\nhistory: [0.1, 0.2]\nnote: null\nempty: {}\n';
    expect(parseMetrics(text, 'dvclive/metrics.yaml').value).toEqual([
      { key: 'acc', value: 0.9 },
      { key: 'step', value: 12 },
      { key: 'best', value: true },
      { key: 'model', value: 'cnn' },
    ]);
  });

  it('reads TOML metrics', () => {
    expect(parseMetrics('[test]\nacc = 0.91\n', 'metrics.toml').value).toEqual([{ key: 'test.acc', value: 0.91 }]);
  });

  it('flattens metrics nested up to the depth limit', () => {
    const depth = MAX_NESTING_DEPTH;
    const text = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const { value, problems } = parseMetrics(text, 'deep.json');
    expect(problems).toEqual([]);
    expect(value).toHaveLength(1);
    expect(value[0]?.key.split('.')).toHaveLength(depth);
    expect(value[0]?.value).toBe(1);
  });

  it('refuses metrics nested deeper than the limit, without exhausting the stack', () => {
    const depth = 3000;
    const text = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect(parseMetrics(text, 'deep.json')).toEqual({ value: [], problems: [{ file: 'deep.json', message: expect.stringContaining(`more than ${MAX_NESTING_DEPTH} levels deep`) }] });
  });

  it('keeps a 900 KB string value', () => {
    const big = 'x'.repeat(900 * 1024);
    const { value } = parseMetrics(JSON.stringify({ note: big, acc: 0.5 }), 'metrics.json');
    expect(value.map((kv) => kv.key)).toEqual(['note', 'acc']);
    expect((value[0]?.value as string).length).toBe(900 * 1024);
  });

  it.each([
    ['a list', '[0.9, 0.8]', 'm.json', 'got a list'],
    ['a number', '0.93', 'm.json', 'got a number'],
    ['a string', 'just text', 'm.yaml', 'got a string'],
  ])('reports a top level that is %s', (_case, text, file, message) => {
    expect(parseMetrics(text, file)).toEqual({ value: [], problems: [{ file, message: expect.stringContaining(message) }] });
  });

  it('reports a file that does not parse and returns no metrics', () => {
    const { value, problems } = parseMetrics('{"acc": 0.9', 'eval/metrics.json');
    expect(value).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ file: 'eval/metrics.json', message: expect.stringContaining('JSON') })]);
  });

  it('reads an empty YAML file as no metrics and no problem', () => {
    expect(parseMetrics('', 'metrics.yaml')).toEqual({ value: [], problems: [] });
  });

  it('keeps a __proto__ metric as data', () => {
    const { value } = parseMetrics('{"__proto__": {"polluted": 1}}', 'm.json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(value).toEqual([{ key: '__proto__.polluted', value: 1 }]);
  });
});
