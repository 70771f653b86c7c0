import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { UnreachableCaseError } from '../errors.js';
import { HostError } from './HostError.js';
import type { RateState } from './RateLimiter.js';
import type { SimIdentity } from './SimAccess.js';
import type { SimCore } from './SimCore.js';
import type { CompiledRoute, SimReply, SimRequest, SimRoute } from './SimRoute.js';
import type { SimRepository } from './types.js';
import { compileRoutes, matchRoute } from './SimRoute.js';

/** How one host speaks: credentials, error bodies, rate-limit headers, ETags. */
export interface HostDialect {
  host: 'github' | 'gitlab';
  /** `/api/v3`, `/api/v4`: where the router is mounted. */
  prefix: string;
  /** The token a request carries, undefined when none. */
  credentials(request: Request, query: URLSearchParams): string | undefined;
  /** The budget a request is counted against. */
  bucket(identity: SimIdentity): { key: string; limit: number; windowSeconds: number };
  /** Headers on every answer (request id, media type…). */
  baseHeaders(): Record<string, string>;
  rateHeaders(state: RateState, identity: SimIdentity): Record<string, string>;
  unauthorized(): SimReply;
  routeNotFound(): SimReply;
  error(error: HostError, route?: SimRoute): SimReply;
  serverError(status: 500 | 502): SimReply;
  primaryRateLimited(state: RateState, identity: SimIdentity): SimReply;
  secondaryRateLimited(retryAfterSeconds: number, state: RateState): SimReply;
  forbiddenWrite(route: SimRoute): SimReply;
  /** The ETag of a 200 GET body (GitHub strong, GitLab weak). */
  etag(body: Buffer): string;
  /** Whether a 304 is free for this identity (GitHub: when authenticated). */
  free304(identity: SimIdentity): boolean;
  /** The repository path a request is about, for stats and fault matching (`all` lists every served repository). */
  repositoryOf(
    params: Record<string, string>,
    all: () => Promise<SimRepository[]>,
    find: (path: string) => Promise<SimRepository | undefined>,
  ): Promise<string | undefined>;
}

/**
 * One host's API as an express Router: matches the raw path (so `%2F` stays inside a
 * parameter), then runs the pipeline every real host runs — authentication, latency, counters,
 * the rate limit, injected faults, the handler, ETag/304, rate-limit headers — and writes the
 * reply. Handlers return values (`SimReply`) or throw `HostError`; anything else thrown is
 * logged and answered as the host's 500.
 */
export function createHostRouter(dialect: HostDialect, routes: readonly SimRoute[], core: SimCore): Router {
  const compiled = compileRoutes(routes);
  const router = express.Router();
  router.use(express.json({ limit: '10mb', type: ['application/json', 'application/*+json'] }));
  router.use(express.urlencoded({ extended: false, limit: '10mb' }));
  router.use((request: Request, response: Response, next: NextFunction) => {
    serve(dialect, compiled, core, request, response).catch(next);
  });
  router.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: number; type?: string }).status;
    if (status === 400 || status === 413 || status === 415) {
      write(response, dialect.error(new HostError(400, dialect.host === 'github' ? 'Problems parsing JSON' : '400 Bad request - body is not valid JSON')), dialect.baseHeaders());
      return;
    }
    core.log?.error(`host simulator: ${dialect.host} ${request.method} ${request.originalUrl} failed`, error);
    write(response, dialect.serverError(500), dialect.baseHeaders());
  });
  return router;
}

/** The pipeline for a pass-through route (GitHub GraphQL): authentication, latency, counters and faults, then `handler`. */
export function createPassThroughRouter(
  dialect: HostDialect,
  endpoint: string,
  handler: RequestHandler,
  core: SimCore,
): Router {
  const router = express.Router();
  router.use((request: Request, response: Response, next: NextFunction) => {
    passThrough(dialect, endpoint, handler, core, request, response, next).catch(next);
  });
  return router;
}

