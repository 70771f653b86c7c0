import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { UpstreamError } from '../../errors.js';
import { gitEnvironment } from './gitEnvironment.js';

/** One object to read: any revision `git cat-file` understands (`<sha>`, `<sha>:<path>`, `<sha>^{tree}`). */
export interface BatchRequest {
  /** Must not contain `\n` or end with `\r`: the protocol is line-based (callers check). */
  spec: string;
  /** Objects larger than this are reported with their size but their bytes are skipped, never buffered. */
  maxBytes: number;
}

/** What `git cat-file --batch --follow-symlinks` answered for one request. */
export type BatchReply =
  | { kind: 'object'; sha: string; type: string; size: number; /** Absent when over `maxBytes`. */ data?: Buffer }
  | { kind: 'missing' }
  | { kind: 'ambiguous' }
  /** A symlink that leaves the repository (`symlink`), points nowhere (`dangling`), loops, or crosses a file (`notdir`). */
  | { kind: 'unresolved'; reason: 'symlink' | 'dangling' | 'loop' | 'notdir' };

export interface CatFileBatchOptions {
  /** The repository's Git directory (a bare repository, or the `.git` of a work tree). */
  gitDir: string;
  /** Names the repository in error messages (its ref). */
  label: string;
  /** `UpstreamError.upstream` for failures. */
  upstream: string;
  /** Called each time a git process starts (the source counts them). */
  onSpawn: () => void;
  /** The process is ended after this long without requests; the next request starts a new one. */
  idleTimeoutMs: number;
}

interface Pending {
  request: BatchRequest;
  resolve: (reply: BatchReply) => void;
  reject: (error: Error) => void;
}

type UnresolvedReason = Extract<BatchReply, { kind: 'unresolved' }>['reason'];

/** The body being read: `remaining` counts its bytes plus the LF that ends it. */
interface Body {
  pending: Pending;
  /** The object header, or the reason for an unresolved symlink. */
  header: { sha: string; type: string; size: number } | UnresolvedReason;
  remaining: number;
  keep: boolean;
  chunks: Buffer[];
}

const UNRESOLVED: ReadonlySet<string> = new Set<UnresolvedReason>(['symlink', 'dangling', 'loop', 'notdir']);

