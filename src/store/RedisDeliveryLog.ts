import type { Redis } from 'ioredis';
import { StoreError, messageOf } from '../errors.js';
import { redisKeys } from './redisKeys.js';
import type { RedisKeys } from './redisKeys.js';

/** Options of `RedisDeliveryLog.create`. */
export interface RedisDeliveryLogOptions {
  /** A client someone else owns (`main.ts`); the log never closes it. */
  client: Redis;
  /** Key prefix, `mg:v1:` by default; tests give each test its own. */
  prefix?: string;
}

/**
 * The webhook router's `DeliveryLog` in Redis, shared by every gateway instance: one
 * `SET <prefix>webhook:<key> 1 PX <ttl> NX` per claim, so exactly one instance wins a delivery
 * that reached several, and Redis forgets it when the TTL runs out. It has the shape of
 * `DeliveryLog` (src/transport) without importing it: the store may not import the transport.
 *
 * A failed command throws a `StoreError`; the router then queues the refresh anyway (one
 * refresh too many costs little, a lost one lasts until the next reconcile pass).
 */
export class RedisDeliveryLog {
  private readonly keys: RedisKeys;

  private constructor(
    private readonly client: Redis,
    prefix: string | undefined,
  ) {
    this.keys = redisKeys(prefix);
  }

  /** A log over the client; nothing is sent until the first claim. */
  static create(options: RedisDeliveryLogOptions): RedisDeliveryLog {
    return new RedisDeliveryLog(options.client, options.prefix);
  }

  /** True when this call recorded `key` (it was not there); false while someone's record lives. */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    try {
      // PX takes only a positive whole number of milliseconds (Redis refuses 0).
      const answer = await this.client.set(this.keys.webhook(key), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return answer === 'OK';
    } catch (error) {
      throw new StoreError(`Redis did not record the webhook delivery ${key}: ${messageOf(error)}`);
    }
  }

  async release(key: string): Promise<void> {
    try {
      await this.client.unlink(this.keys.webhook(key));
    } catch (error) {
      throw new StoreError(`Redis did not forget the webhook delivery ${key}: ${messageOf(error)}`);
    }
  }
}
