import { checkText } from './checkText.js';
import { MAX_PLOT_POINTS } from './limits.js';
import { parseDataFile } from './parseDataFile.js';
import { entriesOf, isMapping, kindOf, setOwn } from './shapes.js';
import type { Parsed, Problem } from './types.js';

/** How to read a plot data file, from its plot declaration. */
export interface PlotDataOptions {
  /** `false` when a CSV/TSV file has no header row (`header: false` on the plot output); its columns are then named `0`, `1`, … */
  header?: boolean;
  /** Fields the plot needs (its `x` and `y`): in a JSON/YAML mapping, the data is the first list whose first point has them all. */
  fields?: readonly string[];
}

/** Images DVC shows as they are (dvc-render `ImageRenderer.EXTENSIONS`). */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.gif', '.png', '.svg']);
const DATA_EXTENSIONS = new Set(['.json', '.yaml', '.yml', '.toml', '.csv', '.tsv']);
/** A decimal number as CSV writers print them; `nan`, `inf` and hex stay text. */
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads the data points of a plot file as `dvc plots show` does (`dvc/repo/plots` `parse`,
 * `dvc/render/converter/vega.py` `_find_first_list`), by the file's suffix, which DVC
 * compares case-sensitively:
 * - `.json`, `.yaml`, `.yml` (and `.toml`): a top-level list of points, or a mapping whose
 *   first list of mappings (searching nested mappings depth-first, in file order) is the
 *   data; with `fields`, the first such list whose first point has all of them;
 * - `.csv` (`,`) and `.tsv` (tab): Python `csv.DictReader` rows under the header row (or
 *   columns `0`, `1`, … with `header: false`); numeric cells become numbers, blank lines are
 *   skipped, missing cells are `null`, extra cells are dropped;
 * - images (`.png`, `.jpg`, `.jpeg`, `.gif`, `.svg`): no points and no problem;
 * - anything else: a problem, as DVC refuses it.
 * At most `MAX_PLOT_POINTS` points are returned; more is a problem. Never throws.
 */
export function parsePlotData(text: string, file: string, options: PlotDataOptions = {}): Parsed<Record<string, unknown>[]> {
  const extension = extensionOf(file);
  if (IMAGE_EXTENSIONS.has(extension)) return { value: [], problems: [] };
  if (!DATA_EXTENSIONS.has(extension)) {
    return {
      value: [],
      problems: [{ file, message: `${file} is not a plot data file DVC reads: use .json, .yaml, .yml, .csv or .tsv (suffixes are case-sensitive), or an image (.png, .jpg, .jpeg, .gif, .svg)` }],
    };
  }
  const unreadable = checkText(text, file);
  if (unreadable) return { value: [], problems: [unreadable] };
  const { rows, problems } = extension === '.csv' || extension === '.tsv' ? readDelimited(text, file, extension === '.tsv' ? '\t' : ',', options.header !== false) : readStructured(text, file, options.fields ?? []);
  if (rows.length > MAX_PLOT_POINTS) {
    problems.push({ file, message: `${file} has more than ${MAX_PLOT_POINTS} data points; only the first ${MAX_PLOT_POINTS} are shown` });
    rows.length = MAX_PLOT_POINTS;
  }
  return { value: rows, problems };
}

/** Python's `os.path.splitext` suffix of the base name (a leading dot does not start one). */
function extensionOf(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const body = base.replace(/^\.+/, '');
  const dot = body.lastIndexOf('.');
  return dot < 0 ? '' : body.slice(dot);
}

function readStructured(text: string, file: string, fields: readonly string[]): { rows: Record<string, unknown>[]; problems: Problem[] } {
  const { value, problems } = parseDataFile(text, file);
  if (problems.length > 0) return { rows: [], problems };
  const fail = (message: string): { rows: Record<string, unknown>[]; problems: Problem[] } => ({ rows: [], problems: [{ file, message }] });
  if (Array.isArray(value)) {
    const rows = value.filter(isMapping);
    if (rows.length === value.length) return { rows, problems: [] };
    return {
      rows,
      problems: [{ file, message: `${value.length - rows.length} of the ${value.length} items of ${file} are not {field: value} mappings; only the mappings are data points` }],
    };
  }
  if (!isMapping(value)) return fail(`${file} holds ${kindOf(value)}; plot data is a list of {field: value} mappings, at the top level or under a key`);
  const found = firstPointList(value, fields);
  if (found) return { rows: found, problems: [] };
  const wanted = fields.length > 0 ? ` with the fields ${fields.map((f) => `'${f}'`).join(', ')}` : '';
  return fail(`${file} has no list of data points${wanted}: DVC plots a list of {field: value} mappings, at the top level or under a key (as in {"roc": [{"fpr": 0, "tpr": 0}]})`);
}

