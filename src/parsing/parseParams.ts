import { flattenLeaves } from './flattenLeaves.js';
import { parseDataFile } from './parseDataFile.js';
import { isMapping, kindOf } from './shapes.js';
import type { KeyValue, Parsed } from './types.js';

/**
 * Reads a params file as `dvc params show` does: nested mappings become dotted keys;
 * lists stay whole values and nulls are kept. The format follows the suffix (see
 * `parseDataFile`). Never throws.
 */
export function parseParams(text: string, file: string): Parsed<KeyValue[]> {
  const { value, problems } = parseDataFile(text, file);
  if (problems.length > 0 || value === null) return { value: [], problems };
  if (!isMapping(value)) {
    return { value: [], problems: [{ file, message: `expected a mapping of parameter names to values at the top level, got ${kindOf(value)}` }] };
  }
  return { value: flattenLeaves(value), problems: [] };
}

/**
 * The params a stage tracks: `keys` as written in `dvc.yaml` (`train.n_est`), where a key
 * may name a whole section (`train` selects `train.*`). No `keys` means the whole file.
 */
export function selectParams(values: KeyValue[], keys?: string[]): KeyValue[] {
  if (keys === undefined) return values;
  return values.filter(({ key }) => keys.some((wanted) => key === wanted || key.startsWith(`${wanted}.`)));
}
