import type { ModelRecord, ProblemRecord, RepositorySnapshot } from '../registry/index.js';
import type { GitSource, RepositoryInfo } from '../sources/index.js';
import type { RegistryStore } from '../store/index.js';
import { InputError, NotFoundError, UpstreamError, messageOf } from '../errors.js';
import { indexRepository } from './indexRepository.js';

/** What one pass over every source did (`modelgate index --json` prints it). */
export interface IndexSummary {
  repositories: number;
  models: number;
  versions: number;
  updated: number;
  unchanged: number;
  failed: { repository: string; error: string }[];
  problems: (ProblemRecord & { repository: string })[];
  seconds: number;
  /** Host API requests this pass made, per hosted source (304s included). */
  apiCalls: Record<string, number>;
}

/** A repository and the source that lists it. */
export interface WorkItem {
  source: GitSource;
  repository: RepositoryInfo;
}

/** What listing every source found: the repositories, the sources that listed, and those that failed to. */
export interface Listing {
  work: WorkItem[];
  listedSources: string[];
  failed: { repository: string; error: string }[];
}

/** The last finished pass, as `indexStatus` shows it. */
export interface LastPass {
  finishedAt: string;
  seconds: number;
  repositories: number;
  failed: number;
  /** Host API requests of the pass, all sources together. */
  apiCalls: number;
}

export interface IndexerOptions {
  sources: readonly GitSource[];
  store: RegistryStore;
  /** Repositories indexed at once. */
  concurrency?: number;
  /**
   * Called after a repository's new snapshot is stored, with the models it replaced
   * (`undefined` when the repository had never been indexed): the seam where changes become
   * events. Not called when nothing changed. A failure is logged, never fails the indexing.
   */
  onSnapshot?: (previous: ModelRecord[] | undefined, snapshot: RepositorySnapshot) => Promise<void>;
  /** Called after each repository, for progress bars. */
  onProgress?: (done: number, total: number, ref: string) => void;
  log?: (message: string) => void;
}

/**
 * The orchestrator: lists repositories, indexes each (at most `concurrency` at a time),
 * keeps the store in step, and never lets one repository's failure stop the others.
 * One pass runs at a time; asking for a pass while one runs returns that pass.
 */
export class Indexer {
  private running: Promise<IndexSummary> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private passes = 0;
  private last: LastPass | undefined;
  /** The repositories the last listing found, by ref, for single-repository refreshes. */
  private known = new Map<string, WorkItem>();
  /** The indexing under way per repository ref (settled promises), so one repository is indexed one at a time. */
  private readonly busy = new Map<string, Promise<void>>();

  private constructor(private readonly options: IndexerOptions) {}

  static create(options: IndexerOptions): Indexer {
    return new Indexer(options);
  }

  /** True once the first pass has finished. */
  get ready(): boolean {
    return this.passes > 0;
  }

  /** The last finished pass, if any. */
  get lastPass(): LastPass | undefined {
    return this.last;
  }

  /** What `indexStatus` shows: the last pass and this process's API calls per hosted source. */
  async status(): Promise<{ lastPass?: LastPass; apiCalls: Record<string, number> }> {
    const apiCalls: Record<string, number> = {};
    for (const source of this.options.sources) if (source.apiCalls !== undefined) apiCalls[source.name] = source.apiCalls;
    return { ...(this.last ? { lastPass: this.last } : {}), apiCalls };
  }

  /** Runs one pass over every source (or joins the pass already running). */
  indexAll(): Promise<IndexSummary> {
    if (!this.running) {
      this.running = this.pass()
        .then((summary) => {
          this.last = {
            finishedAt: new Date().toISOString(),
            seconds: summary.seconds,
            repositories: summary.repositories,
            failed: summary.failed.length,
            apiCalls: Object.values(summary.apiCalls).reduce((a, b) => a + b, 0),
          };
          return summary;
        })
        .finally(() => {
          this.running = undefined;
          this.passes += 1;
        });
    }
    return this.running;
  }

  /** Re-indexes one repository soon, without waiting (webhooks). Failures are logged. */
  enqueue(ref: string): Promise<void> {
    void this.refresh(ref).catch((error: unknown) => this.options.log?.(`refresh of ${ref} failed: ${messageOf(error)}`));
    return Promise.resolve();
  }

