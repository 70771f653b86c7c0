import type { Logger } from '../log.js';
import type { FaultInjector } from './FaultInjector.js';
import type { GitPlumbing } from './GitPlumbing.js';
import type { RateLimiter } from './RateLimiter.js';
import type { SimAccess, SimIdentity } from './SimAccess.js';
import type { SimStats } from './SimStats.js';
import type { SimGit, SimRepository } from './types.js';

/** Settings every host face reads; `latencyMs` may change while the simulator runs. */
export interface SimSettings {
  latencyMs: number;
  /** Rate-limit window per host, seconds. */
  windowSeconds: { github: number; gitlab: number };
  /** GitHub's status for a spent primary budget. */
  rateLimitStatus: 403 | 429;
  /** GitHub's recursive tree limit: more entries than this come back `truncated`. */
  treeEntryLimit: number;
  /** How long a `timeout` fault holds a request before dropping the connection. */
  faultTimeoutMs: number;
}

/** A tag was created through one of the simulated APIs (webhooks are sent for it). */
export interface TagCreatedEvent {
  repo: SimRepository;
  tagName: string;
  identity: SimIdentity;
}

/** A tag was deleted through one of the simulated APIs; `sha` is what its ref named (the tag object of an annotated tag). */
export interface TagDeletedEvent {
  repo: SimRepository;
  tagName: string;
  sha: string;
  identity: SimIdentity;
}

/** What the host faces share: the repositories, the access rules, the counters and the test controls. */
export interface SimCore {
  git: SimGit;
  plumbing: GitPlumbing;
  access: SimAccess;
  limiter: RateLimiter;
  stats: SimStats;
  faults: FaultInjector;
  settings: SimSettings;
  /** Fire-and-forget: delivers the configured webhooks for a new tag. */
  tagCreated(event: TagCreatedEvent): void;
  /** Fire-and-forget: delivers the configured webhooks for a deleted tag. */
  tagDeleted(event: TagDeletedEvent): void;
  /** Keeps a request open (a `timeout` fault) until `faultTimeoutMs` passes or the simulator closes. */
  hold(destroy: () => void): void;
  log?: Logger;
}
