import { describe, expect, it } from '@jest/globals';
import { MAX_PLOT_POINTS, parsePlotData } from '../../src/parsing/index.js';
import { LOSS_TSV, PRC_CSV, ROC_JSON } from './fixtures.js';

describe('parsePlotData: JSON and YAML', () => {
  it('reads the points of example-get-started roc.json from under its key', () => {
    expect(parsePlotData(ROC_JSON, 'eval/plots/sklearn/roc/train.json')).toEqual({
      value: [
        { fpr: 0.0, tpr: 0.0, threshold: 2.0 },
        { fpr: 0.0, tpr: 0.0178, threshold: 1.0 },
        { fpr: 0.0081, tpr: 0.3927, threshold: 0.72 },
        { fpr: 1.0, tpr: 1.0, threshold: 0.0 },
      ],
      problems: [],
    });
  });

  it('reads a top-level list of points', () => {
    expect(parsePlotData('[{"actual": 0, "predicted": 1}, {"actual": 1, "predicted": 1}]', 'eval/cm.json').value).toEqual([
      { actual: 0, predicted: 1 },
      { actual: 1, predicted: 1 },
    ]);
  });

  it('reads YAML plot data the same way', () => {
    expect(parsePlotData('roc:\n- {fpr: 0, tpr: 0}\n- {fpr: 1, tpr: 1}\n', 'plots/roc.yml').value).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ]);
  });

  it('finds the first list of points under nested mappings, in file order, as DVC does', () => {
    const text = '{"meta": {"run": 3, "tags": ["a", "b"]}, "curves": {"roc": [{"fpr": 0, "tpr": 0}]}, "later": [{"x": 1}]}';
    expect(parsePlotData(text, 'p.json').value).toEqual([{ fpr: 0, tpr: 0 }]);
  });

  it("takes the first list whose first point has the plot's fields", () => {
    const text = '{"train": [{"step": 0, "loss": 1}], "roc": [{"fpr": 0, "tpr": 0}]}';
    expect(parsePlotData(text, 'p.json').value).toEqual([{ step: 0, loss: 1 }]);
    expect(parsePlotData(text, 'p.json', { fields: ['fpr', 'tpr'] }).value).toEqual([{ fpr: 0, tpr: 0 }]);
  });

  it.each([
    ['a mapping without a list of points', '{"acc": 0.9, "tags": ["a"]}', 'p.json', 'has no list of data points'],
    ['a number', '3', 'p.json', 'holds a number'],
    ['an empty YAML file', '', 'p.yaml', 'holds nothing'],
    ['broken JSON', '{"roc": [', 'p.json', 'JSON syntax error'],
  ])('reports %s', (_case, text, file, message) => {
    expect(parsePlotData(text, file)).toEqual({ value: [], problems: [expect.objectContaining({ file, message: expect.stringContaining(message) })] });
  });

  it('says which fields it looked for when no list has them', () => {
    expect(parsePlotData('{"roc": [{"fpr": 0}]}', 'p.json', { fields: ['fpr', 'tpr'] }).problems[0]?.message).toContain("with the fields 'fpr', 'tpr'");
  });

  it('keeps the points of a top-level list and reports the items that are not points', () => {
    expect(parsePlotData('[{"x": 1}, 2, null, {"x": 3}]', 'p.json')).toEqual({
      value: [{ x: 1 }, { x: 3 }],
      problems: [{ file: 'p.json', message: '2 of the 4 items of p.json are not {field: value} mappings; only the mappings are data points' }],
    });
  });
});

