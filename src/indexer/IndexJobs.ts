import { createHash, randomUUID } from 'node:crypto';
import { Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { NotFoundError, UpstreamError, messageOf } from '../errors.js';
import type { GitSource, RepositoryInfo } from '../sources/index.js';
import type { RedisKeys } from '../store/index.js';
import type { Indexer, IndexSummary } from './Indexer.js';

/** Options of `IndexJobs.start`. */
export interface IndexJobsOptions {
  /** Does the work of each job (its store is the shared Redis store). */
  indexer: Indexer;
  sources: readonly GitSource[];
  /**
   * A client for the runner's own keys and BullMQ's queues. BullMQ's workers need
   * `maxRetriesPerRequest: null` on it (they block on Redis); `main.ts` makes it so.
   */
  connection: Redis;
  keys: RedisKeys;
  /** Time between two passes (`refresh.interval`), across every process sharing the Redis. */
  intervalMs: number;
  /** Run jobs in this process (`serve` by default, `worker`); false for `serve --no-worker`. */
  work: boolean;
  /**
   * A job whose worker stops renewing its lock for this long (the process died) is given to
   * another worker. BullMQ's default, 30 s.
   */
  stallAfterMs?: number;
  /** Tries of one repository's job before its failure is final. Default 3 (backoff 2 s, 4 s). */
  attempts?: number;
  /** How long `refresh(ref)` waits for a worker to finish the job. Default 120 s. */
  refreshTimeoutMs?: number;
  log?: (message: string) => void;
}

/** What a repository's job carries: enough to index it without listing its source again. */
interface RepositoryJobData {
  ref: string;
  repository?: RepositoryInfo;
  /** `pass`: part of a reconcile pass (counted towards it); `refresh`: asked for by someone. */
  kind: 'pass' | 'refresh';
}

/** What `indexStatus` shows of the job runner. */
export interface JobsStatus {
  lastPass?: { finishedAt: string; seconds: number; repositories: number; failed: number; apiCalls: number };
  queue: { waiting: number; active: number; delayed: number };
  /** Host API requests per source, all processes, since the Redis was new. */
  apiCalls: Record<string, number>;
}

const RECONCILE_QUEUE = 'reconcile';

/**
 * Counts one finished repository towards the pass under way (once: a job retried after its
 * worker died is not counted again), and closes the pass when it was the last, or when
 * ARGV[5] is '1' (the queues ran dry with repositories uncounted: jobs BullMQ failed for
 * stalling too often). The pass becomes `lastPass`, with its API calls (all processes'
 * totals now, minus at its start).
 * KEYS: pass, lastPass, apiCalls, counted (set). ARGV: failed (0/1), now (ms), now (ISO), ref, force (0/1).
 */
const COUNT_JOB = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
if ARGV[5] ~= '1' and ARGV[4] ~= '' then
  if redis.call('SADD', KEYS[4], ARGV[4]) == 0 then return 0 end
  done = redis.call('HINCRBY', KEYS[1], 'done', 1)
  if ARGV[1] == '1' then redis.call('HINCRBY', KEYS[1], 'failed', 1) end
end
local total = tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
if done < total and ARGV[5] ~= '1' then return 0 end
local calls = 0
for _, v in ipairs(redis.call('HVALS', KEYS[3])) do calls = calls + tonumber(v) end
local started = tonumber(redis.call('HGET', KEYS[1], 'startedAtMs') or ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'finishedAt', ARGV[3], 'seconds', tostring((tonumber(ARGV[2]) - started) / 1000),
  'repositories', tostring(total), 'failed', redis.call('HGET', KEYS[1], 'failed') or '0',
  'apiCalls', tostring(calls - tonumber(redis.call('HGET', KEYS[1], 'apiCallsAtStart') or '0')))
redis.call('DEL', KEYS[1], KEYS[4])
return 1
`;

/** Releases a repository's lock if this holder still has it. KEYS: lock. ARGV: holder. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** BullMQ's default lock: a job whose worker stops renewing it this long is another worker's. */
const DEFAULT_STALL_AFTER_MS = 30_000;

/**
 * Indexing as BullMQ jobs on the shared Redis, for any number of `serve` and `worker`
 * processes:
 * - every process ticks; the one that takes the `index:reconcile` key (held for one refresh
 *   interval) enqueues that interval's reconcile job, so each repository is indexed once
 *   per interval however many processes run, and a restart within the interval starts no
 *   pass (a warm Redis answers without calling any host);
 * - a reconcile job lists every source, enqueues one job per repository on its source's
 *   queue (job id from the repository ref: a repository still waiting is not queued twice)
 *   and forgets repositories no longer listed;
 * - a repository job indexes it (`Indexer.indexRef`); a failure is retried with backoff and
 *   the previous snapshot stays readable, marked stale. A job whose worker died is retried by
 *   another once its lock lapses (`stallAfterMs`). Sources wait out rate limits themselves.
 * - Each source's queue has its own worker, as concurrent as the source asks (GitHub's
 *   requests batch across the repositories indexed at once).
 */
export class IndexJobs {
  private readonly queues = new Map<string, Queue>();
  private readonly reconcileQueue: Queue;
  private readonly workers: Worker[] = [];
  private readonly events = new Map<string, QueueEvents>();
  private readonly flushed = new Map<string, number>();
  private ticker: NodeJS.Timeout | undefined;
  private knownReady = false;
  private readonly owner = randomUUID();
  private stopped = false;
  /** When this process first saw the pass under way with empty queues. */
  private drainedSince: number | undefined;

  private constructor(private readonly options: IndexJobsOptions) {
    const { connection, keys } = options;
    this.reconcileQueue = new Queue(RECONCILE_QUEUE, { connection, prefix: keys.bullPrefix });
    for (const source of options.sources) this.queues.set(source.name, new Queue(queueName(source.name), { connection, prefix: keys.bullPrefix }));
  }

  /** Starts the runner (and its workers, when `work`); resolves once `ready` is known. */
  static async start(options: IndexJobsOptions): Promise<IndexJobs> {
    const jobs = new IndexJobs(options);
    if (options.work) jobs.startWorkers();
    await jobs.checkReady();
    jobs.startTicker();
    return jobs;
  }

  /** True once a pass has finished on this Redis, or it holds any repository. */
  get ready(): boolean {
    return this.knownReady;
  }

  /** Queues a refresh of one repository (webhooks); a refresh of it already waiting is not queued twice. */
  async enqueue(ref: string): Promise<void> {
    const { queue } = this.queueOf(ref);
    const data: RepositoryJobData = { ref, kind: 'refresh' };
    // A refresh already waiting covers this one; one already running read the refs too early, so a follow-up is queued.
    const base = `refresh-${repositoryJobId(ref)}`;
    let jobId = `${base}-${randomUUID()}`;
    for (const candidate of [base, `${base}-next`]) {
      const state = await (await queue.getJob(candidate))?.getState();
      if (state !== 'active') {
        jobId = candidate;
        break;
      }
    }
    await queue.add('repository', data, { jobId, priority: 1, attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: true });
  }

  /** Re-indexes one repository now, on whichever worker takes the job; resolves when it is stored. */
  async refresh(ref: string): Promise<void> {
    const { queue, sourceName } = this.queueOf(ref);
    let events = this.events.get(sourceName);
    if (!events) {
      // QueueEvents makes (and closes) its own duplicate of the connection it is given.
      events = new QueueEvents(queueName(sourceName), { connection: this.options.connection, prefix: this.options.keys.bullPrefix });
      this.events.set(sourceName, events);
      await events.waitUntilReady();
    }
    const data: RepositoryJobData = { ref, kind: 'refresh' };
    const job = await queue.add('repository', data, { priority: 1, removeOnComplete: { age: 60 }, removeOnFail: { age: 600 }, attempts: 1 });
    const timeoutMs = this.options.refreshTimeoutMs ?? 120_000;
    try {
      await job.waitUntilFinished(events, timeoutMs);
    } catch (error) {
      const message = messageOf(error);
      if (/timed out|ttl/i.test(message)) {
        throw new UpstreamError(`The refresh of ${ref} is queued, but no worker finished it within ${timeoutMs / 1000} s. Is a worker running (\`modelgate worker\`, or \`serve\` without --no-worker)?`, 'indexer');
      }
      throw error instanceof Error && /No configured source lists/.test(message) ? new NotFoundError(message) : new UpstreamError(`Refreshing ${ref} failed: ${message}`, 'indexer');
    }
  }

  /** The queue of the source a repository ref names. */
  private queueOf(ref: string): { queue: Queue; sourceName: string } {
    const sourceName = ref.slice(0, ref.indexOf(':'));
    const queue = this.queues.get(sourceName);
    if (!queue) throw new NotFoundError(`No configured source is named "${sourceName}", so ${ref} cannot be refreshed; check the ref against \`repositories\`.`);
    return { queue, sourceName };
  }

  /** The last pass, the queues' depth and the API calls, read from Redis. */
  async status(): Promise<JobsStatus> {
    const { connection, keys } = this.options;
    const [last, calls, counts] = await Promise.all([
      connection.hgetall(keys.index.lastPass),
      connection.hgetall(keys.index.apiCalls),
      Promise.all([...this.queues.values()].map((q) => q.getJobCounts('waiting', 'prioritized', 'active', 'delayed'))),
    ]);
    const queue = { waiting: 0, active: 0, delayed: 0 };
    for (const c of counts) {
      queue.waiting += (c.waiting ?? 0) + (c.prioritized ?? 0);
      queue.active += c.active ?? 0;
      queue.delayed += c.delayed ?? 0;
    }
    return {
      ...(last.finishedAt
        ? { lastPass: { finishedAt: last.finishedAt, seconds: Number(last.seconds ?? 0), repositories: Number(last.repositories ?? 0), failed: Number(last.failed ?? 0), apiCalls: Number(last.apiCalls ?? 0) } }
        : {}),
      queue,
      apiCalls: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, Number(v)])),
    };
  }

  /** Enqueues a pass now, whoever holds the interval (tests, `modelgate index --queue`). */
  async enqueuePass(): Promise<void> {
    await this.reconcileQueue.add('reconcile', {}, { jobId: `pass-${Date.now()}-${this.owner.slice(0, 8)}`, removeOnComplete: true, removeOnFail: { age: 3600 } });
  }

  /** Stops ticking and the workers (waiting for the jobs they run), and closes the queues. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.ticker);
    await Promise.all(this.workers.map((w) => w.close()));
    await this.flushApiCalls().catch(() => undefined);
    await Promise.all([...this.events.values()].map(async (e) => {
      await e.close();
      await e.disconnect();
    }));
    await Promise.all([this.reconcileQueue, ...this.queues.values()].map((q) => q.close()));
  }

  private startWorkers(): void {
    const { connection, keys } = this.options;
    const lock = this.options.stallAfterMs !== undefined ? { lockDuration: this.options.stallAfterMs, stalledInterval: Math.max(500, Math.floor(this.options.stallAfterMs / 2)) } : {};
    const reconcile = new Worker(RECONCILE_QUEUE, () => this.reconcile(), { connection, prefix: keys.bullPrefix, concurrency: 1, ...lock });
    this.workers.push(reconcile);
    for (const source of this.options.sources) {
      const worker = new Worker(queueName(source.name), (job: Job<RepositoryJobData>) => this.indexJob(job), {
        connection,
        prefix: keys.bullPrefix,
        concurrency: source.concurrency ?? 4,
        ...lock,
      });
      this.workers.push(worker);
    }
    for (const worker of this.workers) worker.on('error', (error) => this.options.log?.(`job worker: ${messageOf(error)}`));
  }

  /** A pass: list every source, queue every repository, forget what is gone. */
  private async reconcile(): Promise<{ repositories: number }> {
    const { connection, keys, indexer } = this.options;
    // The totals before the listing, then the listing's own calls flushed: they belong to this pass.
    await this.flushApiCalls();
    const calls = Object.values(await connection.hgetall(keys.index.apiCalls)).reduce((sum, v) => sum + Number(v), 0);
    const listing = await indexer.listAll();
    await this.flushApiCalls();
    for (const failure of listing.failed) this.options.log?.(`listing ${failure.repository} failed: ${failure.error}`);
    const now = Date.now();
    // A pass still under way keeps going (its repositories are queued once); one open for three intervals was lost, and is replaced.
    const openSince = Number(await connection.hget(keys.index.pass, 'startedAtMs'));
    if (Number.isFinite(openSince) && openSince > 0 && now - openSince < 3 * this.options.intervalMs) {
      this.options.log?.('the previous pass is still under way; this interval queues nothing new.');
      return { repositories: 0 };
    }
    await connection
      .multi()
      .del(keys.index.pass, keys.index.passCounted)
      .hset(keys.index.pass, { id: `${now}`, startedAtMs: `${now}`, total: `${listing.work.length}`, done: '0', failed: '0', apiCallsAtStart: `${calls}` })
      .exec();
    const bySource = new Map<string, { name: string; data: RepositoryJobData; opts: object }[]>();
    const attempts = this.options.attempts ?? 3;
    for (const { source, repository } of listing.work) {
      const list = bySource.get(source.name) ?? [];
      list.push({
        name: 'repository',
        data: { ref: repository.ref, repository, kind: 'pass' },
        opts: { jobId: repositoryJobId(repository.ref), attempts, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: true },
      });
      bySource.set(source.name, list);
    }
    await Promise.all([...bySource].map(([name, jobs]) => this.queues.get(name)?.addBulk(jobs)));
    const forgotten = await indexer.forgetUnlisted(listing);
    if (forgotten.length > 0) this.options.log?.(`forgot ${forgotten.length} repositories no longer listed: ${forgotten.slice(0, 5).join(', ')}${forgotten.length > 5 ? ', …' : ''}`);
    if (listing.work.length === 0) await this.countJob(false, '', true);
    return { repositories: listing.work.length };
  }

  /** One repository. A failure is thrown (so BullMQ retries it) until the last attempt, which is recorded. */
  private async indexJob(job: Job<RepositoryJobData>): Promise<{ failed: boolean }> {
    const { ref, repository, kind } = job.data;
    let summary: IndexSummary;
    try {
      // One job per repository at a time across every worker: a slow job must not store an older snapshot over a newer one.
      summary = await this.withRepositoryLock(ref, () => this.options.indexer.indexRef(ref, repository));
    } catch (error) {
      // Not listed any more (NotFound): final at once. The store failed: BullMQ retries it.
      const final = error instanceof NotFoundError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final && kind === 'pass') await this.countJob(true, ref);
      if (error instanceof NotFoundError) throw new UnrecoverableError(error.message);
      throw error;
    }
    const failure = summary.failed[0];
    if (failure && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw new Error(failure.error);
    if (kind === 'pass') await this.countJob(failure !== undefined, ref);
    if (!this.knownReady) this.knownReady = true;
    if (kind === 'refresh' && failure) throw new Error(failure.error);
    return { failed: failure !== undefined };
  }

  private async countJob(failed: boolean, ref: string, force = false): Promise<void> {
    const { connection, keys } = this.options;
    await this.flushApiCalls();
    const now = new Date();
    const closed = await connection.eval(
      COUNT_JOB,
      4,
      keys.index.pass,
      keys.index.lastPass,
      keys.index.apiCalls,
      keys.index.passCounted,
      failed ? '1' : '0',
      `${now.getTime()}`,
      now.toISOString(),
      ref,
      force ? '1' : '0',
    );
    if (closed === 1) this.knownReady = true;
  }

  /**
   * Runs `work` holding the repository's lock in Redis (renewed while it runs); waits for a
   * holder elsewhere to finish. A holder that died leaves a lock that lapses as its job's does
   * (`stallAfterMs`), so the retried job can go on.
   */
  private async withRepositoryLock<T>(ref: string, work: () => Promise<T>): Promise<T> {
    const { connection, keys } = this.options;
    const key = keys.index.repositoryLock(ref);
    const holder = `${this.owner}:${randomUUID()}`;
    const lockMs = this.options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS;
    const poll = Math.min(250, Math.max(20, Math.floor(lockMs / 8)));
    for (let waited = 0; ; waited += poll) {
      if ((await connection.set(key, holder, 'PX', lockMs, 'NX')) === 'OK') break;
      if (waited > 20 * lockMs) throw new UpstreamError(`${ref} has been locked by another worker for over ${(20 * lockMs) / 1000} s; retrying later.`, 'indexer');
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
    const renew = setInterval(() => void connection.pexpire(key, lockMs).catch(() => undefined), Math.max(100, Math.floor(lockMs / 3)));
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await connection.eval(RELEASE, 1, key, holder).catch(() => undefined);
    }
  }

  /** Adds this process's API calls since the last flush to the shared totals. */
  private async flushApiCalls(): Promise<void> {
    const { connection, keys } = this.options;
    const multi = connection.multi();
    let any = false;
    for (const source of this.options.sources) {
      if (source.apiCalls === undefined) continue;
      const delta = source.apiCalls - (this.flushed.get(source.name) ?? 0);
      if (delta <= 0) continue;
      multi.hincrby(keys.index.apiCalls, source.name, delta);
      this.flushed.set(source.name, source.apiCalls);
      any = true;
    }
    if (any) await multi.exec();
  }

  private async checkReady(): Promise<void> {
    const { connection, keys } = this.options;
    if (this.knownReady) return;
    const [finished, repositories] = await Promise.all([connection.exists(keys.index.lastPass), connection.hlen(keys.repositories)]);
    this.knownReady = finished === 1 || repositories > 0;
  }

  /**
   * A pass whose repositories' queues are empty while some repositories were never counted
   * (BullMQ failed their jobs for stalling too often, without running them) is closed as it
   * stands, so `lastPass` moves on. Waits a few seconds, so a job finishing now counts first.
   */
  private async closeDrainedPass(): Promise<void> {
    const { connection, keys } = this.options;
    const started = Number(await connection.hget(keys.index.pass, 'startedAtMs'));
    if (!Number.isFinite(started) || started <= 0 || Date.now() - started < 5000) return;
    const reconciling = await this.reconcileQueue.getJobCounts('waiting', 'active', 'delayed');
    const counts = await Promise.all([...this.queues.values()].map((q) => q.getJobCounts('waiting', 'prioritized', 'active', 'delayed')));
    const busy = [reconciling, ...counts].some((c) => Object.values(c).some((n) => n > 0));
    if (busy) return;
    this.drainedSince ??= Date.now();
    if (Date.now() - this.drainedSince < 3000) return;
    this.drainedSince = undefined;
    this.options.log?.('the pass under way has no jobs left but did not count every repository (jobs lost to stalls); closing it.');
    await this.countJob(false, '', true);
  }

  /** Every process ticks; the one that takes the interval's key starts the pass. */
  private startTicker(): void {
    const { connection, keys, intervalMs } = this.options;
    const period = Math.min(5000, Math.max(200, Math.floor(intervalMs / 10)));
    const tick = async () => {
      try {
        const taken = await connection.set(keys.index.reconcile, this.owner, 'PX', intervalMs, 'NX');
        if (taken === 'OK') await this.enqueuePass();
        await this.checkReady();
        await this.closeDrainedPass();
      } catch (error) {
        this.options.log?.(`index scheduling: ${messageOf(error)}`);
      }
      if (!this.stopped) this.ticker = setTimeout(() => void tick(), period);
    };
    this.ticker = setTimeout(() => void tick(), 0);
  }
}

/** BullMQ queue names may not hold a colon; source names are checked by the config, but be safe. */
function queueName(source: string): string {
  return `index-${source.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** A job id per repository (BullMQ ids may not hold a colon, refs do): a repository waiting is not queued twice. */
function repositoryJobId(ref: string): string {
  return `repo-${createHash('sha256').update(ref).digest('hex').slice(0, 32)}`;
}
