import type { HostDialect } from '../createHostRouter.js';
import { requestId, strongEtag } from '../createHostRouter.js';
import type { SimCore } from '../SimCore.js';

export const DOCS = 'https://docs.github.com/rest';
const RATE_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY_DOCS = 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

/** GitHub's error body: `{"message","documentation_url","status"}` (status as a string). */
export function githubError(status: number, message: string, docs = DOCS, fields: Record<string, unknown> = {}): { status: number; json: unknown } {
  return { status, json: { message, ...fields, documentation_url: docs, status: String(status) } };
}

/**
 * How GitHub (Enterprise Server layout, `/api/v3`) speaks: `authorization: token|bearer X`,
 * `x-ratelimit-*` on every answer, strong ETags, free 304s for authenticated callers, and the
 * primary (403 or 429, `x-ratelimit-remaining: 0`) and secondary (403 naming the "secondary
 * rate limit", `retry-after`) limit answers `@octokit/plugin-throttling` recognises.
 */
export function githubDialect(core: SimCore, resource: 'core' | 'graphql' = 'core'): HostDialect {
  return {
    host: 'github',
    prefix: '/api/v3',
    credentials: (request) => {
      const match = /^\s*(?:token|bearer)\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      return match?.[1];
    },
    bucket: (identity) => ({ key: `github:${resource}:${identity.key}`, limit: identity.budget, windowSeconds: core.settings.windowSeconds.github }),
    baseHeaders: () => ({
      'x-github-request-id': requestId(),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'cache-control': 'private, max-age=60, s-maxage=60',
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    }),
    rateHeaders: (state) => ({
      'x-ratelimit-limit': String(state.limit),
      'x-ratelimit-remaining': String(state.remaining),
      'x-ratelimit-reset': String(state.reset),
      'x-ratelimit-used': String(state.used),
      'x-ratelimit-resource': resource,
    }),
    unauthorized: () => githubError(401, 'Bad credentials'),
    routeNotFound: () => githubError(404, 'Not Found'),
    error: (error, route) => {
      if (error.options.body !== undefined) return { status: error.status, json: error.options.body, ...(error.options.headers ? { headers: error.options.headers } : {}) };
      return { ...githubError(error.status, error.message, route?.docs ?? DOCS, error.options.fields), ...(error.options.headers ? { headers: error.options.headers } : {}) };
    },
    serverError: (status) => githubError(status, status === 500 ? 'Server Error' : 'Bad Gateway'),
    primaryRateLimited: (_state, identity) =>
      githubError(
        core.settings.rateLimitStatus,
        identity.authenticated
          ? `API rate limit exceeded for user ${identity.name}. If you reach out to GitHub Support for help, please include the request ID ${requestId()} and timestamp ${new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}.`
          : "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
        RATE_DOCS,
      ),
    secondaryRateLimited: (retryAfter) => ({
      ...githubError(
        403,
        `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId()}.`,
        SECONDARY_DOCS,
      ),
      headers: { 'retry-after': String(retryAfter) },
    }),
    forbiddenWrite: (route) => githubError(403, 'Resource not accessible by personal access token', route.docs ?? DOCS),
    etag: strongEtag,
    // GitHub: a 304 to a conditional request with a valid Authorization header is not counted.
    free304: (identity) => identity.authenticated,
    repositoryOf: async (params, _all, find) => {
      if (params.owner === undefined || params.repo === undefined) return undefined;
      const path = `${params.owner}/${params.repo}`;
      return (await find(path))?.path ?? path;
    },
  };
}
