import { createHash } from 'node:crypto';

/**
 * A stable stand-in digest for data the demo does not have (datasets, model files kept in
 * DVC remotes): 32 hex digits like an md5, or 40 like a commit SHA. Same seed, same digest,
 * so every demo build writes the same files and gets the same commit SHAs.
 */
export function fakeDigest(seed: string, length: 32 | 40 = 32): string {
  return createHash(length === 32 ? 'md5' : 'sha1').update(`modelgate-demo:${seed}`).digest('hex');
}
