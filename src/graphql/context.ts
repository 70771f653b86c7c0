import type { Loaders, RegistryStore } from '../store/index.js';

/** What the GraphQL layer may ask of the indexer (implemented by `Indexer`). */
export interface IndexControl {
  /** True once the first pass has finished. */
  readonly ready: boolean;
  /** The last finished pass, if any. */
  readonly lastPass?: { finishedAt: string; seconds: number; repositories: number; failed: number; apiCalls: number };
  /** Re-index one repository now; resolves when its snapshot is stored. Throws NotFoundError for an unknown ref. */
  refresh(ref: string): Promise<void>;
}

/** Created per request (HTTP and WebSocket alike): the DataLoaders must never be shared. */
export interface GraphQLContext {
  store: RegistryStore;
  loaders: Loaders;
  indexer?: IndexControl;
}
