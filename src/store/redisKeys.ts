/**
 * Every Redis key Modelgate uses, in one place, so the layout can be read (and changed,
 * by bumping the version in the prefix) without hunting through the code.
 *
 * Layout under the prefix (`mg:v1:` by default):
 *
 * | key                                     | type   | holds                                         |
 * |-----------------------------------------|--------|-----------------------------------------------|
 * | `repositories`                          | hash   | repository ref → its current generation id    |
 * | `statuses`                              | hash   | repository ref → RepositoryStatus JSON        |
 * | `snapshot:<repo ref>:<gen>:repository`  | string | RepositoryRecord JSON                         |
 * | `snapshot:<repo ref>:<gen>:models`      | hash   | model ref → ModelRecord JSON                  |
 * | `snapshot:<repo ref>:<gen>:summaries`   | string | ModelSummary[] JSON (what `listModels` reads) |
 * | `index:pass`                            | hash   | the pass under way: id, startedAt, total, done, failed, apiCallsAtStart |
 * | `index:lastPass`                        | hash   | the last finished pass, as `indexStatus` shows it |
 * | `index:apiCalls`                        | hash   | source name → host API requests, all processes, all time |
 * | `index:reconcile`                       | string | held for one refresh interval by the process that started the pass |
 * | `index:passCounted`                     | set    | repository refs counted towards the pass under way |
 * | `index:lock:<repo ref>`                 | string | held by the worker indexing that repository |
 * | `bull:<queue>:…`                        | BullMQ | the job queues (`reconcile`, `index-<source>`) |
 * | `obj:<ns>:<kind>:<id>`                  | string | one immutable host object (RedisObjectCache), no TTL |
 * | `events`                                | stream | registry events (RedisEventBus): field `e` = event JSON, id = event id; MAXLEN ~ 10,000 |
 * | `webhook:<key>`                         | string | a webhook delivery or ref change already queued (RedisDeliveryLog), with a TTL |
 *
 * Object keys: `<ns>:<kind>:<id>` is the cache key the sources build (`src/sources/CachedObjects.ts`);
 * the namespace names the host (`github@github.com`, `gitlab@gitlab.example.com%3A8443`), the kind
 * the object, the id its SHA (per repository where the host's API reads it so):
 * `obj:github@github.com:blob:<sha>` (also `tree:`, `tag:`), `obj:github@github.com:commit:acme/churn@<sha>`,
 * `obj:gitlab@gitlab.com:files:group/project@<sha>`, `…:file:group/project@<sha>:path`, `…:commit:group/project@<sha>`.
 * Values never change (a SHA names its content), so they carry no TTL.
 *
 * A generation is one `putSnapshot`: its keys carry a TTL while written, lose it when
 * `repositories` points at them, and get a short TTL again when replaced or removed. The
 * `repositories` hash is the only pointer, so switching it switches the whole snapshot.
 */

import { ConfigError } from '../errors.js';

/** The default key prefix: project and key-layout version. Bump the version when the layout changes. */
export const DEFAULT_KEY_PREFIX = 'mg:v1:';

/** The three keys of one generation of a repository's snapshot. */
export interface SnapshotKeys {
  repository: string;
  models: string;
  summaries: string;
}

/**
 * A snapshot key split around its generation id (`head + gen + tail`), so a Lua script can
 * name the keys of a generation it only learns inside Redis, without a second copy of the layout.
 */
export interface SnapshotKeyParts {
  head: string;
  tails: SnapshotKeys;
}

/** The keys of one prefix. */
export interface RedisKeys {
  readonly prefix: string;
  /** Hash: repository ref → current generation id. */
  readonly repositories: string;
  /** Hash: repository ref → status JSON. */
  readonly statuses: string;
  /** The indexing job runner's keys. */
  readonly index: { pass: string; lastPass: string; apiCalls: string; reconcile: string; passCounted: string; repositoryLock(ref: string): string };
  /** BullMQ's `prefix` option: its queues live under it. */
  readonly bullPrefix: string;
  /** What every object-cache key starts with (for SCAN). */
  readonly objects: string;
  /** The Redis key of a source's object-cache key. */
  object(cacheKey: string): string;
  /** Stream: the registry events every gateway's subscribers read (bounded, oldest trimmed). */
  readonly events: string;
  /** What every webhook delivery-log key starts with (for SCAN). */
  readonly webhooks: string;
  /** The Redis key of a delivery-log key (`delivery:github:<guid>`, `change:<repository ref>:<git ref>:<change>`). */
  webhook(key: string): string;
  /** The keys of generation `gen` of repository `ref`. */
  snapshot(ref: string, gen: string): SnapshotKeys;
  /** The same keys, split around the generation id. */
  snapshotParts(ref: string): SnapshotKeyParts;
}

/**
 * The keys under `prefix`. Generation ids must hold no colon (the store makes base-36 ones),
 * so a key names one repository and one generation. Throws ConfigError for an empty prefix:
 * Modelgate's keys would mix with everything else in the database.
 */
export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  if (prefix.length === 0) throw new ConfigError('The Redis key prefix is empty; expected something like "mg:v1:" so Modelgate keys stay apart from other data. Set a prefix or leave the default.', undefined, 'prefix');
  const parts = (ref: string): SnapshotKeyParts => ({
    head: `${prefix}snapshot:${ref}:`,
    tails: { repository: ':repository', models: ':models', summaries: ':summaries' },
  });
  return {
    prefix,
    repositories: `${prefix}repositories`,
    statuses: `${prefix}statuses`,
    index: {
      pass: `${prefix}index:pass`,
      lastPass: `${prefix}index:lastPass`,
      apiCalls: `${prefix}index:apiCalls`,
      reconcile: `${prefix}index:reconcile`,
      passCounted: `${prefix}index:passCounted`,
      repositoryLock: (ref) => `${prefix}index:lock:${ref}`,
    },
    // BullMQ appends `:<queue>:…` itself.
    bullPrefix: `${prefix}bull`,
    objects: `${prefix}obj:`,
    object: (cacheKey) => `${prefix}obj:${cacheKey}`,
    events: `${prefix}events`,
    webhooks: `${prefix}webhook:`,
    webhook: (key) => `${prefix}webhook:${key}`,
    snapshot(ref, gen) {
      const { head, tails } = parts(ref);
      return { repository: head + gen + tails.repository, models: head + gen + tails.models, summaries: head + gen + tails.summaries };
    },
    snapshotParts: parts,
  };
}
