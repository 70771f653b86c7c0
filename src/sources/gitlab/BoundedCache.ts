/**
 * A map that forgets its least recently used entries once their total weight passes a limit.
 * Values are promises, so concurrent askers share one request; a rejected promise is removed
 * at once, so a failure is never cached.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether `key` is held (or being loaded); does not count as a use. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The cached value for `key`, or the one `load` produces (remembered once it resolves). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const known = this.entries.get(key);
    if (known) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return known.value;
    }
    const entry = { value: load(), weight: 0 };
    this.entries.set(key, entry);
    entry.value.then(
      (value) => {
        if (this.entries.get(key) !== entry) return;
        entry.weight = Math.max(1, this.weigh(value));
        this.total += entry.weight;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxWeight) return;
      if (entry.weight === 0) continue; // still loading
      this.entries.delete(key);
      this.total -= entry.weight;
    }
  }
}
