import { createHash, timingSafeEqual } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { GithubSourceConfig, GitlabSourceConfig, SourceConfig } from '../config.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { DeliveryLog } from './DeliveryLog.js';
import { InMemoryDeliveryLog } from './InMemoryDeliveryLog.js';

/** Options of `createWebhookRouter`. */
export interface WebhookRouterOptions {
  /** The configured sources; the router reads the github and gitlab ones (name, url, repos/orgs, projects/groups, webhookSecret). */
  sources: readonly SourceConfig[];
  /** Queues a refresh of one repository ref without waiting for it (`IndexControl.enqueue`). */
  enqueue(ref: string): Promise<void>;
  /** Remembers deliveries and changes. Default: in memory; give several gateway instances one `RedisDeliveryLog`. */
  deliveries?: DeliveryLog;
  log?: Logger;
  /** Larger bodies get 413. Default 5 MiB (a tag or branch push is a few KiB). */
  maxBodyBytes?: number;
  /** How long a delivery id is remembered. Default 24 h. */
  deliveryTtlMs?: number;
  /** How long a reported change (one ref created, deleted or moved) is remembered. Default 10 s. */
  changeWindowMs?: number;
  /** Longest wait for the delivery log and for `enqueue`. Default 5 s: GitHub gives up on a delivery after 10. */
  timeoutMs?: number;
}

/** The JSON body of every answer. `message` says what happened and, for a refusal, what to do. */
export interface WebhookAnswer {
  status: 'queued' | 'duplicate' | 'ignored' | 'pong' | 'refused' | 'invalid' | 'too large' | 'unavailable' | 'failed';
  message: string;
  /** The repository refs whose refresh this delivery queued. */
  repositories?: string[];
}

const MiB = 1024 * 1024;
const DEFAULTS = { maxBodyBytes: 5 * MiB, deliveryTtlMs: 24 * 60 * 60 * 1000, changeWindowMs: 10_000, timeoutMs: 5000 };
const ZERO_SHA = /^0+$/;

type Host = 'github' | 'gitlab';
type HostedSource = GithubSourceConfig | GitlabSourceConfig;

interface Answer {
  code: number;
  body: WebhookAnswer;
}

/** A verified delivery that reports ref changes in one repository. */
interface RepositoryPush {
  /** As the host names it: `owner/name`, `group/sub/project`. */
  path: string;
  /** `host[:port]` of the repository's web URL, lower case. */
  host: string;
  /** `<git ref>:create`, `<git ref>:delete` or `<git ref>:<before>..<after>`; empty when the payload does not say. */
  changes: string[];
}

/** What reading a payload gave: a repository to refresh, or the answer to give at once. */
type Reading = { push: RepositoryPush } | { answer: Answer };

/**
 * `POST /github` and `POST /gitlab`, to mount at `/webhooks` before any body parser: a verified
 * delivery that reports a tag or branch change in an indexed repository queues a refresh of that
 * repository and is answered 202 at once; the refresh itself runs later, on a worker.
 *
 * - Authentication comes first and decides alone: GitHub's `X-Hub-Signature-256` is checked on
 *   the raw body against each github source's `webhookSecret`; GitLab's `X-Gitlab-Token` is
 *   compared in constant time with each gitlab source's. A delivery belongs to the sources whose
 *   secret it matches (then to the one on the repository's host). No match, no signature, or no
 *   secret configured: 401, and nothing else is read or recorded.
 * - Events: GitHub `push`, `create`, `delete` (tags and branches; `ping` answers 200); GitLab
 *   `Push Hook`, `Tag Push Hook` and `System Hook` with `push`, `tag_push` or
 *   `repository_update`. Others: 202 ignored. A payload without JSON, repository or ref: 400
 *   naming what is missing.
 * - Indexed means: the repository is configured, or its owner (GitHub) or one of its parent
 *   groups (GitLab) is. Org and group membership is not checked against the host (that would
 *   cost an API call per delivery); a repository the source does not list is refreshed in vain
 *   and logged by the indexer.
 * - Duplicates: a delivery id seen before (`X-GitHub-Delivery`; GitLab `Idempotency-Key`, else
 *   `X-Gitlab-Event-UUID`) is answered 202 duplicate. So is a delivery that reports only changes
 *   another delivery reported within `changeWindowMs` (per repository ref, git ref and
 *   create/delete/before..after): GitHub sends `create` and `push` for one new tag, `delete` and
 *   `push` for a removed one, and a GitLab project hook and system hook both report one push;
 *   each such pair queues one refresh. Two different tags, or two moves of a branch, are two
 *   changes and queue two refreshes, so no change is left to the reconcile loop.
 * - If the refresh cannot be queued (`enqueue` fails or takes longer than `timeoutMs`) the
 *   answer is 503 and the delivery is forgotten, so a redelivery counts.
 */