async function passThrough(
  dialect: HostDialect,
  endpoint: string,
  handler: RequestHandler,
  core: SimCore,
  request: Request,
  response: Response,
  next: NextFunction,
): Promise<void> {
  const query = queryOf(request.url);
  const identity = core.access.identify(dialect.credentials(request, query));
  await delay(core.settings.latencyMs);
  const finish = core.stats.begin({ host: dialect.host, endpoint, token: identity?.name ?? 'unauthenticated' });
  response.once('finish', () => finish(response.statusCode));
  if (!identity) {
    write(response, dialect.unauthorized(), dialect.baseHeaders());
    return;
  }
  const path = endpoint.replace(/^\w+ /, '');
  const fault = core.faults.take({ host: dialect.host, method: request.method, pattern: path, path });
  if (fault) {
    core.stats.fault();
    const bucket = dialect.bucket(identity);
    const state = core.limiter.peek(bucket.key, bucket.limit, bucket.windowSeconds);
    switch (fault.kind) {
      case '500':
      case '502':
        write(response, dialect.serverError(fault.kind === '500' ? 500 : 502), dialect.baseHeaders());
        return;
      case 'timeout':
        core.hold(() => response.socket?.destroy());
        return;
      case 'secondary-rate-limit':
        write(response, dialect.secondaryRateLimited(fault.retryAfterSeconds ?? 60, state), { ...dialect.baseHeaders(), ...dialect.rateHeaders(state, identity) });
        return;
      case 'malformed':
      case 'truncated-tree':
        break; // not applicable to a pass-through answer
      default:
        throw new UnreachableCaseError(fault.kind);
    }
  }
  response.locals.simIdentity = identity;
  await handler(request, response, next);
}

async function serve(dialect: HostDialect, routes: readonly CompiledRoute[], core: SimCore, request: Request, response: Response): Promise<void> {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const path = pathOf(request.url);
  const query = queryOf(request.url);
  const matched = matchRoute(routes, method, path);
  const identity = core.access.identify(dialect.credentials(request, query));
  await delay(core.settings.latencyMs);

  // The folder is listed once per request (it is re-read on every request, so new repositories appear at once).
  let listing: Promise<SimRepository[]> | undefined;
  const all = () => (listing ??= core.git.repositories());
  const repository = matched ? await dialect.repositoryOf(matched.params, all, (path) => core.git.find(path)) : undefined;
  const endpoint = matched?.route.endpoint ?? `${method} (unmatched)`;
  const finish = core.stats.begin({ host: dialect.host, endpoint, token: identity?.name ?? 'unauthenticated', ...(repository ? { repository } : {}) });
  response.once('finish', () => finish(response.statusCode));
  const base = dialect.baseHeaders();

  // STEP 1: credentials. A missing or unknown token is 401 before anything else.
  if (!identity) {
    write(response, dialect.unauthorized(), base);
    return;
  }
  const bucket = dialect.bucket(identity);
  const rateHeaders = () => dialect.rateHeaders(core.limiter.peek(bucket.key, bucket.limit, bucket.windowSeconds), identity);
  if (!matched) {
    write(response, dialect.routeNotFound(), { ...base, ...rateHeaders() });
    return;
  }
  const { route, params } = matched;

  // STEP 2: the budget. Spent atomically now; a free 304 gives it back below.
  let spent = false;
  if (!route.free) {
    const taken = core.limiter.take(bucket.key, bucket.limit, bucket.windowSeconds);
    if (!taken.allowed) {
      core.stats.rateLimited();
      write(response, dialect.primaryRateLimited(taken.state, identity), { ...base, ...dialect.rateHeaders(taken.state, identity) });
      return;
    }
    spent = true;
  }

  // STEP 3: injected faults that replace the answer.
  const fault = core.faults.take({ host: dialect.host, method, pattern: route.pattern.replace(/\+\}/g, '}'), path, ...(repository ? { repo: repository } : {}) });
  if (fault) core.stats.fault();
  const kind = fault?.kind;
  switch (kind) {
    case undefined:
    case 'malformed':
    case 'truncated-tree':
      break;
    case '500':
    case '502':
      write(response, dialect.serverError(kind === '500' ? 500 : 502), { ...base, ...rateHeaders() });
      return;
    case 'timeout':
      core.hold(() => response.socket?.destroy());
      return;
    case 'secondary-rate-limit': {
      const state = core.limiter.peek(bucket.key, bucket.limit, bucket.windowSeconds);
      write(response, dialect.secondaryRateLimited(fault?.retryAfterSeconds ?? 60, state), { ...base, ...dialect.rateHeaders(state, identity) });
      return;
    }
    default:
      throw new UnreachableCaseError(kind);
  }
  if (route.write && identity.readOnly) {
    write(response, dialect.forbiddenWrite(route), { ...base, ...rateHeaders() });
    return;
  }

  // STEP 4: the handler.
  const origin = `${request.protocol}://${request.headers.host ?? 'localhost'}`;
  const simRequest: SimRequest = {
    method,
    path,
    params,
    query,
    headers: request.headers,
    body: { ...Object.fromEntries(query), ...(isRecord(request.body) ? request.body : {}) },
    identity,
    origin,
    apiUrl: `${origin}${dialect.prefix}`,
    ...(fault?.kind === 'truncated-tree' ? { fault: fault.kind } : {}),
    all,
    // `find` looks at the one folder first (a few stat calls); walking the whole folder per request cost more than git itself.
    repo: async (wanted) => {
      const repo = await core.git.find(wanted);
      return repo && identity.canRead(repo.path) ? repo : undefined;
    },
    repos: async () => (await all()).filter((repo) => identity.canRead(repo.path)),
  };
  let reply: SimReply;
  try {
    reply = await route.handle(simRequest);
  } catch (error) {
    if (!(error instanceof HostError)) throw error;
    reply = dialect.error(error, route);
  }

  // STEP 5: the body, the malformed fault, ETag and 304.
  let body = bodyOf(reply);
  const headers: Record<string, string> = { ...base, ...reply.headers };
  if (reply.json !== undefined || reply.raw !== undefined) headers['content-type'] = reply.json !== undefined ? 'application/json; charset=utf-8' : (reply.contentType ?? 'application/octet-stream');
  let status = reply.status;
  if (fault?.kind === 'malformed') {
    body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
  } else if (method === 'GET' && status === 200) {
    const etag = reply.etag ?? dialect.etag(body);
    headers.etag = etag;
    if (etagMatches(request.headers['if-none-match'], etag)) {
      status = 304;
      body = Buffer.alloc(0);
      delete headers['content-type'];
      if (spent && dialect.free304(identity)) core.limiter.refund(bucket.key);
    }
  }
  Object.assign(headers, rateHeaders());
  response.status(status);
  response.set(headers);
  if (status === 304) {
    response.end();
    return;
  }
  response.set('content-length', String(body.length));
  response.end(body);
}

