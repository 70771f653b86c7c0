import { randomBytes } from 'node:crypto';
import { GraphQLError, Kind, execute, getOperationAST, getVariableValues, parse, validate } from 'graphql';
import type { DocumentNode, ExecutionResult, OperationDefinitionNode } from 'graphql';
import type { Request, Response } from 'express';
import { createLogger } from '../../log.js';
import type { SimGit } from '../types.js';
import { computeQueryCost, nodeLimitError } from './graphqlCost.js';
import { formatGitHubError, formatSyntaxError, translateValidationErrors } from './graphqlErrors.js';
import type { GitHubErrorJson } from './graphqlErrors.js';
import { GitObjectCache, RequestGit } from './graphqlGit.js';
import { fieldResolver } from './graphqlResolvers.js';
import type { RateLimitView, ResolverContext } from './graphqlResolvers.js';
import { loadGitHubSchema } from './graphqlSchema.js';

/** A per-token point budget, GitHub's primary rate limit for GraphQL. */
export interface GraphQLRateLimit {
  /** Points per window (GitHub: 5,000 an hour for a user). */
  limit: number;
  /**
   * Charges `cost` points to the token's budget (0 to only read it); `ok` is false when the
   * budget cannot pay. A `limit` in the answer overrides the one above for this token, so one
   * handler can serve callers with different budgets.
   */
  take(token: string | undefined, cost: number): { remaining: number; resetAt: Date; used: number; ok: boolean; limit?: number };
}

export interface GitHubGraphQLOptions {
  git: SimGit;
  /** Whether the token may read the repository (`owner/name`); unreadable ones are answered as missing, as GitHub does. Default: all readable. */
  canRead?(token: string | undefined, repoPath: string): boolean;
  /** Counts calls: `('POST /graphql')` once per request, and `('POST /graphql repository', path)` once per repository the request resolved. */
  count?(name: string, repoPath?: string): void;
  /** The point budget; without it every query is free and `rateLimit` shows an untouched 5,000. */
  rateLimit?: GraphQLRateLimit;
}

/** The login `viewer` answers with. */
export const SIMULATED_VIEWER = 'simulator';

const UNLIMITED = 5000;

/**
 * Commits, trees, tags and blobs by full SHA, shared by every handler of the process: an
 * object's SHA fixes its content, so handlers built per request still answer a repeated
 * batch without running git for them. Access control happens before (repositories are
 * found per request, per token).
 */
const SHARED_OBJECTS = new GitObjectCache();
const MAX_QUERY_BYTES = 10 * 1024 * 1024;

/**
 * GitHub's GraphQL API (`POST /graphql`, `/api/graphql` on Enterprise) over the simulator's
 * repositories.
 *
 * Guarantees: the query is validated against GitHub's published schema (so what GitHub
 * rejects is rejected here, with GitHub's wording for the common mistakes); the node limit
 * and the point cost are computed as GitHub computes them, and the cost is charged to
 * `rateLimit` before anything runs; every answer is HTTP 200 with `{data, errors}` as
 * GitHub sends it (partial data with a NOT_FOUND error for a missing repository in a
 * batch), except an unreadable request body (400, as GitHub). Authentication (401) is the
 * server's job, not this handler's.
 */
