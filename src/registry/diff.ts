import { isDeepStrictEqual } from 'node:util';
import type { KeyValueRecord } from './snapshot.js';

export type DiffStatus = 'added' | 'removed' | 'modified' | 'unchanged';

/** One key compared between two versions, as a row of `dvc metrics diff` / `dvc params diff`. */
export interface KeyValueDiff {
  path: string;
  key: string;
  /** Absent when the key is not in the first version. */
  from?: unknown;
  /** Absent when the key is not in the second version. */
  to?: unknown;
  /** `to − from`, when both are numbers. */
  change?: number;
  status: DiffStatus;
}

/**
 * Compares two lists of `(path, key) → value` the way `dvc metrics diff A B` and
 * `dvc params diff A B` do: rows by file and key, `change` = B − A for numbers, only
 * changed rows unless `all`. Sorted by path, then key.
 */
export function diffKeyValues(from: readonly KeyValueRecord[], to: readonly KeyValueRecord[], all = false): KeyValueDiff[] {
  const id = (kv: KeyValueRecord): string => `${kv.path}\0${kv.key}`;
  const before = new Map(from.map((kv) => [id(kv), kv] as const));
  const after = new Map(to.map((kv) => [id(kv), kv] as const));
  const rows: KeyValueDiff[] = [];
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(k);
    const b = after.get(k);
    const any = (a ?? b) as KeyValueRecord;
    const status: DiffStatus = !a ? 'added' : !b ? 'removed' : isDeepStrictEqual(a.value, b.value) ? 'unchanged' : 'modified';
    if (status === 'unchanged' && !all) continue;
    rows.push({
      path: any.path,
      key: any.key,
      ...(a ? { from: a.value } : {}),
      ...(b ? { to: b.value } : {}),
      ...(isNumber(a?.value) && isNumber(b?.value) ? { change: difference(a.value, b.value) } : {}),
      status,
    });
  }
  return rows.sort((x, y) => (x.path !== y.path ? (x.path < y.path ? -1 : 1) : x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * `b − a` without float noise (0.85 − 0.8 is 0.04999999999999993 in binary): rounded to the
 * decimals the inputs were written with, as a reader computing by hand would get.
 */
function difference(a: number, b: number): number {
  const decimals = Math.max(decimalsOf(a), decimalsOf(b));
  const raw = b - a;
  return decimals >= 0 && decimals <= 15 ? Number.parseFloat(raw.toFixed(decimals)) : Number.parseFloat(raw.toPrecision(12));
}

/** Digits after the point in the shortest form of a number, or −1 in exponent notation. */
function decimalsOf(value: number): number {
  const text = String(value);
  if (text.includes('e')) return -1;
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}