  /** Re-indexes one repository now. Unknown refs (not listed by any source) are a NotFoundError. */
  async refresh(ref: string): Promise<void> {
    const summary = await this.indexRef(ref);
    if (summary.failed[0]) this.options.log?.(`refresh of ${ref} failed: ${summary.failed[0].error}`);
  }

  /** Starts the reconcile loop: a pass now, then one every `intervalMs` after the previous ends. */
  start(intervalMs: number): void {
    const loop = async () => {
      try {
        await this.indexAll();
      } catch (error) {
        this.options.log?.(`index pass failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (this.timer !== undefined) this.timer = setTimeout(loop, intervalMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops the loop and waits for a running pass. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * STEP 1 of a pass, also a reconcile job's: every repository of every source. A source that
   * cannot list is reported in `failed` and keeps what it had (its repositories are not forgotten).
   */
  async listAll(): Promise<Listing> {
    const work: WorkItem[] = [];
    const listedSources: string[] = [];
    const failed: { repository: string; error: string }[] = [];
    for (const source of this.options.sources) {
      try {
        for (const repository of await source.listRepositories()) work.push({ source, repository });
        listedSources.push(source.name);
      } catch (error) {
        failed.push({ repository: `${source.name}:`, error: messageOf(error) });
      }
    }
    this.known = new Map(work.map((w) => [w.repository.ref, w] as const));
    return { work, listedSources, failed };
  }

  /** Forgets the stored repositories that a source which did list no longer lists. */
  async forgetUnlisted(listing: Listing): Promise<string[]> {
    const listed = new Set(listing.work.map((w) => w.repository.ref));
    const sources = new Set(listing.listedSources);
    const forgotten: string[] = [];
    for (const ref of await this.options.store.listRepositories()) {
      const sourceName = ref.slice(0, ref.indexOf(':'));
      if (sources.has(sourceName) && !listed.has(ref)) {
        await this.options.store.removeRepository(ref);
        forgotten.push(ref);
      }
    }
    return forgotten;
  }

  /**
   * Indexes one repository and stores the outcome (a job's work): `failed` when the source
   * failed (the previous snapshot stays, marked stale). `repository` may come from a listing
   * made elsewhere (a job's data); without it the source lists to find the ref.
   */
  async indexRef(ref: string, repository?: RepositoryInfo): Promise<IndexSummary> {
    let item = this.known.get(ref);
    const sourceName = ref.slice(0, ref.indexOf(':'));
    const source = this.options.sources.find((s) => s.name === sourceName);
    if (!item && source && repository?.ref === ref) item = { source, repository };
    if (!item) {
      const found = source && (await source.listRepositories()).find((r) => r.ref === ref);
      if (!source || !found) throw new NotFoundError(`No configured source lists the repository ${ref}; check the ref against \`repositories\`.`);
      item = { source, repository: found };
    }
    this.known.set(ref, item);
    const summary = emptySummary();
    summary.repositories = 1;
    await this.indexOne(item.source, item.repository, summary);
    return summary;
  }

  private async pass(): Promise<IndexSummary> {
    const started = process.hrtime.bigint();
    const summary = emptySummary();
    const callsBefore = new Map(this.options.sources.map((s) => [s.name, s.apiCalls] as const));

    // STEP 1: every repository of every source.
    const listing = await this.listAll();
    const { work } = listing;
    summary.failed.push(...listing.failed);
    summary.repositories = work.length;

    // STEP 2: index them, a few at a time per source (a source may ask for more: its requests batch across repositories).
    let done = 0;
    const bySource = new Map<GitSource, WorkItem[]>();
    for (const item of work) bySource.set(item.source, [...(bySource.get(item.source) ?? []), item]);
    const pool = async (items: WorkItem[], size: number) => {
      let next = 0;
      const worker = async () => {
        while (next < items.length) {
          const item = items[next++];
          if (!item) break;
          try {
            await this.indexOne(item.source, item.repository, summary);
          } catch (error) {
            // The store failed (indexOne handles the source's failures): record it, go on with the others.
            summary.failed.push({ repository: item.repository.ref, error: `could not store the result: ${messageOf(error)}` });
            this.options.log?.(`storing ${item.repository.ref} failed: ${messageOf(error)}`);
          }
          this.options.onProgress?.(++done, work.length, item.repository.ref);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
    };
    await Promise.all([...bySource].map(([source, items]) => pool(items, source.concurrency ?? this.options.concurrency ?? 4)));

    // STEP 3: forget repositories that their source no longer lists.
    await this.forgetUnlisted(listing);
    summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const source of this.options.sources) {
      const before = callsBefore.get(source.name);
      if (source.apiCalls !== undefined) summary.apiCalls[source.name] = source.apiCalls - (before ?? 0);
    }
    return summary;
  }

  /** One repository at a time: a refresh asked during a pass waits for it, so an older snapshot never replaces a newer one. */
  private async indexOne(source: GitSource, repository: RepositoryInfo, summary: IndexSummary): Promise<void> {
    const ref = repository.ref;
    const before = this.busy.get(ref) ?? Promise.resolve();
    const mine = before.then(() => this.indexOneNow(source, repository, summary));
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(ref, settled);
    try {
      await mine;
    } finally {
      if (this.busy.get(ref) === settled) this.busy.delete(ref);
    }
  }

  private async indexOneNow(source: GitSource, repository: RepositoryInfo, summary: IndexSummary): Promise<void> {
    const { store } = this.options;
    const [previous] = await store.getRepositories([repository.ref]);
    const outcome = await indexRepository({ source, repository, ...(previous ? { previous } : {}) });
    const attemptAt = new Date().toISOString();
    switch (outcome.result) {
      case 'updated': {
        // The models replaced, for `onSnapshot`: read before the switch (a never-indexed or failed-first repository has none).
        const replaced = this.options.onSnapshot && previous && previous.fingerprint !== '' ? (await store.getModels(previous.models)).filter((m): m is ModelRecord => m !== undefined) : undefined;
        await store.putSnapshot(outcome.snapshot);
        await store.setStatus({ ref: repository.ref, stale: false, lastAttemptAt: attemptAt });
        summary.updated += 1;
        this.count(summary, outcome.snapshot.repository.ref, outcome.snapshot.repository.problems, outcome.snapshot.models);
        if (this.options.onSnapshot) {
          await this.options.onSnapshot(replaced, outcome.snapshot).catch((error: unknown) => this.options.log?.(`after indexing ${repository.ref}: ${messageOf(error)}`));
        }
        return;
      }
      case 'unchanged': {
        await store.setStatus({ ref: repository.ref, stale: false, lastAttemptAt: attemptAt });
        summary.unchanged += 1;
        const models = (await store.getModels(outcome.repository.models)).filter((m) => m !== undefined);
        this.count(summary, repository.ref, outcome.repository.problems, models);
        return;
      }
      case 'failed': {
        // Only our own errors carry messages meant for users; anything else is a bug, logged in full.
        const known = outcome.error instanceof UpstreamError || outcome.error instanceof InputError || outcome.error instanceof NotFoundError;
        if (!known) this.options.log?.(`unexpected error indexing ${repository.ref}: ${outcome.error.stack ?? outcome.error.message}`);
        const message = known ? outcome.error.message : `internal error while indexing ${repository.ref}; the gateway log has the details`;
        // The previous snapshot (if any) stays and is marked stale; a repository never
        // indexed still appears, empty, so its error can be seen.
        if (!previous) await store.putSnapshot(emptySnapshot(repository, attemptAt));
        await store.setStatus({ ref: repository.ref, stale: true, lastError: message, lastAttemptAt: attemptAt });
        summary.failed.push({ repository: repository.ref, error: message });
        if (known) this.options.log?.(`indexing ${repository.ref} failed: ${message}`);
        return;
      }
    }
  }

  private count(summary: IndexSummary, ref: string, problems: ProblemRecord[], models: { versions: unknown[] }[]): void {
    summary.models += models.length;
    summary.versions += models.reduce((n, m) => n + m.versions.length, 0);
    summary.problems.push(...problems.map((p) => ({ repository: ref, ...p })));
  }
}

function emptySummary(): IndexSummary {
  return { repositories: 0, models: 0, versions: 0, updated: 0, unchanged: 0, failed: [], problems: [], seconds: 0, apiCalls: {} };
}

function emptySnapshot(repository: RepositoryInfo, at: string): RepositorySnapshot {
  const { ref, source, kind, host, fullName, url } = repository;
  return { repository: { ref, source, kind, host, fullName, url, indexedAt: at, fingerprint: '', problems: [], models: [] }, models: [] };
}

