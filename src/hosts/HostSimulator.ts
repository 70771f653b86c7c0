import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Request, Response } from 'express';
import type { Logger } from '../log.js';
import { createPassThroughRouter } from './createHostRouter.js';
import { FaultInjector, faultRulesFromJson } from './FaultInjector.js';
import type { FaultRule } from './FaultInjector.js';
import { GitPlumbing } from './GitPlumbing.js';
import { createGitHubGraphQLHandler } from './github/graphql.js';
import { githubDialect } from './github/githubDialect.js';
import { createGitHubRestRouter } from './github/rest.js';
import { createGitLabRestRouter } from './gitlab/rest.js';
import { RateLimiter } from './RateLimiter.js';
import { SimAccess } from './SimAccess.js';
import type { SimIdentity, SimTokenOptions } from './SimAccess.js';
import type { SimCore, SimSettings } from './SimCore.js';
import { createSimGit } from './simGit.js';
import { SimStats } from './SimStats.js';
import type { SimStatsSnapshot } from './SimStats.js';
import type { SimGit } from './types.js';
import { WebhookSender } from './WebhookSender.js';
import type { SimWebhook } from './WebhookSender.js';

export interface HostSimulatorOptions {
  /** The folder of repositories: each repository's path below it is its GitHub `owner/name` and GitLab `group/…/name`. */
  reposDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Added to every API request. Default 0. */
  latencyMs?: number;
  /** Token → what it may do. None: open mode, every request is allowed. */
  tokens?: Record<string, SimTokenOptions>;
  /** Budget of tokens that name none, and of anonymous requests in open mode. Default 5000. */
  defaultBudget?: number;
  /** Rate-limit window; a number applies to both hosts. Default: GitHub 3600 s, GitLab 60 s. */
  rateLimitWindowSeconds?: number | { github?: number; gitlab?: number };
  /** GitHub's status when the primary budget is spent (GitHub answers 403 or 429). Default 403. */
  rateLimitStatus?: 403 | 429;
  /** GitHub's recursive-tree limit (entries). Default 100,000, as GitHub. */
  treeEntryLimit?: number;
  /** Deliveries for tags created or deleted through the APIs. */
  webhooks?: SimWebhook[];
  /** Per-delivery timeout. Default 5000 ms. */
  webhookTimeoutMs?: number;
  /** How long a `timeout` fault holds the request before dropping the connection. Default 60,000 ms. */
  faultTimeoutMs?: number;
  /** The Git reader; default `createSimGit(reposDir)` (closed with the simulator; an injected one is not). */
  git?: SimGit;
  /** Handler failures (500s) and webhook errors. */
  log?: Logger;
}

/**
 * The Git host simulator: GitHub REST (`/api/v3`), GitHub GraphQL (`/api/graphql`, also
 * `/graphql`) and GitLab REST (`/api/v4`) over a folder of real Git repositories, on one
 * port, with tokens, rate limits, ETags, latency, injected faults, call counters
 * (`GET /_sim/stats`) and webhooks. research/git-hosts.md §6 is the contract.
 */
