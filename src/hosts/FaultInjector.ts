/**
 * What an injected fault does:
 * - `500`, `502`: the host's server-error answer;
 * - `timeout`: the request is accepted and never answered (the connection is dropped after
 *   the simulator's `faultTimeoutMs`, or when it closes);
 * - `truncated-tree`: GitHub's recursive tree comes back with `truncated: true` and only part of
 *   its entries (other endpoints ignore it);
 * - `malformed`: status 200 with the right content type and a body cut in half (invalid JSON);
 * - `secondary-rate-limit`: GitHub's secondary-limit 403 (message naming the "secondary rate
 *   limit", `retry-after`), GitLab's 429 `Retry later` with `Retry-After`.
 *
 * GitHub GraphQL (`POST /graphql`, host `github`, path `/graphql`) takes `500`, `502`,
 * `timeout` and `secondary-rate-limit`; its answers are not rewritten.
 */
export type FaultKind = '500' | '502' | 'timeout' | 'truncated-tree' | 'malformed' | 'secondary-rate-limit';

export const FAULT_KINDS: readonly FaultKind[] = ['500', '502', 'timeout', 'truncated-tree', 'malformed', 'secondary-rate-limit'];

/** Which requests a fault applies to; every given field must match. */
export interface FaultMatch {
  host?: 'github' | 'gitlab';
  /** `GET`, `POST`, `DELETE` (case-insensitive). */
  method?: string;
  /**
   * A string equals either the endpoint pattern (`/repos/{owner}/{repo}/git/trees/{tree_sha}`,
   * as in stats without the method) or the request path below the API prefix
   * (`/repos/acme/churn/git/trees/main`); a RegExp is tested against both.
   */
  path?: RegExp | string;
  /** Repository path, case-insensitive (`acme/churn`, `ml/vision/detector`). */
  repo?: string;
}

export interface FaultRule {
  match?: FaultMatch;
  kind: FaultKind;
  /** How many requests it hits before it is used up. Default: every matching request. */
  times?: number;
  /** `retry-after` seconds of `secondary-rate-limit`. Default 60. */
  retryAfterSeconds?: number;
}

/** The request a rule is matched against. */
export interface FaultTarget {
  host: 'github' | 'gitlab';
  method: string;
  /** The route's pattern (`/repos/{owner}/{repo}`). */
  pattern: string;
  /** The raw request path below the API prefix. */
  path: string;
  repo?: string;
}

/** The injected faults, consumed first-match-first. */
export class FaultInjector {
  private rules: { rule: FaultRule; left: number }[] = [];

  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }));
  }

  /** The active rules (with what is left of `times`). */
  list(): FaultRule[] {
    return this.rules.map(({ rule, left }) => ({ ...rule, ...(Number.isFinite(left) ? { times: left } : {}) }));
  }

  /** The first rule matching the request, spending one of its `times`. */
  take(target: FaultTarget): FaultRule | undefined {
    const index = this.rules.findIndex(({ rule }) => matches(rule.match ?? {}, target));
    const entry = this.rules[index];
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.rules.splice(index, 1);
    return entry.rule;
  }
}

function matches(match: FaultMatch, target: FaultTarget): boolean {
  if (match.host && match.host !== target.host) return false;
  if (match.method && match.method.toUpperCase() !== target.method) return false;
  if (match.repo && match.repo.toLowerCase() !== target.repo?.toLowerCase()) return false;
  if (match.path !== undefined) {
    const decoded = safeDecode(target.path);
    if (typeof match.path === 'string') {
      if (![target.pattern, target.path, decoded].includes(match.path)) return false;
    } else if (![target.pattern, target.path, decoded].some((candidate) => (match.path as RegExp).test(candidate))) {
      return false;
    }
  }
  return true;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Reads rules sent as JSON to `POST /_sim/faults` (`[...]` or `{"rules":[...]}`); a path given as
 * `{"regex":"…","flags":"i"}` (or `pathRegex`) becomes a RegExp. Throws a readable error otherwise.
 */
export function faultRulesFromJson(body: unknown): FaultRule[] {
  const list = Array.isArray(body) ? body : (body as { rules?: unknown } | undefined)?.rules;
  if (!Array.isArray(list)) throw new Error('expected a JSON array of fault rules, or {"rules": [...]}');
  return list.map((raw: unknown, i) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const kind = item.kind as FaultKind;
    if (!FAULT_KINDS.includes(kind)) throw new Error(`rule ${i}: kind must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(item.kind)}`);
    const m = (item.match ?? {}) as Record<string, unknown>;
    const match: FaultMatch = {};
    if (m.host === 'github' || m.host === 'gitlab') match.host = m.host;
    if (typeof m.method === 'string') match.method = m.method;
    if (typeof m.repo === 'string') match.repo = m.repo;
    if (typeof m.path === 'string') match.path = m.path;
    const regex = typeof m.pathRegex === 'string' ? { regex: m.pathRegex } : (m.path as { regex?: unknown; flags?: unknown } | undefined);
    if (regex && typeof regex === 'object' && typeof regex.regex === 'string') {
      match.path = new RegExp(regex.regex, typeof regex.flags === 'string' ? regex.flags : '');
    }
    const rule: FaultRule = { kind, match };
    if (typeof item.times === 'number') rule.times = item.times;
    if (typeof item.retryAfterSeconds === 'number') rule.retryAfterSeconds = item.retryAfterSeconds;
    return rule;
  });
}
