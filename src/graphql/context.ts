import type { EventBus } from '../events/index.js';
import type { Loaders, RegistryStore } from '../store/index.js';

/** What the indexer says about itself (`indexStatus`). */
export interface IndexControlStatus {
  /** The last finished pass, if any. */
  lastPass?: { finishedAt: string; seconds: number; repositories: number; failed: number; apiCalls: number };
  /** Jobs waiting, running and waiting to be retried (job queue only; the embedded indexer has none). */
  queue?: { waiting: number; active: number; delayed: number };
  /** Host API requests per source: this process's (embedded) or every worker's (job queue). */
  apiCalls: Record<string, number>;
}

/** What the GraphQL layer may ask of the indexer (implemented by `Indexer` and `IndexJobs`). */
export interface IndexControl {
  /** True once the first pass has finished (or the shared store already holds an index). */
  readonly ready: boolean;
  status(): Promise<IndexControlStatus>;
  /** Queue a re-index of one repository and return at once (webhooks). */
  enqueue(ref: string): Promise<void>;
  /** Re-index one repository now; resolves when its snapshot is stored. Throws NotFoundError for an unknown ref. */
  refresh(ref: string): Promise<void>;
}

/** A GTO tag to create, as `gto` would write it. */
export interface TagToWrite {
  /** `churn@v1.2.0`, `churn#prod#3`, … */
  name: string;
  /** The commit it points at (full SHA). */
  commit: string;
  /** The annotated tag's message. */
  message: string;
}

/** Writes GTO tags through the repository's host, with the caller's own token (mutations). */
export interface TagWriter {
  /**
   * Creates the annotated tag in repository `repositoryRef`. `token` is the caller's token for
   * that repository's source (absent for local sources, which need none); a token that may not
   * write is an error saying so. Throws for a tag that exists already.
   */
  writeTag(repositoryRef: string, tag: TagToWrite, token: string | undefined): Promise<void>;
}

/** Created per request (HTTP and WebSocket alike): the DataLoaders must never be shared. */
export interface GraphQLContext {
  store: RegistryStore;
  /** A subscription replaces them before each event it resolves, so a long-lived one never serves stale models. */
  loaders: Loaders;
  /** The registry events `Subscription.registryEvents` reads; without it, subscribing fails with a clear error. */
  events?: EventBus;
  indexer?: IndexControl;
  /** Present when the gateway can write tags (mutations). */
  writer?: TagWriter;
  /**
   * The caller's own host tokens, by lower-cased source name, from the `X-Modelgate-Token-<source>`
   * headers (`x-modelgate-token-github: ghp_…`). Never the gateway's indexing tokens.
   */
  callerTokens: ReadonlyMap<string, string>;
}