/** DVC's `_find_first_list`: lists under nested mappings, depth-first in file order, without recursion. */
function firstPointList(root: Record<string, unknown>, fields: readonly string[]): Record<string, unknown>[] | undefined {
  const stack: Iterator<[string, unknown]>[] = [entriesOf(root)[Symbol.iterator]()];
  while (stack.length > 0) {
    const next = (stack[stack.length - 1] as Iterator<[string, unknown]>).next();
    if (next.done) {
      stack.pop();
      continue;
    }
    const [, value] = next.value;
    if (isMapping(value)) stack.push(entriesOf(value)[Symbol.iterator]());
    else if (Array.isArray(value) && value.every(isMapping)) {
      const first = value[0] as Record<string, unknown> | undefined;
      if (fields.length === 0 || (first && fields.every((field) => Object.prototype.hasOwnProperty.call(first, field)))) return value;
    }
  }
  return undefined;
}

/**
 * Python `csv` (excel dialect, `strict=False`) in one pass: `"` quotes a field only at its
 * start, `""` inside quotes is a quote, rows end at `\r`, `\n` or `\r\n` outside quotes.
 * Stops after one row more than `MAX_PLOT_POINTS`, so the caller can say it truncated.
 */
function readDelimited(text: string, file: string, delimiter: string, header: boolean): { rows: Record<string, unknown>[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let fieldStarted = false; // the current field has content or quotes (an empty line has neither)
  let line = 1;
  let openedOn = 0;
  const limit = MAX_PLOT_POINTS + (header ? 2 : 1);
  const endField = (): void => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = (): void => {
    if (record.length > 0 || fieldStarted || field !== '') endField();
    if (record.length > 0) records.push(record); // csv gives [] for an empty line; DictReader skips it
    record = [];
  };
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length && records.length < limit; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === delimiter) endField();
    else if (char === '\n' || char === '\r') {
      endRecord();
      if (char === '\r' && text[i + 1] === '\n') i++;
      line++;
    } else if (char === '"' && field === '' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      openedOn = line;
    } else {
      field += char;
      fieldStarted = true;
    }
  }
  if (quoted) problems.push({ file, line: openedOn, message: `a quoted field that starts on line ${openedOn} is never closed; it runs to the end of the file. Close it with '"'` });
  if (records.length < limit) endRecord();

  const [first] = records;
  if (!first) return { rows: [], problems };
  const names = header ? first : first.map((_cell, index) => String(index));
  const body = header ? records.slice(1) : records;
  let long = 0;
  let short = 0;
  const rows = body.map((cells) => {
    const row: Record<string, unknown> = {};
    names.forEach((name, index) => setOwn(row, name, index < cells.length ? cell(cells[index] as string) : null));
    if (cells.length > names.length) long++;
    else if (cells.length < names.length) short++;
    return row;
  });
  const width = `${names.length} column${names.length === 1 ? '' : 's'}`;
  if (long > 0) problems.push({ file, message: `${long} row${long === 1 ? ' has' : 's have'} more cells than the ${width} of the ${header ? 'header' : 'first row'}; the extra cells are dropped` });
  if (short > 0) problems.push({ file, message: `${short} row${short === 1 ? ' has' : 's have'} fewer cells than the ${width} of the ${header ? 'header' : 'first row'}; the missing ones are null` });
  return { rows, problems };
}

/** A numeric cell as a number (`0.25`, `-1e-3`, `12`); everything else as written. */
function cell(text: string): unknown {
  if (!NUMBER_RE.test(text)) return text;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}