export function createWebhookRouter(options: WebhookRouterOptions): Router {
  const settings = {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    deliveryTtlMs: options.deliveryTtlMs ?? DEFAULTS.deliveryTtlMs,
    changeWindowMs: options.changeWindowMs ?? DEFAULTS.changeWindowMs,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
  };
  const deliveries = options.deliveries ?? InMemoryDeliveryLog.create();
  const log = options.log;
  const sourcesOf = (host: Host): HostedSource[] => options.sources.filter((s): s is HostedSource => s.kind === host);

  /** Records a key; when the log fails the delivery counts as new (one refresh too many is cheap, a lost one is not). */
  const claim = async (key: string, ttlMs: number): Promise<'new' | 'seen' | 'unrecorded'> => {
    try {
      return (await within(deliveries.claim(key, ttlMs), settings.timeoutMs, 'the delivery log')) ? 'new' : 'seen';
    } catch (error) {
      log?.error(`webhooks: the delivery log failed, so ${key} is treated as new`, error);
      return 'unrecorded';
    }
  };

  const queue = async (host: Host, verified: HostedSource[], push: RepositoryPush, deliveryId: string | undefined): Promise<Answer> => {
    const where = `${push.host}/${push.path}`;
    const onHost = verified.filter((s) => webHostOf(s) === push.host);
    if (onHost.length === 0) {
      return ignored(`${where} is not indexed: the ${host} source(s) whose secret matched (${names(verified)}) serve ${[...new Set(verified.map(webHostOf))].join(', ')}.`);
    }
    const indexing = onHost.filter((s) => indexes(s, push.path));
    if (indexing.length === 0) {
      const scope = host === 'github' ? 'repos or orgs' : 'projects or groups';
      return ignored(`${where} is not indexed: it is not among the ${scope} of the ${host} source(s) ${names(onHost)}.`);
    }
    const refs = indexing.map((s) => `${s.name}:${push.path}`);

    const claimed: string[] = [];
    if (deliveryId !== undefined) {
      const key = `delivery:${host}:${deliveryId}`;
      const state = await claim(key, settings.deliveryTtlMs);
      if (state === 'seen') return duplicate(`Delivery ${deliveryId} was received before; nothing more is queued.`);
      if (state === 'new') claimed.push(key);
    }
    const fresh: string[] = [];
    for (const ref of refs) {
      let anyNew = push.changes.length === 0;
      for (const change of push.changes) {
        const key = `change:${ref}:${change}`;
        const state = await claim(key, settings.changeWindowMs);
        if (state !== 'seen') anyNew = true;
        if (state === 'new') claimed.push(key);
      }
      if (anyNew) fresh.push(ref);
    }
    if (fresh.length === 0) {
      return duplicate(`Another delivery reported the same change (${push.changes.join(', ')}) moments ago and queued the refresh of ${refs.join(', ')}.`);
    }
    try {
      await within(Promise.all(fresh.map((ref) => options.enqueue(ref))), settings.timeoutMs, 'the refresh queue');
    } catch (error) {
      log?.error(`webhooks: could not queue the refresh of ${fresh.join(', ')}`, error);
      await Promise.all(claimed.map((key) => deliveries.release(key).catch(() => undefined)));
      return answer(503, 'unavailable', `The refresh of ${fresh.join(', ')} could not be queued (${messageOf(error)}); redeliver the webhook later.`);
    }
    return { code: 202, body: { status: 'queued', message: `Queued a refresh of ${fresh.join(', ')}.`, repositories: fresh } };
  };

  const handle = async (host: Host, req: Request): Promise<Answer> => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = host === 'github' ? await verifyGithub(sourcesOf('github'), req, raw) : verifyGitlab(sourcesOf('gitlab'), req);
    if (!Array.isArray(verified)) return verified;

    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      return invalid(`The body is not JSON (${messageOf(error)}); set the webhook's content type to application/json.`);
    }
    if (!isRecord(payload)) return invalid(`The body is JSON but not an object; expected a ${host === 'github' ? 'GitHub' : 'GitLab'} webhook payload.`);

    const reading = host === 'github' ? readGithub(req, payload, verified) : readGitlab(req, payload);
    if ('answer' in reading) return reading.answer;
    return queue(host, verified, reading.push, deliveryIdOf(host, req));
  };

  const route = (host: Host) => async (req: Request, res: Response) => {
    let result: Answer;
    try {
      result = await handle(host, req);
    } catch (error) {
      log?.error(`webhooks: a ${host} delivery failed`, error);
      result = answer(500, 'failed', 'The delivery could not be handled; the gateway log says why.');
    }
    // Never the signature, the token or the body: only what identifies the delivery.
    const event = printable(host === 'github' ? req.get('x-github-event') : req.get('x-gitlab-event'));
    const id = printable(deliveryIdOf(host, req));
    log?.info(`webhook ${host} ${event} ${id} → ${result.code} ${result.body.status}: ${result.body.message}`);
    res.status(result.code).json(result.body);
  };

  const router = express.Router();
  // The raw body, whatever its content type: signatures are computed over the bytes as sent.
  const body = express.raw({ type: () => true, limit: settings.maxBodyBytes });
  router.post('/github', body, route('github'));
  router.post('/gitlab', body, route('gitlab'));
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
    if (type === 'entity.too.large') {
      log?.info(`webhook refused: body over ${settings.maxBodyBytes} bytes`);
      res.status(413).json(answer(413, 'too large', `The body is over ${settings.maxBodyBytes} bytes, the most a webhook may send here.`).body);
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(answer(status, 'invalid', `The body could not be read: ${messageOf(error)}.`).body);
      return;
    }
    log?.error('webhooks: the request failed', error);
    res.status(500).json(answer(500, 'failed', 'The delivery could not be handled; the gateway log says why.').body);
  });
  return router;
}

