import { messageOf } from '../../errors.js';

/**
 * One piece of a batched GraphQL query: fields of one repository.
 *
 * `field(alias, v)` writes the selection, every field name prefixed by `alias` (the batcher's
 * unique alias for this piece); `v(type, value)` declares a variable and returns its `$name`,
 * so no value is ever spliced into the query text.
 */
export interface BatchPiece {
  owner: string;
  name: string;
  field(alias: string, v: (type: string, value: unknown) => string): string;
  /** Reads this piece's answer out of its repository's data; default `data[alias]`. */
  pick?(repository: Record<string, unknown>, alias: string): unknown;
  /** How much of a query this piece uses (a blob ≈ 1 per 16 KiB, a page of 100 tags ≈ 10). Default 1. */
  weight?: number;
}

/** Why a piece failed: its repository is missing (or unreadable), its own field failed, or the whole query did. */
export class BatchError extends Error {
  constructor(
    readonly kind: 'not-found' | 'field' | 'query',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BatchError';
  }
}

/** A GraphQL error as GitHub returns it. */
export interface GraphqlErrorEntry {
  type?: string;
  message?: string;
  path?: (string | number)[];
}

/** What one query returned: the data (possibly partial) and the errors. Thrown errors fail every piece. */
export type GraphqlSend = (query: string, variables: Record<string, unknown>) => Promise<{ data: Record<string, unknown> | null; errors: GraphqlErrorEntry[] }>;

export interface GraphqlBatcherOptions {
  /** Most weight in one query. */
  maxWeight: number;
  /** Queries in flight at once; pieces asked meanwhile wait and go together. */
  maxInFlight: number;
}

interface Pending {
  piece: BatchPiece;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Merges the pieces asked for by many concurrent callers (many repositories being indexed at
 * once) into few GraphQL queries: each query holds up to `maxWeight` of pieces, grouped under
 * one aliased `repository(owner:, name:)` field per repository.
 *
 * Batching adapts to load: a piece asked while a slot is free goes at once (after the
 * current tick, so pieces asked together go together); pieces asked while `maxInFlight`
 * queries run wait and leave together in the next query. Partial errors are split per
 * piece: a missing repository fails only its own pieces (`not-found`), a failed field only
 * its piece (`field`); a query that fails as a whole fails all of its pieces (`query`).
 */
export class GraphqlBatcher {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private queuedWeight = 0;
  private scheduled = false;
  /** Queries sent so far, for tests and logs. */
  queries = 0;

  constructor(
    private readonly send: GraphqlSend,
    private readonly options: GraphqlBatcherOptions,
  ) {}

  /** The piece's answer (`null` when GitHub answered null, e.g. no object at that path). */
  request(piece: BatchPiece): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ piece, resolve, reject });
      this.queuedWeight += weightOf(piece);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /**
   * Full queries go at once, up to `maxInFlight`; a partial one only when none is in flight,
   * so that while queries run, what callers ask next gathers into the next query. A finished
   * query schedules the next pump after the current tick: the callers it answered ask for
   * their next pieces first, and those go together.
   */
  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      if (this.inFlight > 0 && this.queuedWeight < this.options.maxWeight) return;
      const batch: Pending[] = [];
      let weight = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0] as Pending;
        const w = weightOf(next.piece);
        if (batch.length > 0 && weight + w > this.options.maxWeight) break;
        batch.push(next);
        this.queue.shift();
        weight += w;
      }
      this.queuedWeight -= weight;
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    // STEP 1: one aliased repository field per repository, its pieces inside it.
    const repositories = new Map<string, { alias: string; pieces: { pending: Pending; alias: string }[] }>();
    const variables: Record<string, unknown> = {};
    const declarations: string[] = [];
    const v = (type: string, value: unknown): string => {
      const name = `v${declarations.length}`;
      declarations.push(`$${name}: ${type}`);
      variables[name] = value;
      return `$${name}`;
    };
    const fields: string[] = [];
    batch.forEach((pending, index) => {
      const key = `${pending.piece.owner}/${pending.piece.name}`.toLowerCase();
      let repository = repositories.get(key);
      if (!repository) {
        repository = { alias: `r${repositories.size}`, pieces: [] };
        repositories.set(key, repository);
      }
      repository.pieces.push({ pending, alias: `f${index}` });
    });
    for (const repository of repositories.values()) {
      const first = repository.pieces[0]?.pending.piece as BatchPiece;
      const owner = v('String!', first.owner);
      const name = v('String!', first.name);
      const inner = repository.pieces.map(({ pending, alias }) => pending.piece.field(alias, v)).join('\n    ');
      fields.push(`${repository.alias}: repository(owner: ${owner}, name: ${name}) {\n    ${inner}\n  }`);
    }
    const query = `query ModelgateBatch${declarations.length > 0 ? `(${declarations.join(', ')})` : ''} {\n  ${fields.join('\n  ')}\n}`;

    // STEP 2: send; a thrown error fails every piece.
    let answer: Awaited<ReturnType<GraphqlSend>>;
    try {
      this.queries += 1;
      answer = await this.send(query, variables);
    } catch (error) {
      for (const pending of batch) pending.reject(new BatchError('query', messageOf(error), { cause: error }));
      return;
    }

    // STEP 3: split the answer (and the errors) per piece.
    const { data, errors } = answer;
    const unplaced = errors.filter((e) => !e.path || e.path.length === 0);
    for (const repository of repositories.values()) {
      const repoErrors = errors.filter((e) => e.path?.[0] === repository.alias && e.path.length === 1);
      const repoData = data?.[repository.alias] as Record<string, unknown> | null | undefined;
      for (const { pending, alias } of repository.pieces) {
        if (!data || unplaced.length > 0) {
          pending.reject(new BatchError('query', describe(unplaced.length > 0 ? unplaced : errors, 'GitHub answered no data')));
          continue;
        }
        if (!repoData) {
          const notFound = repoErrors.some((e) => e.type === 'NOT_FOUND') || repoErrors.length === 0;
          pending.reject(new BatchError(notFound ? 'not-found' : 'field', describe(repoErrors, 'repository not found')));
          continue;
        }
        const fieldErrors = errors.filter((e) => e.path?.[0] === repository.alias && typeof e.path[1] === 'string' && e.path[1].startsWith(alias) && isAliasOf(e.path[1], alias));
        if (fieldErrors.length > 0) {
          pending.reject(new BatchError('field', describe(fieldErrors, 'field failed')));
          continue;
        }
        const value = pending.piece.pick ? pending.piece.pick(repoData, alias) : repoData[alias];
        pending.resolve(value ?? null);
      }
    }
  }
}

function weightOf(piece: BatchPiece): number {
  return Math.max(1, piece.weight ?? 1);
}

/** `f12` is its own piece's field, and so are `f12_x` names; `f123` is not. */
function isAliasOf(field: string, alias: string): boolean {
  return field === alias || field.startsWith(`${alias}_`);
}

function describe(errors: GraphqlErrorEntry[], fallback: string): string {
  const messages = [...new Set(errors.map((e) => e.message ?? e.type ?? '').filter((m) => m !== ''))];
  return messages.length > 0 ? messages.slice(0, 3).join('; ') : fallback;
}
