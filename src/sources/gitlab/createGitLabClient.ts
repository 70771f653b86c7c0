import { Gitlab, GitbeakerRequestError, GitbeakerTimeoutError } from '@gitbeaker/rest';
// Gitbeaker's documented seam for a custom requester; `@gitbeaker/rest` 43 depends on this exact package and version.
import { createRequesterFn } from '@gitbeaker/requester-utils';
import type { FormattedResponse, RequestOptions } from '@gitbeaker/requester-utils';

/** The Gitbeaker API object a `GitLabClient` carries (snake_case responses). */
export type GitlabApi = InstanceType<typeof Gitlab<false>>;

/** Options of `createGitLabClient`. */
export interface GitLabClientOptions {
  /** The instance: `https://gitlab.com`, `https://gitlab.example.com`, or `https://example.com/gitlab` under a relative root. */
  host?: string;
  /** A personal, group or project access token with the `read_api` scope. */
  token?: string;
  /** Each HTTP attempt is aborted after this long. Default 30 s. */
  timeoutMs?: number;
  /** Retries of a GET answered 5xx, or not answered at all (timeout, reset connection). Default 3. */
  maxRetries?: number;
  /** First back-off delay of those retries; it doubles each time. Default 500 ms. */
  retryBaseMs?: number;
  /** Retries of a request answered 429. Default 5. */
  maxRateLimitRetries?: number;
  /** The longest one 429 wait (`Retry-After`, or the reset time) is allowed to be. Default 60 s. */
  maxRetryWaitMs?: number;
  /** ETags kept for conditional re-reads of refs and listings. Default 2,000. */
  maxEtags?: number;
}

/**
 * A Gitbeaker client whose requests go through this module's requester: every HTTP attempt is
 * counted, `Retry-After` is honoured, 5xx and timeouts are retried, and changeable resources are
 * re-read with `If-None-Match`.
 */
export interface GitLabClient {
  readonly api: GitlabApi;
  /** The instance's base URL, as configured (`https://gitlab.com`). */
  readonly host: string;
  /** HTTP requests sent so far: every attempt, so retries, 429s and 304s are each one. */
  readonly requests: number;
  /** Of those, the ones GitLab answered 304 Not Modified. */
  readonly notModified: number;
}

const DEFAULTS = { timeoutMs: 30_000, maxRetries: 3, retryBaseMs: 500, maxRateLimitRetries: 5, maxRetryWaitMs: 60_000, maxEtags: 2_000 };
const RETRIED_STATUSES = new Set([500, 502, 503, 504]);
/**
 * What may change under the same URL, and so is worth an `If-None-Match`: tag lists, branches,
 * projects and group listings. Trees, files and commits are asked by SHA and cached by the source.
 */
const CONDITIONAL = /(?:^|\/)repository\/(?:tags|branches)(?:\/|$)|^projects\/[^/]+$|^groups\/[^/]+\/projects$/;

interface CachedAnswer {
  etag: string;
  body: FormattedResponse['body'];
  headers: Record<string, string>;
}

/**
 * The one place a GitLab client is built (STYLE: only `main.ts` constructs clients, through
 * this). Gitbeaker 43 has no fetch option and its own retry ignores `Retry-After`
 * (research/git-hosts.md §3.5, §7), so the client gets its own request handler through
 * Gitbeaker's `requesterFn` seam; the query strings, headers and pagination stay Gitbeaker's.
 *
 * Guarantees: each HTTP attempt counts once in `requests`; a 429 pauses every request of this
 * client until its `Retry-After` (capped) has passed, then retries; a GET answered 500/502/503/504
 * or not answered within `timeoutMs` is retried with doubling back-off (writes are not, as they
 * may have happened); a 304 is answered from the body remembered with its ETag, so Gitbeaker
 * never sees one (it would crash on the empty body). Gitbeaker's client-side limiter is not used.
 */
