/**
 * A second level under a hosted source's in-memory caches, for what a SHA names: commits,
 * trees, blobs, tag objects. They never change, so what one process read from GitHub or
 * GitLab another (or the same one after a restart) can take from here instead of asking
 * again: only new commits' objects then cost host requests.
 *
 * Keys are opaque to the cache (the sources build them: `<host namespace>:<kind>:<id>`, see
 * `CachedObjects`), values are JSON text. Batch-shaped, like the sources: one `get` per round of
 * misses, one `set` per round of host answers.
 *
 * The host stays the source of truth, so a cache must never fail indexing: an implementation
 * should answer a failed read as misses and drop a failed write (the sources also treat a
 * thrown error that way). A value a cache gives back is checked before use; one that does not
 * parse is a miss, read from the host again and written over.
 */
export interface ObjectCache {
  /** The values under `keys`, in the order asked; `undefined` for a key not held (or unreadable). */
  get(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Keeps the values (overwriting any held); may keep none of them (too large, cache full or down). */
  set(entries: readonly (readonly [key: string, value: string])[]): Promise<void>;
}
