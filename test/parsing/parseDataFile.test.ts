import { describe, expect, it } from '@jest/globals';
import { parseDataFile } from '../../src/parsing/index.js';

describe('parseDataFile', () => {
  it.each([
    ['eval/metrics.json', '{"avg_prec": {"train": 0.97, "test": 0.93}}'],
    ['eval/METRICS.JSON', '{"avg_prec": {"train": 0.97, "test": 0.93}}'],
    ['params.toml', '[avg_prec]\ntrain = 0.97\ntest = 0.93\n'],
    ['Params.TOML', '[avg_prec]\ntrain = 0.97\ntest = 0.93\n'],
    ['params.yaml', 'avg_prec:\n  train: 0.97\n  test: 0.93\n'],
    ['params.yml', 'avg_prec: {train: 0.97, test: 0.93}\n'],
    ['metrics.txt', 'avg_prec: {train: 0.97, test: 0.93}\n'],
    ['dvclive/metrics', 'avg_prec: {train: 0.97, test: 0.93}\n'],
    ['params.py', 'class avg_prec:\n    train = 0.97\n    test = 0.93\n'],
    ['src/PARAMS.PY', 'avg_prec = {"train": 0.97, "test": 0.93}\n'],
  ])('chooses the loader for %s by its suffix', (file, text) => {
    expect(parseDataFile(text, file)).toEqual({ value: { avg_prec: { train: 0.97, test: 0.93 } }, problems: [] });
  });

  it('reads JSON as YAML when the suffix is not .json, as DVC does', () => {
    expect(parseDataFile('{"a": 1, "b": [1, 2]}', 'metrics.log').value).toEqual({ a: 1, b: [1, 2] });
  });

  it('does not read YAML syntax from a .json file', () => {
    const { value, problems } = parseDataFile('a: 1\n', 'metrics.json');
    expect(value).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ file: 'metrics.json', message: expect.stringContaining('JSON syntax error') })]);
  });

  it("reads Python's NaN and Infinity in JSON", () => {
    const { value } = parseDataFile('{"loss": NaN, "max": Infinity, "min": -Infinity, "note": "NaN stays text"}', 'm.json');
    expect(value).toEqual({ loss: Number.NaN, max: Infinity, min: -Infinity, note: 'NaN stays text' });
  });

  it('reports a JSON syntax error with its line when the parser tells the position', () => {
    // V8 on Node 20 says "Expected double-quoted property name in JSON at position 22".
    const { problems } = parseDataFile('{\n  "a": 1,\n  "b": 2,\n}\n', 'metrics.json');
    expect(problems).toEqual([{ file: 'metrics.json', line: 4, message: expect.stringContaining('JSON syntax error') }]);
  });

  it('reports a TOML syntax error with its line', () => {
    expect(parseDataFile('[train]\nseed = 1\nlr = \n', 'params.toml').problems).toEqual([
      { file: 'params.toml', line: 3, message: expect.stringContaining('TOML syntax error') },
    ]);
  });

  it('turns TOML dates into ISO strings', () => {
    expect(parseDataFile('day = 1979-05-27\nat = 1979-05-27T07:32:00Z\n', 'p.toml').value).toEqual({
      day: '1979-05-27',
      at: '1979-05-27T07:32:00.000Z',
    });
  });

  it('reads Python params files as DVC does, literals only', () => {
    expect(parseDataFile('import os\nlr = 0.1\nroot = os.getcwd()\n', 'src/params.py')).toEqual({ value: { lr: 0.1 }, problems: [] });
  });

  it('reports a Python syntax error with its line', () => {
    expect(parseDataFile('lr = 0.1\nlayers = [64, 32\n', 'src/params.py')).toEqual({
      value: undefined,
      problems: [{ file: 'src/params.py', line: 2, message: expect.stringContaining('Python syntax error') }],
    });
  });

  it('reports a YAML syntax error with its line', () => {
    expect(parseDataFile('train:\n  lr: 0.1\n  lr: 0.2\n', 'params.yaml').problems).toEqual([
      { file: 'params.yaml', line: 3, message: expect.stringContaining('YAML syntax error') },
    ]);
  });

  it('reads an empty YAML file as null', () => {
    expect(parseDataFile('', 'params.yaml')).toEqual({ value: null, problems: [] });
  });

  it.each([
    ['p.json', '{"__proto__": {"polluted": 1}}'],
    ['p.yaml', '__proto__: {polluted: 1}\n'],
    ['p.toml', '[__proto__]\npolluted = 1\n'],
    ['p.py', '__proto__ = {"polluted": 1}\n'],
  ])('keeps __proto__ in %s as data without polluting Object.prototype', (file, text) => {
    const { value } = parseDataFile(text, file);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value as object)).toEqual(['__proto__']);
  });
});