/**
 * One long-lived `git cat-file --batch --follow-symlinks` process for one repository,
 * shared by every caller.
 *
 * Guarantees: requests are answered in the order they were written, so a FIFO of pending
 * requests and a single stdout parser are enough for any number of concurrent callers (each
 * `read` writes all its lines in one `write`, and Node keeps writes in order). Bodies are
 * counted by the size in their header, so content never confuses the parser; a body over the
 * request's `maxBytes` is consumed without being kept. If the process fails or exits, every
 * pending request is rejected with an `UpstreamError` naming the repository, and the next
 * request starts a fresh process.
 */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private queue: Pending[] = [];
  private head = 0;
  private stderr = '';
  private idleTimer: NodeJS.Timeout | undefined;
  // Parser state: either reading a header line, or `remaining` bytes of a body (+ its LF).
  private headerChunks: Buffer[] = [];
  private body: Body | undefined;

  constructor(private readonly options: CatFileBatchOptions) {}

  /** Reads many objects with one write; replies come back in request order. */
  async read(requests: readonly BatchRequest[]): Promise<BatchReply[]> {
    if (requests.length === 0) return [];
    for (const { spec } of requests) {
      if (spec.includes('\n') || spec.endsWith('\r')) throw new Error(`cat-file spec must be one line: ${JSON.stringify(spec)}`);
    }
    const child = this.ensureChild();
    this.holdEventLoop(child, true);
    const replies = requests.map(
      (request) => new Promise<BatchReply>((resolve, reject) => this.queue.push({ request, resolve, reject })),
    );
    child.stdin.write(`${requests.map((request) => request.spec).join('\n')}\n`);
    return Promise.all(replies);
  }

  /** Ends the process (pending requests are rejected). Safe to call repeatedly. */
  close(): void {
    this.clearIdle();
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.fail(new UpstreamError(`git cat-file for ${this.options.label} was closed while reading`, this.options.upstream));
    child.kill();
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    this.clearIdle();
    if (this.child) return this.child;
    const child = spawn('git', ['--git-dir', this.options.gitDir, 'cat-file', '--batch', '--follow-symlinks'], {
      env: gitEnvironment(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.options.onSpawn();
    this.child = child;
    this.stderr = '';
    this.headerChunks = [];
    this.body = undefined;
    child.stdout.on('data', (chunk: Buffer) => this.onData(child, chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep the tail: git's last words say what went wrong.
      if (this.child === child) this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    // EPIPE after an early exit: the 'close'/'error' handlers report it.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.onExit(child, error.message));
    child.on('close', (code, signal) => this.onExit(child, signal ? `killed by ${signal}` : `exit code ${code ?? '?'}`));
    return child;
  }

  private onExit(child: ChildProcessWithoutNullStreams, why: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.clearIdle();
    const detail = this.stderr.trim() || why;
    this.fail(new UpstreamError(`git cat-file stopped while reading ${this.options.label}: ${detail}`, this.options.upstream));
  }

  private fail(error: Error): void {
    const pending = this.queue.slice(this.head);
    if (this.body) pending.unshift(this.body.pending);
    this.queue = [];
    this.head = 0;
    this.body = undefined;
    this.headerChunks = [];
    for (const item of pending) item.reject(error);
  }

  private onData(child: ChildProcessWithoutNullStreams, chunk: Buffer): void {
    if (this.child !== child) return;
    let at = 0;
    while (at < chunk.length) {
      const body = this.body;
      if (body) {
        const take = Math.min(body.remaining, chunk.length - at);
        if (body.keep) body.chunks.push(chunk.subarray(at, at + take));
        body.remaining -= take;
        at += take;
        if (body.remaining === 0) this.finishBody(body);
        continue;
      }
      const newline = chunk.indexOf(0x0a, at);
      if (newline < 0) {
        this.headerChunks.push(chunk.subarray(at));
        return;
      }
      this.headerChunks.push(chunk.subarray(at, newline));
      at = newline + 1;
      const line = Buffer.concat(this.headerChunks).toString('utf8');
      this.headerChunks = [];
      if (!this.onHeader(line)) {
        this.child = undefined;
        this.fail(new UpstreamError(`git cat-file answered ${JSON.stringify(line.slice(0, 200))} for ${this.options.label}, which is not a batch header`, this.options.upstream));
        child.kill();
        return;
      }
    }
  }

  /** Handles one header line; false when it is not part of the protocol. */
  private onHeader(line: string): boolean {
    const pending = this.queue[this.head];
    if (!pending) return false;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // `<spec> missing` echoes the spec, which may contain spaces; an object header never ends this way.
    if (line.endsWith(' missing')) {
      pending.resolve({ kind: 'missing' });
      this.idleWhenDrained();
      return true;
    }
    if (line.endsWith(' ambiguous')) {
      pending.resolve({ kind: 'ambiguous' });
      this.idleWhenDrained();
      return true;
    }
    const parts = line.split(' ');
    const size = Number(parts[parts.length - 1]);
    if (!Number.isSafeInteger(size) || size < 0) return false;
    if (parts.length === 3) {
      const [sha = '', type = ''] = parts;
      this.body = { pending, header: { sha, type, size }, remaining: size + 1, keep: size <= pending.request.maxBytes, chunks: [] };
    } else if (parts.length === 2 && UNRESOLVED.has(parts[0] ?? '')) {
      this.body = { pending, header: parts[0] as UnresolvedReason, remaining: size + 1, keep: false, chunks: [] };
    } else {
      return false;
    }
    return true;
  }

  private finishBody(body: Body): void {
    this.body = undefined;
    this.idleWhenDrained();
    if (typeof body.header === 'string') {
      body.pending.resolve({ kind: 'unresolved', reason: body.header });
      return;
    }
    const { sha, type, size } = body.header;
    if (!body.keep) {
      body.pending.resolve({ kind: 'object', sha, type, size });
      return;
    }
    // The body is followed by one LF that is not part of the object.
    const data = Buffer.concat(body.chunks).subarray(0, size);
    body.pending.resolve({ kind: 'object', sha, type, size, data });
  }

  /** Starts the idle countdown once nothing is pending. */
  private idleWhenDrained(): void {
    const child = this.child;
    if (!child || this.body || this.head < this.queue.length) return;
    this.holdEventLoop(child, false);
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      if (this.child === child && this.head === this.queue.length && !this.body) {
        this.child = undefined;
        child.stdin.end();
      }
    }, this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  /**
   * An idle process must not keep Node running (a CLI that forgets `close()` still exits),
   * but one with pending requests must, or an awaited read could be abandoned.
   */
  private holdEventLoop(child: ChildProcessWithoutNullStreams, hold: boolean): void {
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as { ref?(): void; unref?(): void }[]) {
      if (hold) handle.ref?.();
      else handle.unref?.();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
