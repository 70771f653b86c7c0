/** One bucket's state, as the hosts' rate-limit headers report it. */
export interface RateState {
  limit: number;
  remaining: number;
  used: number;
  /** When the window ends: epoch seconds (GitHub `x-ratelimit-reset`, GitLab `RateLimit-Reset`). */
  reset: number;
}

interface Bucket {
  used: number;
  resetAtMs: number;
}

/**
 * Fixed-window request budgets, one bucket per key (host, resource and identity). A window
 * starts with the first request after the previous one ended, as GitHub's hourly window does.
 *
 * `take` is atomic: it checks and spends in one step, so concurrent requests cannot overdraw a
 * budget; `refund` gives one back (a 304 that turned out to be free).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Spends `amount` (default one request) if the budget allows; `allowed: false` leaves the bucket unchanged. */
  take(key: string, limit: number, windowSeconds: number, amount = 1): { allowed: boolean; state: RateState } {
    const bucket = this.bucket(key, windowSeconds);
    const allowed = amount === 0 ? true : bucket.used + amount <= limit;
    if (allowed) bucket.used += amount;
    return { allowed, state: stateOf(bucket, limit) };
  }

  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket && bucket.used > 0) bucket.used -= 1;
  }

  /** The state without spending (GitHub's `GET /rate_limit`, and the headers of free answers). */
  peek(key: string, limit: number, windowSeconds: number): RateState {
    return stateOf(this.bucket(key, windowSeconds), limit);
  }

  /** Forgets every bucket: all budgets are full again. */
  reset(): void {
    this.buckets.clear();
  }

  private bucket(key: string, windowSeconds: number): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket || now >= bucket.resetAtMs) {
      bucket = { used: 0, resetAtMs: now + windowSeconds * 1000 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}

function stateOf(bucket: Bucket, limit: number): RateState {
  return { limit, used: bucket.used, remaining: Math.max(0, limit - bucket.used), reset: Math.ceil(bucket.resetAtMs / 1000) };
}
