/** What a token may do on the simulator. */
export interface SimTokenOptions {
  /**
   * Repository paths it may read (`acme/churn`, case-insensitive); an entry ending in `/*`
   * covers everything below that folder (`ml/*`). Undefined: every repository.
   */
  repos?: string[];
  /** Requests per rate-limit window on each host (GitHub: per resource). Default: the simulator's `defaultBudget`. */
  budget?: number;
  /** Shown in stats and used as the user's login/username. Default: `user-<first 6 characters of the token>`. */
  name?: string;
  /** May read but not create tags (GitHub 403 "Resource not accessible…", GitLab 403). Default false. */
  readOnly?: boolean;
}

/** Who a request comes from, once its token is checked. */
export interface SimIdentity {
  /** Rate-limit bucket key. */
  key: string;
  /** For stats, logins and taggers. */
  name: string;
  /** False for a request without a token (only possible in open mode). */
  authenticated: boolean;
  budget: number;
  readOnly: boolean;
  /** Whether a repository path is visible to this identity (invisible ones answer 404). */
  canRead(path: string): boolean;
}

/**
 * Tokens and what they may read. With no tokens configured the simulator is open: every
 * request is allowed, each distinct token gets its own default budget, and requests without a
 * token share the anonymous one.
 */
export class SimAccess {
  private readonly tokens: ReadonlyMap<string, SimIdentity>;
  private readonly open: Map<string, SimIdentity> = new Map();

  constructor(
    tokens: Readonly<Record<string, SimTokenOptions>> | undefined,
    private readonly defaultBudget: number,
  ) {
    this.tokens = new Map(Object.entries(tokens ?? {}).map(([token, options]) => [token, identityOf(token, options, defaultBudget)]));
  }

  /** True when no tokens are configured. */
  get isOpen(): boolean {
    return this.tokens.size === 0;
  }

  /** The identity a token (or its absence) stands for; undefined means 401. */
  identify(token: string | undefined): SimIdentity | undefined {
    if (!this.isOpen) return token === undefined ? undefined : this.tokens.get(token);
    const key = token ?? '';
    let identity = this.open.get(key);
    if (!identity) {
      identity =
        token === undefined
          ? { key: 'anonymous', name: 'anonymous', authenticated: false, budget: this.defaultBudget, readOnly: false, canRead: () => true }
          : identityOf(token, {}, this.defaultBudget);
      this.open.set(key, identity);
    }
    return identity;
  }
}

function identityOf(token: string, options: SimTokenOptions, defaultBudget: number): SimIdentity {
  const name = options.name ?? `user-${token.replace(/[^A-Za-z0-9]/g, '').slice(0, 6) || 'token'}`;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of options.repos ?? []) {
    const clean = entry.toLowerCase().replace(/^\/+|\/+$/g, '');
    if (clean.endsWith('/*')) prefixes.push(clean.slice(0, -1));
    else exact.add(clean);
  }
  return {
    key: `token:${name}:${token}`,
    name,
    authenticated: true,
    budget: options.budget ?? defaultBudget,
    readOnly: options.readOnly ?? false,
    canRead: options.repos
      ? (path) => {
          const wanted = path.toLowerCase();
          return exact.has(wanted) || prefixes.some((prefix) => wanted.startsWith(prefix));
        }
      : () => true,
  };
}