/** The github sources whose `webhookSecret` signed the raw body, or the 401 to answer. */
async function verifyGithub(sources: HostedSource[], req: Request, raw: Buffer): Promise<HostedSource[] | Answer> {
  const refused = refusal('github', sources);
  if ('answer' in refused) return refused.answer;
  const signature = req.get('x-hub-signature-256');
  if (!signature) return unauthorized(`X-Hub-Signature-256 is missing: give the webhook a secret (the github source's webhookSecret).${refused.note}`);
  const text = raw.toString('utf8');
  const verified: HostedSource[] = [];
  for (const source of refused.signed) {
    // verify() throws on an empty body; an empty body is signed by nobody here.
    if (await verify(source.webhookSecret as string, text, signature).catch(() => false)) verified.push(source);
  }
  if (verified.length === 0) return unauthorized(`X-Hub-Signature-256 does not match the webhookSecret of the github source(s) ${names(refused.signed)}.${refused.note}`);
  return verified;
}

/** The gitlab sources whose `webhookSecret` is the `X-Gitlab-Token`, or the 401 to answer. */
function verifyGitlab(sources: HostedSource[], req: Request): HostedSource[] | Answer {
  const refused = refusal('gitlab', sources);
  if ('answer' in refused) return refused.answer;
  const token = req.get('x-gitlab-token');
  if (!token) return unauthorized(`X-Gitlab-Token is missing: give the webhook a secret token (the gitlab source's webhookSecret).${refused.note}`);
  const verified = refused.signed.filter((source) => sameSecret(token, source.webhookSecret as string));
  if (verified.length === 0) return unauthorized(`X-Gitlab-Token does not match the webhookSecret of the gitlab source(s) ${names(refused.signed)}.${refused.note}`);
  return verified;
}

