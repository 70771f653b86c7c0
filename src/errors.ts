/**
 * Errors named by what they mean. `graphql/formatError.ts` and `transport/httpStatus.ts`
 * are the only places that translate them for clients. A message says what was expected,
 * what came, and what to do.
 */

/** The caller sent something we cannot use (a malformed ref, a bad argument). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The thing asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The caller sent no credentials where the operation needs their own (a host token for writing tags). */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** The caller's credentials do not allow the operation (a token that may not create tags). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** The operation would overwrite something that exists (a tag of that name). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** A Git host, the git CLI or another upstream failed; `status` is the upstream's code if it had one. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    message: string,
    readonly upstream: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The configuration file or environment is wrong; reported before anything starts. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly file?: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

/** The store (Redis or memory) could not be reached or answered something unusable. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** For exhaustive switches: reaching it is a programming error. */
export class UnreachableCaseError extends Error {
  override readonly name = 'UnreachableCaseError';
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

/** The message of anything thrown (an `Error`'s message, else its text). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
