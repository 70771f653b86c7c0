import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { limitCodeOf } from './limits/index.js';

/** Error name → `extensions.code`. The one place where our errors become client errors. */
const CODES: Record<string, string> = {
  InputError: 'BAD_USER_INPUT',
  NotFoundError: 'NOT_FOUND',
  UpstreamError: 'UPSTREAM_UNAVAILABLE',
  StoreError: 'STORE_UNAVAILABLE',
  UnauthenticatedError: 'UNAUTHENTICATED',
  ForbiddenError: 'FORBIDDEN',
  ConflictError: 'CONFLICT',
};

/** Apollo's own codes that are safe to pass through unchanged (validation, parse errors…). */
const PASS_THROUGH = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST']);

/**
 * Gives each error a code. Errors we did not anticipate are masked (their message can
 * hold internals) and handed to `log` in full. `redact` cleans every message that goes
 * out (an upstream error can quote a URL or header holding a token).
 */
export function createFormatError(log: (message: string, error: unknown) => void, redact: (text: string) => string = (text) => text) {
  const format = createCodedFormat(log);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
    return { ...result, message: redact(result.message) };
  };
}

function createCodedFormat(log: (message: string, error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const name = original instanceof Error ? original.name : undefined;
    const code = name ? CODES[name] : undefined;
    if (code) return { ...formatted, extensions: { ...withoutStack(formatted.extensions), code } };
    // A limit refusal keeps its own code (Apollo relabels validation errors GRAPHQL_VALIDATION_FAILED).
    const limit = limitCodeOf(error);
    if (limit) return { ...formatted, extensions: { ...withoutStack(formatted.extensions), code: limit } };
    const existing = formatted.extensions?.code;
    if (typeof existing === 'string' && PASS_THROUGH.has(existing)) return { ...formatted, extensions: withoutStack(formatted.extensions) };
    log('unexpected error while executing a GraphQL operation', original);
    return { message: 'Internal server error', ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function withoutStack(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  const { stacktrace: _stacktrace, http: _http, ...rest } = extensions ?? {};
  return rest;
}
