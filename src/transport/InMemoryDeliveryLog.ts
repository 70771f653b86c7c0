import type { DeliveryLog } from './DeliveryLog.js';

/** Options of `InMemoryDeliveryLog.create`. */
export interface InMemoryDeliveryLogOptions {
  /**
   * Most keys kept; past it the oldest are forgotten first (a forgotten key only means one more
   * refresh if its delivery came again). Default 100,000.
   */
  maxEntries?: number;
  /** The clock, in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

const DEFAULT_MAX_ENTRIES = 100_000;

/** The `DeliveryLog` of a gateway without Redis: a map of keys to their expiry, bounded in size. */
export class InMemoryDeliveryLog implements DeliveryLog {
  /** Key → expiry time; insertion order is claim order, so the oldest claims come first. */
  private readonly entries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  private constructor(options: InMemoryDeliveryLogOptions) {
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  static create(options: InMemoryDeliveryLogOptions = {}): InMemoryDeliveryLog {
    return new InMemoryDeliveryLog(options);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const expires = this.entries.get(key);
    if (expires !== undefined && expires > now) return false;
    // Deleted first so the key moves to the end of the insertion order.
    this.entries.delete(key);
    this.entries.set(key, now + ttlMs);
    if (this.entries.size > this.maxEntries) this.prune(now);
    return true;
  }

  async release(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Drops expired keys, then the oldest, down to 90% of the bound so the sweep does not run on every claim. */
  private prune(now: number): void {
    for (const [key, expires] of this.entries) if (expires <= now) this.entries.delete(key);
    const target = Math.floor(this.maxEntries * 0.9);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= target) break;
      this.entries.delete(key);
    }
  }
}
