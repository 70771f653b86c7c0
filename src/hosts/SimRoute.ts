import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './FaultInjector.js';
import type { SimIdentity } from './SimAccess.js';
import type { SimRepository } from './types.js';

/**
 * A simulated host's answer as a value: the pipeline (`createHostRouter`) adds ETags, 304s,
 * rate-limit headers and faults, then writes it.
 */
export interface SimReply {
  status: number;
  /** Sent as `application/json; charset=utf-8`. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  raw?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The ETag to use instead of the hash of the body (quoted: `"<sha>"`). */
  etag?: string;
}

/** One request as a route handler sees it. */
export interface SimRequest {
  /** `GET` (also for HEAD), `POST` or `DELETE`. */
  method: string;
  /** Raw path below the API prefix. */
  path: string;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** JSON or form body merged over nothing; `{}` without a body. */
  body: Record<string, unknown>;
  identity: SimIdentity;
  /** `http://127.0.0.1:PORT` as the client reached it. */
  origin: string;
  /** This host's API root: `${origin}/api/v3` or `${origin}/api/v4`. */
  apiUrl: string;
  /** A fault the handler itself must apply (`truncated-tree`). */
  fault?: FaultKind;
  /** Every served repository, readable or not (whether an owner or group exists at all). */
  all(): Promise<SimRepository[]>;
  /** A repository by path (case-insensitive) if it exists and this identity may read it. */
  repo(path: string): Promise<SimRepository | undefined>;
  /** Every repository this identity may read. */
  repos(): Promise<SimRepository[]>;
}

export interface SimRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /**
   * Path below the API prefix; `{name}` matches one raw segment (a `%2F` inside stays part of
   * it), `{name+}` one or more segments. Captures are percent-decoded.
   */
  pattern: string;
  /** Endpoint name in stats; default `METHOD pattern` with `+` dropped. */
  name?: string;
  /** GitHub's `documentation_url` for this endpoint's errors. */
  docs?: string;
  /** Costs nothing against the rate limit (GitHub `GET /rate_limit`). */
  free?: boolean;
  /** Refused for read-only tokens (creating and deleting tags). */
  write?: boolean;
  handle(request: SimRequest): Promise<SimReply>;
}

export interface CompiledRoute extends SimRoute {
  endpoint: string;
  regex: RegExp;
  keys: string[];
}

export function compileRoutes(routes: readonly SimRoute[]): CompiledRoute[] {
  return routes.map((route) => {
    const keys: string[] = [];
    const source = route.pattern
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)(\+?)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        keys.push(param[1] as string);
        return param[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return { ...route, keys, regex: new RegExp(`^${source}$`), endpoint: route.name ?? `${route.method} ${route.pattern.replace(/\+\}/g, '}')}` };
  });
}

/** The first route matching a method (HEAD counts as GET) and a raw path; a trailing slash is ignored. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, rawPath: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.regex.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    try {
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(match[i + 1] ?? '');
      });
    } catch {
      continue; // a malformed %-escape: no route matches, as on the hosts
    }
    return { route, params };
  }
  return undefined;
}
