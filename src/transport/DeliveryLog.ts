/**
 * Remembers webhook deliveries (and the ref changes they report) for a while, so that the same
 * delivery or the same change arriving twice queues one refresh. `InMemoryDeliveryLog` serves one
 * gateway; `RedisDeliveryLog` (src/store) serves every gateway instance on one Redis, which
 * matters because a host's two deliveries of one change may reach two instances.
 *
 * Keys are opaque to the log: the webhook router builds them (`delivery:github:<guid>`,
 * `change:<repository ref>:<git ref>:<change>`).
 */
export interface DeliveryLog {
  /**
   * Records `key` for `ttlMs` unless it is recorded already. True for the first caller: it owns
   * the delivery; false while the key lives, whoever recorded it.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Forgets `key`, so a later claim succeeds (a delivery that could not be queued after all). */
  release(key: string): Promise<void>;
}
