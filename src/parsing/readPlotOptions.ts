import { entriesOf, isMapping } from './shapes.js';
import type { PlotDeclaration } from './types.js';

/** Called for a plot field of the wrong type: the field, what was expected, what came. */
export type BadPlotField = (field: string, expected: string, value: unknown) => void;

const TEXT_FIELDS = { template: 'template', title: 'title', x_label: 'xLabel', y_label: 'yLabel' } as const;

/**
 * Reads the display options of a plot (`x`, `y`, `template`, `title`, `x_label`, `y_label`).
 * `x: {file: field}` and `y: {file: field | [fields]}` also name data files; those come back
 * in `files`, as written (relative to the `dvc.yaml` directory).
 */
export function readPlotOptions(
  options: Record<string, unknown>,
  bad: BadPlotField,
): { options: Omit<PlotDeclaration, 'id' | 'files' | 'fields'>; files: string[]; fields: Record<string, string[]> } {
  const out: Omit<PlotDeclaration, 'id' | 'files' | 'fields'> = {};
  const files: string[] = [];
  // Per data file (as written), the fields the plot takes from it: its x and its y.
  const byFile = new Map<string, Set<string>>();
  const take = (file: string, names: string[]): void => {
    const set = byFile.get(file) ?? new Set<string>();
    for (const name of names) set.add(name);
    byFile.set(file, set);
  };
  const fields = (value: unknown): string[] | undefined =>
    typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;

  const { x, y } = options;
  if (typeof x === 'string') out.x = x;
  else if (isMapping(x) && entriesOf(x).every(([, field]) => typeof field === 'string')) {
    for (const [file, field] of entriesOf(x)) {
      files.push(file);
      take(file, [field as string]);
      out.x ??= field as string;
    }
  } else if (x !== undefined && x !== null) bad('x', 'a field name or {file: field}', x);

  if (isMapping(y)) {
    const ys = new Set<string>();
    for (const [file, value] of entriesOf(y)) {
      const names = fields(value);
      if (!names) {
        bad('y', 'a field name or a list of field names per file', value);
        continue;
      }
      files.push(file);
      take(file, names);
      for (const name of names) ys.add(name);
    }
    if (ys.size > 0) out.y = [...ys];
  } else if (y !== undefined && y !== null) {
    const names = fields(y);
    if (names) out.y = names;
    else bad('y', 'a field name, a list of them, or {file: fields}', y);
  }

  for (const [field, key] of Object.entries(TEXT_FIELDS)) {
    const value = options[field];
    if (typeof value === 'string') out[key] = value;
    else if (value !== undefined && value !== null) bad(field, 'a string', value);
  }
  // A file named only in `y` is plotted against the plot's `x` (or DVC's step index).
  if (typeof x === 'string') for (const set of byFile.values()) set.add(x);
  return { options: out, files, fields: Object.fromEntries([...byFile].map(([file, set]) => [file, [...set]])) };
}