export class HostSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `${url}/api/v3`: Octokit's `baseUrl`. */
  readonly githubUrl: string;
  /** `${url}/api/graphql`: where Octokit sends GraphQL for that `baseUrl`. */
  readonly graphqlUrl: string;
  /** `${url}/api/v4`; Gitbeaker's `host` is `url` (it appends `/api/v4`). */
  readonly gitlabUrl: string;
  readonly port: number;

  private constructor(
    private readonly server: Server,
    private readonly core: SimCore,
    private readonly webhooks: WebhookSender,
    private readonly held: Set<{ timer: NodeJS.Timeout; destroy: () => void }>,
    private readonly ownsGit: boolean,
  ) {
    const address = server.address() as AddressInfo;
    const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.port = address.port;
    this.url = `http://${host}:${address.port}`;
    this.githubUrl = `${this.url}/api/v3`;
    this.graphqlUrl = `${this.url}/api/graphql`;
    this.gitlabUrl = `${this.url}/api/v4`;
  }

  static async start(options: HostSimulatorOptions): Promise<HostSimulator> {
    const git = options.git ?? createSimGit(options.reposDir);
    const window = options.rateLimitWindowSeconds;
    const settings: SimSettings = {
      latencyMs: options.latencyMs ?? 0,
      windowSeconds: {
        github: typeof window === 'number' ? window : (window?.github ?? 3600),
        gitlab: typeof window === 'number' ? window : (window?.gitlab ?? 60),
      },
      rateLimitStatus: options.rateLimitStatus ?? 403,
      treeEntryLimit: options.treeEntryLimit ?? 100_000,
      faultTimeoutMs: options.faultTimeoutMs ?? 60_000,
    };
    const access = new SimAccess(options.tokens, options.defaultBudget ?? 5000);
    const stats = new SimStats();
    // Ref writes made next to SimGit (GitHub's git/refs) must drop what it caches of those refs.
    const plumbing = new GitPlumbing((repo) => git.refsChanged(repo));
    const held = new Set<{ timer: NodeJS.Timeout; destroy: () => void }>();
    let origin = '';
    const webhooks = new WebhookSender({
      hooks: options.webhooks ?? [],
      git,
      plumbing,
      stats,
      origin: () => origin,
      private: () => !access.isOpen,
      timeoutMs: options.webhookTimeoutMs ?? 5000,
      ...(options.log ? { log: options.log } : {}),
    });
    const core: SimCore = {
      git,
      plumbing,
      access,
      limiter: new RateLimiter(),
      stats,
      faults: new FaultInjector(),
      settings,
      tagCreated: (event) => webhooks.tagCreated(event),
      tagDeleted: (event) => webhooks.tagDeleted(event),
      hold: (destroy) => {
        const entry = {
          destroy,
          timer: setTimeout(() => {
            held.delete(entry);
            destroy();
          }, settings.faultTimeoutMs),
        };
        entry.timer.unref();
        held.add(entry);
      },
      ...(options.log ? { log: options.log } : {}),
    };

    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.get('/', (request, response) => {
      const base = `${request.protocol}://${request.headers.host ?? 'localhost'}`;
      response.json({ github: `${base}/api/v3`, graphql: `${base}/api/graphql`, gitlab: `${base}/api/v4`, stats: `${base}/_sim/stats` });
    });
    app.use('/_sim', controlRouter(core));
    app.use('/api/v3', createGitHubRestRouter(core));
    const graphql = createPassThroughRouter(githubDialect(core, 'graphql'), 'POST /graphql', graphqlHandler(core), core);
    app.post('/api/graphql', graphql);
    app.post('/graphql', graphql);
    app.use('/api/v4', createGitLabRestRouter(core));
    app.use((_request: Request, response: Response) => {
      response.status(404).json({ message: 'Not Found' });
    });

    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const simulator = new HostSimulator(server, core, webhooks, held, options.git === undefined);
    origin = simulator.url;
    return simulator;
  }

  /** The repositories, as the simulator reads them. */
  get git(): SimGit {
    return this.core.git;
  }

  stats(): SimStatsSnapshot {
    return this.core.stats.snapshot();
  }

  resetStats(): void {
    this.core.stats.reset();
  }

  /** Every budget full again. */
  resetRateLimits(): void {
    this.core.limiter.reset();
  }

  /** Replaces the injected faults (an empty list removes them). */
  setFaults(rules: readonly FaultRule[]): void {
    this.core.faults.set(rules);
  }

  faults(): FaultRule[] {
    return this.core.faults.list();
  }

  setLatency(ms: number): void {
    this.core.settings.latencyMs = ms;
  }

  /** Replaces the webhooks deliveries go to (from now on). */
  setWebhooks(hooks: readonly SimWebhook[]): void {
    this.webhooks.setHooks(hooks);
  }

  /** Resolves when the webhook deliveries in flight have finished (delivered, refused or timed out). */
  flushWebhooks(): Promise<void> {
    return this.webhooks.flush();
  }

  /** Stops listening, drops open connections (held `timeout` requests too) and stops the git processes. */
  async close(): Promise<void> {
    for (const entry of this.held) {
      clearTimeout(entry.timer);
      entry.destroy();
    }
    this.held.clear();
    await this.webhooks.flush();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    if (this.ownsGit) await this.core.git.close();
  }
}

/**
 * GitHub GraphQL through the other half of the simulator (`github/graphql.ts`): the token's
 * readable repositories, its own point budget (resource `graphql`, the token's budget per
 * window) and the per-repository counters. Built per request because the budget is the caller's.
 */
function graphqlHandler(core: SimCore): (request: Request, response: Response) => Promise<void> {
  const identityOf = (token: string | undefined): SimIdentity | undefined => core.access.identify(token);
  return async (request, response) => {
    const caller = response.locals.simIdentity as SimIdentity;
    const handler = createGitHubGraphQLHandler({
      git: core.git,
      canRead: (token, path) => identityOf(token)?.canRead(path) ?? false,
      count: (_name, path) => {
        if (path) core.stats.repositoryRead(path);
      },
      rateLimit: {
        limit: caller.budget,
        take: (token, cost) => {
          const identity = identityOf(token) ?? caller;
          const taken = core.limiter.take(`github:graphql:${identity.key}`, identity.budget, core.settings.windowSeconds.github, cost);
          return { ok: taken.allowed, remaining: taken.state.remaining, used: taken.state.used, resetAt: new Date(taken.state.reset * 1000) };
        },
      },
    });
    await handler(request, response);
  };
}

/** `/_sim`: the test controls (stats, faults, latency, budgets). Never counted, never rate-limited. */
function controlRouter(core: SimCore): express.Router {
  const router = express.Router();
  router.use(express.json());
  router.get('/stats', (_request, response) => {
    response.json(core.stats.snapshot());
  });
  router.post('/stats/reset', (_request, response) => {
    core.stats.reset();
    response.status(204).end();
  });
  router.get('/faults', (_request, response) => {
    response.json({ rules: core.faults.list().map((rule) => ({ ...rule, match: { ...rule.match, ...(rule.match?.path instanceof RegExp ? { path: { regex: rule.match.path.source, flags: rule.match.path.flags } } : {}) } })) });
  });
  router.post('/faults', (request, response) => {
    try {
      const rules = faultRulesFromJson(request.body);
      core.faults.set(rules);
      response.json({ rules: rules.length });
    } catch (error) {
      response.status(400).json({ message: `Invalid fault rules: ${error instanceof Error ? error.message : String(error)}` });
    }
  });
  router.delete('/faults', (_request, response) => {
    core.faults.set([]);
    response.status(204).end();
  });
  router.post('/latency', (request, response) => {
    const ms = Number((request.body as { ms?: unknown } | undefined)?.ms);
    if (!Number.isFinite(ms) || ms < 0) {
      response.status(400).json({ message: 'Expected {"ms": <non-negative number>}' });
      return;
    }
    core.settings.latencyMs = ms;
    response.json({ latencyMs: ms });
  });
  router.post('/rate-limits/reset', (_request, response) => {
    core.limiter.reset();
    response.status(204).end();
  });
  return router;
}