export function createGitLabClient(options: GitLabClientOptions = {}): GitLabClient {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const host = (options.host ?? 'https://gitlab.com').replace(/\/+$/, '');
  const state = { requests: 0, notModified: 0, pausedUntil: 0 };
  const etags = new Map<string, CachedAnswer>();

  const remember = (key: string, answer: CachedAnswer) => {
    etags.delete(key);
    etags.set(key, answer);
    if (etags.size > settings.maxEtags) etags.delete(etags.keys().next().value as string);
  };

  const handle = async (endpoint: string, raw?: Record<string, unknown>): Promise<FormattedResponse> => {
    const { prefixUrl = '', searchParams, method = 'GET', headers = {}, body, signal, asStream } = (raw ?? {}) as RequestOptions;
    const url = new URL(endpoint, prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`);
    url.search = searchParams ?? '';
    const key = url.href;
    const conditional = method === 'GET' && !asStream && CONDITIONAL.test(endpoint);
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      const wait = state.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait);
      const cached = conditional ? etags.get(key) : undefined;
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      const request = new Request(url, {
        method,
        headers: cached ? { ...headers, 'if-none-match': cached.etag } : headers,
        ...(body !== undefined ? { body } : {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      state.requests += 1;
      let response: Response;
      try {
        response = await fetch(request);
      } catch (error) {
        if (signal?.aborted) throw new GitbeakerTimeoutError('Query timeout was reached', { cause: error });
        if (method === 'GET' && failures < settings.maxRetries) {
          await sleep(settings.retryBaseMs * 2 ** failures++);
          continue;
        }
        throw timeout.aborted
          ? new GitbeakerTimeoutError(`GitLab did not answer ${method} ${url.pathname} within ${settings.timeoutMs} ms`, { cause: error })
          : error;
      }

      if (response.status === 304 && cached) {
        state.notModified += 1;
        remember(key, cached);
        return { body: cached.body, headers: cached.headers, status: 200 };
      }
      if (response.ok) {
        const headersOf = Object.fromEntries(response.headers.entries());
        const content = asStream ? (response.body as ReadableStream) : response.status === 204 ? null : await bodyOf(response);
        const etag = response.headers.get('etag');
        if (conditional && etag && isJson(response)) remember(key, { etag, body: content, headers: headersOf });
        return { body: content, headers: headersOf, status: response.status };
      }
      if (response.status === 429 && rateLimited < settings.maxRateLimitRetries) {
        rateLimited += 1;
        const delay = Math.min(settings.maxRetryWaitMs, retryAfterMs(response.headers) ?? settings.retryBaseMs * 2 ** rateLimited);
        state.pausedUntil = Math.max(state.pausedUntil, Date.now() + delay);
        await response.body?.cancel();
        continue;
      }
      if (RETRIED_STATUSES.has(response.status) && method === 'GET' && failures < settings.maxRetries) {
        await response.body?.cancel();
        await sleep(settings.retryBaseMs * 2 ** failures++);
        continue;
      }
      throw await requestError(request, response);
    }
  };

  const api = new Gitlab({
    host,
    ...(options.token !== undefined ? { token: options.token } : {}),
    // Timeouts are per attempt (above): Gitbeaker's own signal would span retries and waits.
    queryTimeout: null,
    requesterFn: createRequesterFn((_, requestOptions) => Promise.resolve(requestOptions), handle),
  }) as GitlabApi;

  return {
    api,
    host,
    get requests() {
      return state.requests;
    },
    get notModified() {
      return state.notModified;
    },
  };
}

/** Gitbeaker's body rules: JSON (null → {}), `text/*` → string, anything else → Blob. */
async function bodyOf(response: Response): Promise<FormattedResponse['body']> {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (type === 'application/json') return ((await response.json()) as FormattedResponse['body']) || {};
  if (type.startsWith('text/')) return response.text();
  return response.blob();
}

function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').split(';')[0]?.trim() === 'application/json';
}

/** `Retry-After` (seconds or an HTTP date), else GitLab's `RateLimit-ResetTime` / `RateLimit-Reset`, in ms from now. */
function retryAfterMs(headers: Headers): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  const resetTime = Date.parse(headers.get('ratelimit-resettime') ?? '');
  if (!Number.isNaN(resetTime)) return Math.max(0, resetTime - Date.now());
  const reset = Number(headers.get('ratelimit-reset') ?? Number.NaN);
  if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - Date.now());
  return undefined;
}

/** The error Gitbeaker itself throws for a non-2xx answer: the message from `error`/`message` of a JSON body, else the text. */
async function requestError(request: Request, response: Response): Promise<GitbeakerRequestError> {
  const text = await response.text().catch(() => '');
  let description = text;
  if (isJson(response)) {
    try {
      const parsed = JSON.parse(text) as { error?: unknown; message?: unknown } | null;
      const property = parsed?.error ?? parsed?.message ?? '';
      description = typeof property === 'string' ? property : JSON.stringify(property);
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  if (response.status === 429) description = `${description.trim() || 'Retry later'} (still rate limited after the allowed retries)`;
  return new GitbeakerRequestError(description, { cause: { description, request, response } });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
