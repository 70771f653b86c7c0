import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { ThrottlingOptions } from '@octokit/plugin-throttling';
import type { Logger } from '../../log.js';

/** Options of `createGitHubClient`. */
export interface GitHubClientOptions {
  /** REST base URL: `https://api.github.com` (default), GitHub Enterprise `https://HOST/api/v3`. */
  baseUrl?: string;
  token?: string;
  /** Called once per HTTP request actually sent (retries and 304s included): the source's `apiCalls`. */
  onRequest?: () => void;
  /** Longest wait for a rate-limit reset before the request fails instead. Default 900 s (15 minutes). */
  maxRateLimitWaitSeconds?: number;
  /** plugin-retry's attempts after a 5xx or network error. Default 3 (waits 1 s, 4 s, 9 s). */
  retries?: number;
  /**
   * Least time between two POSTs (every GraphQL query is a POST). The throttling plugin's own
   * write queue spaces them 1 s apart, meant for content-creating writes; read-only GraphQL
   * queries only need to stay under GitHub's 2,000 points/minute secondary limit, and the
   * GitHub source sends few, large ones (docs/decisions/0002). Default 50 ms (at most 1,200 a minute).
   */
  minPostIntervalMs?: number;
  /**
   * A request not answered within this is abandoned and, like a 5xx, retried by plugin-retry.
   * Octokit has no timeout of its own: a host that hangs would stall indexing forever. Default 60 s.
   */
  timeoutMs?: number;
  /** plugin-retry's base delay; the n-th retry waits n² times this. Default 1000 ms. */
  retryBaseMs?: number;
  log?: Logger;
}

/** How many times one request may wait for a primary or secondary rate limit. */
const MAX_RATE_LIMIT_RETRIES = 5;

/**
 * Octokit with `@octokit/plugin-throttling` (waits for the rate-limit reset, up to
 * `maxRateLimitWaitSeconds`, instead of failing) and `@octokit/plugin-retry` (5xx and network
 * errors). Only `main.ts` calls it; sources receive the client (or a factory of it).
 *
 * The throttling plugin recognises GraphQL rate limits only on a `/graphql` path; with a GitHub
 * Enterprise base URL (`…/api/v3`) GraphQL goes to `/api/graphql`, so `GitHubSource` waits for
 * GraphQL `RATE_LIMITED` answers itself.
 */
export function createGitHubClient(options: GitHubClientOptions = {}): Octokit {
  const maxWait = options.maxRateLimitWaitSeconds ?? 900;
  const log = options.log;
  const onRequest = options.onRequest;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const GitHubOctokit = Octokit.plugin(throttling, retry);
  const decide = (kind: string) => (retryAfter: number, request: { method?: string; url?: string }, _octokit: unknown, retryCount: number): boolean => {
    const what = `${request.method ?? 'GET'} ${request.url ?? ''}`;
    if (retryAfter > maxWait || retryCount >= MAX_RATE_LIMIT_RETRIES) {
      log?.error(`GitHub ${kind} rate limit on ${what}: not waiting ${retryAfter} s (limit ${maxWait} s, attempt ${retryCount + 1}); the request fails.`);
      return false;
    }
    log?.info(`GitHub ${kind} rate limit on ${what}: waiting ${retryAfter} s for the reset (attempt ${retryCount + 1}).`);
    return true;
  };
  return new GitHubOctokit({
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    ...(options.token ? { auth: options.token } : {}),
    userAgent: 'modelgate',
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => log?.info(`octokit: ${message}`),
      // Octokit logs every answer that is not a 2xx as an error; 304s and the 404/409/422 the sources expect and handle are not.
      error: (message: string) => (/ - (3\d\d|404|409|422) with id /.test(message) ? undefined : log?.error(`octokit: ${message}`)),
    },
    throttle: {
      onRateLimit: decide('primary'),
      onSecondaryRateLimit: decide('secondary'),
      // The plugin only calls `write.key(id).schedule(options, noop)`: a spacing gate, never holding the request itself.
      write: spacingGate(options.minPostIntervalMs ?? 50) as unknown as NonNullable<ThrottlingOptions['write']>,
    },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
    request: {
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        onRequest?.();
        const timeout = AbortSignal.timeout(timeoutMs);
        try {
          return await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
        } catch (error) {
          // Said plainly, and with no `name` of AbortError, so plugin-retry treats it as a failed (500) request and retries.
          if (timeout.aborted) throw new Error(`GitHub did not answer within ${timeoutMs / 1000} s (${String(input)}).`, { cause: error });
          throw error;
        }
      },
    },
  });
}

/** What the throttling plugin uses of a Bottleneck group for writes: each job starts at least `intervalMs` after the previous one. */
function spacingGate(intervalMs: number): { key(id: string): { schedule<T>(options: unknown, job: () => Promise<T>): Promise<T> } } {
  let next = 0;
  const gate = {
    schedule<T>(_options: unknown, job: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const start = Math.max(now, next);
      next = start + intervalMs;
      return start === now ? job() : new Promise<void>((resolve) => setTimeout(resolve, start - now)).then(job);
    },
  };
  return { key: () => gate };
}
