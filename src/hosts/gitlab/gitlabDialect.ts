import { createHash, randomUUID } from 'node:crypto';
import type { HostDialect } from '../createHostRouter.js';
import type { SimCore } from '../SimCore.js';

/** GitLab's plain-text 429 body. */
const RETRY_LATER = 'Retry later\n';

/**
 * How GitLab (`/api/v4`) speaks: `private-token: X` or `authorization: Bearer X` (or a
 * `private_token` query parameter), `RateLimit-*` headers on every answer, 429 `Retry later`
 * with `Retry-After` and `RateLimit-ResetTime` when the budget is spent, weak ETags, and 304s
 * that still cost (GitLab throttles before the application answers).
 */
export function gitlabDialect(core: SimCore): HostDialect {
  return {
    host: 'gitlab',
    prefix: '/api/v4',
    credentials: (request, query) => {
      const header = request.headers['private-token'];
      if (typeof header === 'string' && header !== '') return header;
      const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      if (bearer?.[1]) return bearer[1];
      return query.get('private_token') ?? query.get('access_token') ?? undefined;
    },
    bucket: (identity) => ({ key: `gitlab:${identity.key}`, limit: identity.budget, windowSeconds: core.settings.windowSeconds.gitlab }),
    baseHeaders: () => {
      const id = randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase();
      return {
        'x-request-id': id,
        'x-gitlab-meta': JSON.stringify({ correlation_id: id, version: '1' }),
        'cache-control': 'max-age=0, private, must-revalidate',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        vary: 'Origin, Accept-Encoding',
      };
    },
    rateHeaders: (state, identity) => ({
      'RateLimit-Name': identity.authenticated ? 'throttle_authenticated_api' : 'throttle_unauthenticated_api',
      'RateLimit-Limit': String(state.limit),
      'RateLimit-Observed': String(state.used),
      'RateLimit-Remaining': String(state.remaining),
      'RateLimit-Reset': String(state.reset),
    }),
    unauthorized: () => ({ status: 401, json: { message: '401 Unauthorized' } }),
    routeNotFound: () => ({ status: 404, json: { error: '404 Not Found' } }),
    error: (error) => ({
      status: error.status,
      json: error.options.body !== undefined ? error.options.body : { message: error.message, ...error.options.fields },
      ...(error.options.headers ? { headers: error.options.headers } : {}),
    }),
    serverError: (status) =>
      status === 500
        ? { status, json: { message: '500 Internal Server Error' } }
        : { status, raw: '<!DOCTYPE html>\n<html><head><title>GitLab is not responding (502)</title></head><body><h1>502</h1><p>Whoops, GitLab is taking too much time to respond.</p></body></html>\n', contentType: 'text/html; charset=utf-8' },
    primaryRateLimited: (state) => {
      const wait = Math.max(1, state.reset - Math.floor(Date.now() / 1000));
      return { status: 429, raw: RETRY_LATER, contentType: 'text/plain; charset=utf-8', headers: { 'Retry-After': String(wait), 'RateLimit-ResetTime': new Date(state.reset * 1000).toUTCString() } };
    },
    secondaryRateLimited: (retryAfter) => ({
      status: 429,
      raw: RETRY_LATER,
      contentType: 'text/plain; charset=utf-8',
      headers: { 'Retry-After': String(retryAfter), 'RateLimit-ResetTime': new Date(Date.now() + retryAfter * 1000).toUTCString() },
    }),
    forbiddenWrite: () => ({ status: 403, json: { message: '403 Forbidden' } }),
    etag: (body) => `W/"${createHash('md5').update(body).digest('hex')}"`,
    free304: () => false,
    repositoryOf: async (params, all, find) => {
      const id = params.id;
      if (id === undefined) return undefined;
      if (/^\d+$/.test(id)) return (await all()).find((r) => r.id === Number(id))?.path;
      return (await find(id))?.path ?? id;
    },
  };
}
