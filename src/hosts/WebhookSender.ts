import { createHmac, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import type { Logger } from '../log.js';
import { loginOf } from './github/githubJson.js';
import { githubTagDeletedEvents, githubTagEvents } from './github/webhookPayloads.js';
import type { GitHubEvent } from './github/webhookPayloads.js';
import { gitlabTagDeletedPayload, gitlabTagPushPayload } from './gitlab/webhookPayloads.js';
import type { GitPlumbing } from './GitPlumbing.js';
import type { TagCreatedEvent, TagDeletedEvent } from './SimCore.js';
import type { SimStats } from './SimStats.js';
import { stableId } from './stableId.js';
import type { SimGit, SimRepository } from './types.js';

/** A webhook the simulator delivers to when a tag is created or deleted through its APIs. */
export interface SimWebhook {
  url: string;
  /** GitHub: the HMAC key of `X-Hub-Signature-256`; GitLab: sent verbatim as `X-Gitlab-Token`. */
  secret: string;
  /** The format: GitHub `create` (or `delete`) + `push`, or GitLab `Tag Push Hook`. */
  host: 'github' | 'gitlab';
  /** Only for these repository paths (case-insensitive). Default: all. */
  repos?: string[];
}

export interface WebhookSenderOptions {
  hooks: readonly SimWebhook[];
  git: SimGit;
  plumbing: GitPlumbing;
  stats: SimStats;
  /** The simulator's own URL (repository URLs in payloads). */
  origin: () => string;
  /** Whether repositories are private (tokens configured). */
  private: () => boolean;
  timeoutMs: number;
  log?: Logger;
}

/**
 * Delivers webhooks for tags created or deleted through either API, in every configured hook's
 * own format (the same repository is served by both faces). Fire-and-forget like the hosts: one
 * attempt per event with a timeout, no retry; each attempt is recorded in the stats. `flush()`
 * waits for the deliveries in flight (tests).
 */
export class WebhookSender {
  private readonly pending = new Set<Promise<void>>();
  private hooks: readonly SimWebhook[];

  constructor(private readonly options: WebhookSenderOptions) {
    this.hooks = options.hooks;
  }

  /** Replaces the hooks (a receiver that starts after the simulator learns its URL late). */
  setHooks(hooks: readonly SimWebhook[]): void {
    this.hooks = hooks;
  }

  tagCreated(event: TagCreatedEvent): void {
    this.start(event.repo, event.tagName, async (hooks) => {
      const { git, plumbing } = this.options;
      const tag = (await git.tags(event.repo)).find((t) => t.name === event.tagName);
      const commit = tag && (await git.commit(event.repo, tag.commit));
      if (!tag || !commit) return;
      const facts = await plumbing.facts(event.repo);
      const origin = this.options.origin();
      const isPrivate = this.options.private();
      await this.send(event.repo, event.tagName, hooks, {
        github: () => githubTagEvents({ repo: event.repo, facts, tag, commit, login: loginOf(event.identity.name), urls: { api: `${origin}/api/v3`, web: origin }, private: isPrivate }),
        gitlab: () => gitlabTagPushPayload({ repo: event.repo, facts, tag, commit, username: event.identity.name, origin, private: isPrivate }),
      });
    });
  }

  tagDeleted(event: TagDeletedEvent): void {
    this.start(event.repo, event.tagName, async (hooks) => {
      // The tag is gone: everything about it comes from the event.
      const facts = await this.options.plumbing.facts(event.repo);
      const origin = this.options.origin();
      const isPrivate = this.options.private();
      const { repo, tagName, sha } = event;
      await this.send(repo, tagName, hooks, {
        github: () => githubTagDeletedEvents({ repo, facts, tagName, sha, login: loginOf(event.identity.name), urls: { api: `${origin}/api/v3`, web: origin }, private: isPrivate }),
        gitlab: () => gitlabTagDeletedPayload({ repo, facts, tagName, sha, username: event.identity.name, origin, private: isPrivate }),
      });
    });
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Runs `deliver` for the hooks that cover the repository, tracked for `flush()`; its failure is logged, never thrown. */
  private start(repo: SimRepository, tagName: string, deliver: (hooks: readonly SimWebhook[]) => Promise<void>): void {
    const hooks = this.hooks.filter((hook) => !hook.repos || hook.repos.some((r) => r.toLowerCase() === repo.path.toLowerCase()));
    if (hooks.length === 0) return;
    const delivery = deliver(hooks).catch((error: unknown) => this.options.log?.error(`webhooks for ${repo.path} ${tagName} failed`, error));
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  /** Posts each hook its host's payloads: GitHub's events in order (two-level paths only, as GitHub has no deeper ones), or GitLab's one. */
  private async send(
    repo: SimRepository,
    tagName: string,
    hooks: readonly SimWebhook[],
    payloads: { github: () => GitHubEvent[]; gitlab: () => Record<string, unknown> },
  ): Promise<void> {
    await Promise.all(
      hooks.map(async (hook) => {
        if (hook.host === 'github') {
          if (repo.path.split('/').length !== 2) return;
          for (const { event: name, payload } of payloads.github()) {
            const body = JSON.stringify(payload);
            await this.post(hook, name, repo.path, tagName, body, {
              'user-agent': 'GitHub-Hookshot/simulator',
              'x-github-event': name,
              'x-github-delivery': randomUUID(),
              'x-github-hook-id': String(stableId('hook', hook.url)),
              'x-github-hook-installation-target-type': 'repository',
              'x-github-hook-installation-target-id': String(repo.id),
              'x-hub-signature': `sha1=${createHmac('sha1', hook.secret).update(body).digest('hex')}`,
              'x-hub-signature-256': await sign(hook.secret, body),
            });
          }
          return;
        }
        const body = JSON.stringify(payloads.gitlab());
        const uuid = randomUUID();
        await this.post(hook, 'Tag Push Hook', repo.path, tagName, body, {
          'user-agent': 'GitLab/17.5.0',
          'x-gitlab-event': 'Tag Push Hook',
          'x-gitlab-token': hook.secret,
          'x-gitlab-instance': this.options.origin(),
          'x-gitlab-webhook-uuid': String(stableId('hook', hook.url)),
          'x-gitlab-event-uuid': uuid,
          'idempotency-key': uuid,
        });
      }),
    );
  }

  private async post(hook: SimWebhook, event: string, repository: string, ref: string, body: string, headers: Record<string, string>): Promise<void> {
    const started = Date.now();
    const id = headers['x-github-delivery'] ?? headers['x-gitlab-event-uuid'] ?? randomUUID();
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      this.options.stats.webhook({ id, host: hook.host, event, url: hook.url, repository, ref, status: response.status, durationMs: Date.now() - started });
    } catch (error) {
      this.options.stats.webhook({ id, host: hook.host, event, url: hook.url, repository, ref, error: error instanceof Error ? error.message : String(error), durationMs: Date.now() - started });
    }
  }
}