/** Writes a reply that needs no ETag or fault handling (errors, 401, rate-limited). */
function write(response: Response, reply: SimReply, headers: Record<string, string>): void {
  const body = bodyOf(reply);
  response.status(reply.status);
  response.set({ ...headers, ...reply.headers });
  if (reply.json !== undefined || reply.raw !== undefined) response.set('content-type', reply.json !== undefined ? 'application/json; charset=utf-8' : (reply.contentType ?? 'text/plain; charset=utf-8'));
  response.set('content-length', String(body.length));
  response.end(body);
}

function bodyOf(reply: SimReply): Buffer {
  if (reply.json !== undefined) return Buffer.from(JSON.stringify(reply.json));
  if (reply.raw === undefined) return Buffer.alloc(0);
  return typeof reply.raw === 'string' ? Buffer.from(reply.raw) : reply.raw;
}

/** `If-None-Match` compared weakly (RFC 9110): `W/` ignored, a list or `*` accepted. */
function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const wanted = etag.replace(/^W\//, '');
  return (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((candidate) => candidate.trim())
    .some((candidate) => candidate === '*' || candidate.replace(/^W\//, '') === wanted);
}

function pathOf(url: string): string {
  const index = url.indexOf('?');
  return (index < 0 ? url : url.slice(0, index)) || '/';
}

function queryOf(url: string): URLSearchParams {
  const index = url.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : url.slice(index + 1));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** A strong ETag: the quoted SHA-256 (first 40 hex digits) of the body. */
export function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`;
}

/** A request id in GitHub's style (`C0DE:1234:…`). */
export function requestId(): string {
  return randomBytes(10).toString('hex').toUpperCase().replace(/(.{4})(.{4})(.{6})(.{6})/, '$1:$2:$3:$4');
}