/** The sources that can verify a delivery, and a note on those that cannot; or the 401 when none can. */
function refusal(host: Host, sources: HostedSource[]): { signed: HostedSource[]; note: string } | { answer: Answer } {
  const signed = sources.filter((s) => s.webhookSecret !== undefined && s.webhookSecret !== '');
  const unsigned = sources.filter((s) => !signed.includes(s));
  const advice = `set webhookSecret on the source in the config and the same secret on the ${host === 'github' ? 'GitHub webhook' : 'GitLab webhook (Secret token)'}`;
  if (sources.length === 0) return { answer: unauthorized(`No ${host} source is configured, so ${host} webhooks are refused.`) };
  if (signed.length === 0) {
    return { answer: unauthorized(`The ${host} source(s) ${names(unsigned)} have no webhookSecret, and unsigned webhooks are never accepted: ${advice}.`) };
  }
  return { signed, note: unsigned.length > 0 ? ` The ${host} source(s) ${names(unsigned)} have no webhookSecret and refuse every delivery: ${advice}.` : '' };
}

/**
 * Equal in constant time. Both sides are hashed first: the digests have one length, so neither
 * `timingSafeEqual`'s length rule nor an early exit says anything about the secret's length.
 */
function sameSecret(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** GitHub: the repository and ref change of `push`, `create` and `delete`; `ping` and other events are answered here. */
function readGithub(req: Request, payload: Record<string, unknown>, verified: HostedSource[]): Reading {
  const event = req.get('x-github-event');
  if (!event) return { answer: invalid('X-GitHub-Event is missing; expected a GitHub webhook delivery (push, create, delete or ping).') };
  if (event === 'ping') return { answer: answer(200, 'pong', `The signature matches the github source(s) ${names(verified)}; push, create and delete events will queue refreshes.`) };
  if (event !== 'push' && event !== 'create' && event !== 'delete') {
    return { answer: ignored(`GitHub event "${printable(event)}" is ignored: only push, create and delete (and ping) queue refreshes.`) };
  }
  const repository = isRecord(payload.repository) ? payload.repository : undefined;
  const fullName = repository?.full_name;
  if (typeof fullName !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(fullName)) {
    return { answer: invalid(`The ${event} payload has no repository.full_name (owner/name), got ${describe(fullName)}; expected GitHub's ${event} webhook payload.`) };
  }
  const host = hostOf(repository?.html_url);
  if (!host) return { answer: invalid(`The ${event} payload has no repository.html_url (a URL), got ${describe(repository?.html_url)}; expected GitHub's ${event} webhook payload.`) };

  const { ref } = payload;
  if (event === 'push') {
    if (typeof ref !== 'string' || !ref.startsWith('refs/')) return { answer: invalid(`The push payload has no ref (refs/heads/… or refs/tags/…), got ${describe(ref)}.`) };
    const change = payload.deleted === true ? 'delete' : payload.created === true ? 'create' : moved(payload.before, payload.after);
    return { push: { path: fullName, host, changes: change ? [`${ref}:${change}`] : [] } };
  }
  const refType = payload.ref_type;
  if (typeof ref !== 'string' || ref === '') return { answer: invalid(`The ${event} payload has no ref (the tag or branch name), got ${describe(ref)}.`) };
  if (refType !== 'tag' && refType !== 'branch') return { answer: invalid(`The ${event} payload's ref_type must be tag or branch, got ${describe(refType)}.`) };
  // `create` and `delete` name the ref shortly; written in full they match the `push` sent alongside.
  const gitRef = `${refType === 'tag' ? 'refs/tags/' : 'refs/heads/'}${ref}`;
  return { push: { path: fullName, host, changes: [`${gitRef}:${event}`] } };
}

/** GitLab: the project and ref changes of push, tag push and the matching system hooks; other events are answered here. */
function readGitlab(req: Request, payload: Record<string, unknown>): Reading {
  const header = req.get('x-gitlab-event');
  if (!header) return { answer: invalid('X-Gitlab-Event is missing; expected a GitLab webhook delivery (Push Hook, Tag Push Hook or System Hook).') };
  let kind: unknown;
  if (header === 'Push Hook') kind = 'push';
  else if (header === 'Tag Push Hook') kind = 'tag_push';
  else if (header === 'System Hook') {
    // System hooks name the event in the body, not in the header.
    kind = payload.event_name ?? payload.object_kind;
    if (kind !== 'push' && kind !== 'tag_push' && kind !== 'repository_update') {
      return { answer: ignored(`GitLab system hook event "${printable(typeof kind === 'string' ? kind : describe(kind))}" is ignored: only push, tag_push and repository_update queue refreshes.`) };
    }
  } else return { answer: ignored(`GitLab event "${printable(header)}" is ignored: only Push Hook, Tag Push Hook and System Hook queue refreshes.`) };

  const project = isRecord(payload.project) ? payload.project : undefined;
  const path = project?.path_with_namespace;
  if (typeof path !== 'string' || !/^[^/\s]+(\/[^/\s]+)+$/.test(path)) {
    return { answer: invalid(`The ${header} payload has no project.path_with_namespace (group/project), got ${describe(path)}; expected GitLab's ${header} payload.`) };
  }
  const host = hostOf(project?.web_url);
  if (!host) return { answer: invalid(`The ${header} payload has no project.web_url (a URL), got ${describe(project?.web_url)}; expected GitLab's ${header} payload.`) };

  const reported = kind === 'repository_update' ? payload.changes : [payload];
  if (!Array.isArray(reported)) return { answer: invalid(`The repository_update payload has no changes list, got ${describe(reported)}.`) };
  const changes: string[] = [];
  for (const item of reported as unknown[]) {
    const ref = isRecord(item) ? item.ref : undefined;
    if (typeof ref !== 'string' || !ref.startsWith('refs/')) return { answer: invalid(`The ${header} payload has no ref (refs/heads/… or refs/tags/…), got ${describe(ref)}.`) };
    const { before, after } = item as Record<string, unknown>;
    // GitLab writes a created ref as before = zeros and a deleted one as after = zeros.
    const change = typeof before === 'string' && ZERO_SHA.test(before) ? 'create' : typeof after === 'string' && ZERO_SHA.test(after) ? 'delete' : moved(before, after);
    if (change) changes.push(`${ref}:${change}`);
    else return { push: { path, host, changes: [] } };
  }
  return { push: { path, host, changes } };
}

/** `before..after` when both are SHAs; undefined when the payload does not say (then no change-based dedupe). */
function moved(before: unknown, after: unknown): string | undefined {
  return typeof before === 'string' && typeof after === 'string' && before !== '' && after !== '' ? `${before}..${after}` : undefined;
}

/** GitHub: `X-GitHub-Delivery` (kept on redelivery). GitLab: `Idempotency-Key` (17.4+, kept on retries), else `X-Gitlab-Event-UUID`. */
function deliveryIdOf(host: Host, req: Request): string | undefined {
  const id = host === 'github' ? req.get('x-github-delivery') : (req.get('idempotency-key') ?? req.get('x-gitlab-event-uuid'));
  return id && id.length <= 200 ? id : undefined;
}

/** Whether the source indexes `path`: configured itself, or its owner (GitHub) or a parent group (GitLab) is. */
function indexes(source: HostedSource, path: string): boolean {
  const wanted = path.toLowerCase();
  const norm = (p: string) => p.replace(/^\/+|\/+$/g, '').toLowerCase();
  if (source.kind === 'github') {
    const owner = wanted.slice(0, wanted.indexOf('/'));
    return source.repos.some((r) => norm(r) === wanted) || source.orgs.some((o) => norm(o) === owner);
  }
  return source.projects.some((p) => norm(p) === wanted) || source.groups.some((g) => wanted.startsWith(`${norm(g)}/`));
}

/** The host a source's repositories are shown on: `github.com` for `api.github.com`, otherwise the URL's own (Enterprise, GitLab). */
function webHostOf(source: HostedSource): string {
  const host = hostOf(source.url) ?? source.url.toLowerCase();
  return source.kind === 'github' && host === 'api.github.com' ? 'github.com' : host;
}

function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** Within `ms`, or a rejection naming `what`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function answer(code: number, status: WebhookAnswer['status'], message: string): Answer {
  return { code, body: { status, message } };
}
const unauthorized = (message: string) => answer(401, 'refused', message);
const invalid = (message: string) => answer(400, 'invalid', message);
const ignored = (message: string) => answer(202, 'ignored', message);
const duplicate = (message: string) => answer(202, 'duplicate', message);

function names(sources: readonly HostedSource[]): string {
  return sources.map((s) => s.name).join(', ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return printable(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** A header or payload value made safe for one log line: control characters dropped, length capped. */
function printable(value: string | undefined): string {
  if (value === undefined || value === '') return '-';
  const text = value.replace(/[\u0000-\u001f\u007f]/g, '');
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
