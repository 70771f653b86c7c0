/** What one GraphQL operation may ask of the gateway (`limits:` in the config). */
export interface Limits {
  /** Deepest field nesting, fragments expanded. */
  depth: number;
  /** Largest static cost estimate (`estimateCost`). */
  cost: number;
  /** Largest `first` on a connection; bigger pages are refused, never truncated. */
  pageSize: number;
  /** Largest HTTP body (and query text over WebSocket), in bytes. */
  documentBytes: number;
  /** Longest an operation may run before it is answered with `TIMEOUT`, in milliseconds. */
  timeoutMs: number;
  /** Most aliased fields in one document. */
  aliases: number;
  /** Most operations in one batched HTTP request; 0 turns batching off. */
  batch: number;
  /** Whether `__schema` and `__type` may be queried (GraphiQL needs them). */
  introspection: boolean;
}

/** Generous enough for GraphiQL, the README's examples and dashboards; tight enough to refuse abuse. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  depth: 15,
  cost: 50_000,
  pageSize: 500,
  documentBytes: 100 * 1024,
  timeoutMs: 30_000,
  aliases: 50,
  batch: 0,
  introspection: true,
});

/** The refusal codes a client sees in `extensions.code`. */
export const LIMIT_CODES = [
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'PAGE_TOO_LARGE',
  'DOCUMENT_TOO_LARGE',
  'TOO_MANY_ALIASES',
  'BATCH_TOO_LARGE',
  'TIMEOUT',
  'INTROSPECTION_DISABLED',
] as const;
export type LimitCode = (typeof LIMIT_CODES)[number];