describe('parsePlotData: CSV and TSV', () => {
  it('reads DVCLive loss.tsv with numbers as numbers', () => {
    expect(parsePlotData(LOSS_TSV, 'dvclive/plots/metrics/train/loss.tsv')).toEqual({
      value: [
        { step: 0, loss: 0.6931 },
        { step: 1, loss: 0.5123 },
        { step: 2, loss: 0.441 },
        { step: 3, loss: 0.3977 },
      ],
      problems: [],
    });
  });

  it('reads a precision-recall CSV', () => {
    expect(parsePlotData(PRC_CSV, 'eval/prc.csv').value).toEqual([
      { precision: 0.5, recall: 1.0, threshold: 0.01 },
      { precision: 0.66, recall: 0.8, threshold: 0.3 },
      { precision: 1.0, recall: 0.2, threshold: 0.9 },
    ]);
  });

  it('reads quoted cells as Python csv does: delimiters, doubled quotes and newlines inside quotes', () => {
    const text = 'label,note\r\n"a,b","say ""hi"""\r\n"multi\nline",x"y\r\n';
    expect(parsePlotData(text, 'p.csv')).toEqual({
      value: [
        { label: 'a,b', note: 'say "hi"' },
        { label: 'multi\nline', note: 'x"y' },
      ],
      problems: [],
    });
  });

  it.each([
    ['12', 12],
    ['-2', -2],
    ['+3.5', 3.5],
    ['.5', 0.5],
    ['1e-3', 0.001],
    ['6.02E23', 6.02e23],
    ['nan', 'nan'],
    ['inf', 'inf'],
    ['0x10', '0x10'],
    ['1,5', '1,5'],
    [' 1', ' 1'],
    ['1e999', '1e999'],
    ['', ''],
  ])('reads the cell %p as %p', (cell, expected) => {
    expect(parsePlotData(`v\tw\n${cell}\t1\n`, 'p.tsv').value).toEqual([{ v: expected, w: 1 }]);
  });

  it('skips blank lines and a byte-order mark, as DictReader does', () => {
    expect(parsePlotData('\uFEFFstep,loss\n\n0,1\n\n1,0.5\n', 'p.csv').value).toEqual([
      { step: 0, loss: 1 },
      { step: 1, loss: 0.5 },
    ]);
  });

  it('names the columns 0, 1, … when the plot says header: false', () => {
    expect(parsePlotData('0,0.9\n1,0.7\n', 'p.csv', { header: false }).value).toEqual([
      { 0: 0, 1: 0.9 },
      { 0: 1, 1: 0.7 },
    ]);
  });

  it('reports short and long rows, with nulls for the missing cells', () => {
    expect(parsePlotData('a,b\n1\n1,2,3\n', 'p.csv')).toEqual({
      value: [
        { a: 1, b: null },
        { a: 1, b: 2 },
      ],
      problems: [
        { file: 'p.csv', message: '1 row has more cells than the 2 columns of the header; the extra cells are dropped' },
        { file: 'p.csv', message: '1 row has fewer cells than the 2 columns of the header; the missing ones are null' },
      ],
    });
  });

  it('reports a quoted cell that is never closed', () => {
    expect(parsePlotData('a,b\n1,"open\n2,3\n', 'p.csv').problems).toEqual([
      { file: 'p.csv', line: 2, message: expect.stringContaining('a quoted field that starts on line 2 is never closed') },
    ]);
  });

  it('reads a file with only a header as no points', () => {
    expect(parsePlotData('step\tloss\n', 'p.tsv')).toEqual({ value: [], problems: [] });
  });
});

describe('parsePlotData: limits and formats', () => {
  it(`keeps the first ${MAX_PLOT_POINTS} points of a longer TSV and says so`, () => {
    const text = `step\tloss\n${Array.from({ length: MAX_PLOT_POINTS + 500 }, (_, i) => `${i}\t${1 / (i + 1)}`).join('\n')}\n`;
    const { value, problems } = parsePlotData(text, 'loss.tsv');
    expect(value).toHaveLength(MAX_PLOT_POINTS);
    expect(value[MAX_PLOT_POINTS - 1]).toEqual({ step: MAX_PLOT_POINTS - 1, loss: 1 / MAX_PLOT_POINTS });
    expect(problems).toEqual([{ file: 'loss.tsv', message: `loss.tsv has more than ${MAX_PLOT_POINTS} data points; only the first ${MAX_PLOT_POINTS} are shown` }]);
  });

  it('keeps the first points of a longer JSON list and says so', () => {
    const text = JSON.stringify({ roc: Array.from({ length: MAX_PLOT_POINTS + 1 }, (_, i) => ({ i })) });
    const { value, problems } = parsePlotData(text, 'roc.json');
    expect(value).toHaveLength(MAX_PLOT_POINTS);
    expect(problems).toHaveLength(1);
  });

  it('reads exactly MAX_PLOT_POINTS points without a problem', () => {
    const text = `x\n${Array.from({ length: MAX_PLOT_POINTS }, (_, i) => i).join('\n')}\n`;
    expect(parsePlotData(text, 'p.csv').problems).toEqual([]);
  });

  it.each(['eval/importance.png', 'plots/confusion.svg', 'a.jpeg', 'b.jpg', 'c.gif'])('gives no points and no problem for the image %s', (file) => {
    expect(parsePlotData('<svg xmlns="http://www.w3.org/2000/svg"/>', file)).toEqual({ value: [], problems: [] });
  });

  it.each(['plots/loss.txt', 'plots/LOSS.TSV', 'plots/roc.JSON', 'plots/noext', 'plots/.json'])('reports %s, which DVC does not read as plot data', (file) => {
    expect(parsePlotData('a,b\n1,2\n', file)).toEqual({
      value: [],
      problems: [{ file, message: expect.stringContaining('is not a plot data file DVC reads: use .json, .yaml, .yml, .csv or .tsv (suffixes are case-sensitive)') }],
    });
  });
});
