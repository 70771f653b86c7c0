import { GraphQLError } from 'graphql';
import type { ASTNode } from 'graphql';
import { LIMIT_CODES } from './Limits.js';
import type { LimitCode } from './Limits.js';

const LIMIT_CODE_SET: ReadonlySet<string> = new Set(LIMIT_CODES);

/**
 * A refusal: `extensions` carry the code, the limit and what came, so a client can react
 * without parsing the message. `http.status` is what Apollo answers with over HTTP.
 */
export function limitError(code: LimitCode, message: string, details: { limit: number; actual?: number; nodes?: readonly ASTNode[]; status?: number }): GraphQLError {
  return new GraphQLError(message, {
    ...(details.nodes ? { nodes: details.nodes } : {}),
    extensions: {
      code,
      limit: details.limit,
      ...(details.actual !== undefined ? { actual: details.actual } : {}),
      http: { status: details.status ?? 400 },
    },
  });
}

/** The limit code an error carries, looking through the wrappers Apollo puts around validation errors. */
export function limitCodeOf(error: unknown): LimitCode | undefined {
  for (let e: unknown = error; e instanceof Error; e = (e as { originalError?: unknown }).originalError) {
    const code = (e as { extensions?: Record<string, unknown> }).extensions?.code;
    if (typeof code === 'string' && LIMIT_CODE_SET.has(code)) return code as LimitCode;
    if ((e as { originalError?: unknown }).originalError === e) break;
  }
  return undefined;
}