export function createGitHubGraphQLHandler(options: GitHubGraphQLOptions): (req: Request, res: Response) => Promise<void> {
  const log = createLogger();
  return async (req, res) => {
    options.count?.('POST /graphql');
    const requestId = [4, 4, 6, 6, 4].map((n) => randomBytes(n).toString('hex').slice(0, n).toUpperCase()).join(':');
    res.setHeader('x-github-request-id', requestId);
    const token = bearerToken(req.headers.authorization);

    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch {
      res.status(400).json({ message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql', status: '400' });
      return;
    }
    const { query, variables, operationName } = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (typeof query !== 'string' || query.trim() === '') {
      answer(res, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
      return;
    }
    const schema = await loadGitHubSchema();

    // STEP 1: parse and validate against GitHub's schema.
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      answer(res, { errors: [error instanceof GraphQLError ? formatSyntaxError(error) : { message: String(error) }] });
      return;
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) {
      answer(res, { errors: translateValidationErrors(invalid, document) });
      return;
    }
    const operation = getOperationAST(document, typeof operationName === 'string' ? operationName : undefined);
    if (!operation) {
      const message = typeof operationName === 'string' && operationName ? `No operation named "${operationName}"` : 'An operation name is required';
      answer(res, { errors: [{ message }] });
      return;
    }
    const rawVariables = variables !== null && typeof variables === 'object' ? (variables as Record<string, unknown>) : {};
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
    if (coerced.errors) {
      answer(res, { errors: coerced.errors.map((error) => variableError(error, operation)) });
      return;
    }

    // STEP 2: GitHub's static analysis: the node limit, then the cost against the budget.
    const cost = computeQueryCost(schema, document, operation, coerced.coerced);
    const tooBig = nodeLimitError(cost);
    if (tooBig) {
      answer(res, { errors: [tooBig] });
      return;
    }
    const charge = cost.rateLimitOnly || cost.dryRun ? 0 : cost.cost;
    const budget = options.rateLimit?.take(token, charge) ?? { remaining: UNLIMITED, used: 0, resetAt: nextHour(), ok: true };
    const limit = ('limit' in budget ? budget.limit : undefined) ?? options.rateLimit?.limit ?? UNLIMITED;
    res.setHeader('x-ratelimit-limit', String(limit));
    res.setHeader('x-ratelimit-remaining', String(budget.remaining));
    res.setHeader('x-ratelimit-used', String(budget.used));
    res.setHeader('x-ratelimit-reset', String(Math.ceil(budget.resetAt.getTime() / 1000)));
    res.setHeader('x-ratelimit-resource', 'graphql');
    if (!budget.ok) {
      answer(res, { errors: [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for user ID ${userId(token)}.` }] });
      return;
    }
    const rateLimit: RateLimitView = {
      cost: cost.cost,
      limit,
      nodeCount: cost.nodeCount,
      remaining: budget.remaining,
      resetAt: budget.resetAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      used: budget.used,
    };

    // STEP 3: run it. A dry run runs only its `rateLimit` fields.
    const git = new RequestGit(options.git, (path) => options.canRead?.(token, path) ?? true, SHARED_OBJECTS);
    const context: ResolverContext = { git, webBase: `${req.protocol}://${req.get('host') ?? 'localhost'}`, viewerLogin: SIMULATED_VIEWER, rateLimit };
    const result = (await execute({
      schema,
      document: cost.dryRun ? onlyRateLimit(document, operation) : document,
      operationName: operation.name?.value,
      variableValues: rawVariables,
      contextValue: context,
      fieldResolver,
    })) as ExecutionResult;
    for (const path of git.touched) options.count?.('POST /graphql repository', path);
    const errors = result.errors?.map((error) => formatGitHubError(error, requestId, (cause) => log.error(`GitHub GraphQL simulator: a resolver failed (request ${requestId})`, cause)));
    answer(res, { data: result.data ?? null, ...(errors?.length ? { errors } : {}) });
  };
}

function answer(res: Response, body: { data?: unknown; errors?: GitHubErrorJson[] }): void {
  res.status(200).json(body);
}

/** `Authorization: token X` or `bearer X` → X. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** The body as JSON, whether a body parser ran before this handler or not. */
async function readJsonBody(req: Request): Promise<unknown> {
  const parsed: unknown = req.body;
  if (parsed !== undefined && !Buffer.isBuffer(parsed) && typeof parsed !== 'string') return parsed;
  let text: string;
  if (Buffer.isBuffer(parsed) || typeof parsed === 'string') {
    text = parsed.toString();
  } else if (req.readableEnded) {
    text = '';
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer | string>) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size > MAX_QUERY_BYTES) throw new Error('request body too large');
      chunks.push(buffer);
    }
    text = Buffer.concat(chunks).toString('utf8');
  }
  return text.trim() === '' ? {} : JSON.parse(text);
}

/** A variable that does not coerce, worded as GitHub words it. */
function variableError(error: GraphQLError, operation: OperationDefinitionNode): GitHubErrorJson {
  const match = /^Variable "\$(\w+)"/.exec(error.message);
  const name = match?.[1];
  const definition = operation.variableDefinitions?.find((d) => d.variable.name.value === name);
  if (!name || !definition) return { message: error.message, ...(error.locations ? { locations: error.locations } : {}) };
  const type = printType(definition.type);
  const explanation = error.message.includes('was not provided') ? 'Expected value to not be null' : (error.message.split('; ').slice(1).join('; ') || error.message);
  const value = /got invalid value (.*?);/.exec(error.message)?.[1];
  return {
    extensions: { value: value === undefined ? null : safeJson(value), problems: [{ path: [], explanation }] },
    ...(error.locations ? { locations: error.locations } : {}),
    message: `Variable $${name} of type ${type} was provided invalid value`,
  };
}

function printType(node: NonNullable<OperationDefinitionNode['variableDefinitions']>[number]['type']): string {
  if (node.kind === Kind.NON_NULL_TYPE) return `${printType(node.type)}!`;
  if (node.kind === Kind.LIST_TYPE) return `[${printType(node.type)}]`;
  return node.name.value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The operation with its root selections cut down to `rateLimit` (a dry run evaluates nothing else). */
function onlyRateLimit(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  const trimmed: OperationDefinitionNode = {
    ...operation,
    selectionSet: {
      ...operation.selectionSet,
      selections: operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && (s.name.value === 'rateLimit' || s.name.value === '__typename')),
    },
  };
  return { ...document, definitions: document.definitions.map((d) => (d === operation ? trimmed : d)) };
}

/** A stable number for the caller, GitHub's "user ID" in the rate-limit message. */
function userId(token: string | undefined): number {
  let hash = 7;
  for (const c of token ?? 'anonymous') hash = (hash * 31 + c.charCodeAt(0)) % 100_000_000;
  return hash + 1;
}

function nextHour(): Date {
  return new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
}

