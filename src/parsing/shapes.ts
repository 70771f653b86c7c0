/** A YAML/JSON/TOML mapping (not a list, not null, not a date). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** How a value reads in a problem message: `a list`, `a string`, `null`, … */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isMapping(value)) return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** Own enumerable entries, safe on null-prototype objects and objects with a `__proto__` key. */
export function entriesOf(value: Record<string, unknown>): [string, unknown][] {
  return Object.keys(value).map((key) => [key, value[key]]);
}

/**
 * Sets an own property even when `key` is `__proto__`, which a plain assignment would treat
 * as the prototype setter (the way prototype pollution starts).
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Text for a problem message, cut to 60 characters so a hostile value cannot flood it. */
export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
