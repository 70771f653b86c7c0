import { flattenLeaves } from './flattenLeaves.js';
import { parseDataFile } from './parseDataFile.js';
import { isMapping, kindOf } from './shapes.js';
import type { KeyValue, Parsed } from './types.js';

/**
 * Reads a metrics file as `dvc metrics show` does (research §3): nested mappings become
 * dotted keys, and only number, string and boolean leaves are kept (lists and nulls are
 * dropped). The format follows the suffix (see `parseDataFile`). Never throws.
 */
export function parseMetrics(text: string, file: string): Parsed<KeyValue[]> {
  const { value, problems } = parseDataFile(text, file);
  if (problems.length > 0 || value === null) return { value: [], problems };
  if (!isMapping(value)) {
    return { value: [], problems: [{ file, message: `expected a mapping of metric names to values at the top level, got ${kindOf(value)}` }] };
  }
  const metrics = flattenLeaves(value).filter(({ value: leaf }) => ['number', 'string', 'boolean'].includes(typeof leaf));
  return { value: metrics, problems: [] };
}
