import type { ObjectCache } from './ObjectCache.js';

/** Options of `MemoryObjectCache`. */
export interface MemoryObjectCacheOptions {
  /**
   * Most memory the keys and values may take, estimated as two bytes per UTF-16 code unit.
   * Default 32 MiB: the sources' own first-level caches hold what they use, so this level
   * only catches what those dropped.
   */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The in-process `ObjectCache`, and the sources' default when none is given: it lives as long
 * as the process, so it saves nothing across restarts (`RedisObjectCache` in `src/store` does).
 * Least recently used entries go first once the bound is passed; a value larger than the whole
 * bound is not kept. Never fails.
 */
export class MemoryObjectCache implements ObjectCache {
  readonly maxBytes: number;
  private readonly entries = new Map<string, string>();
  private total = 0;

  constructor(options: MemoryObjectCacheOptions = {}) {
    this.maxBytes = Math.max(0, options.maxBytes ?? DEFAULT_MAX_BYTES);
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held (never above `maxBytes`). */
  get bytes(): number {
    return this.total;
  }

  async get(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => {
      const value = this.entries.get(key);
      if (value !== undefined) {
        // Re-inserting moves the entry to the end: Map order is the recency order.
        this.entries.delete(key);
        this.entries.set(key, value);
      }
      return value;
    });
  }

  async set(entries: readonly (readonly [key: string, value: string])[]): Promise<void> {
    for (const [key, value] of entries) {
      this.forget(key);
      const weight = weigh(key, value);
      if (weight > this.maxBytes) continue;
      this.entries.set(key, value);
      this.total += weight;
    }
    for (const [key] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.forget(key);
    }
  }

  private forget(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.total -= weigh(key, value);
  }
}

function weigh(key: string, value: string): number {
  return 2 * (key.length + value.length);
}
