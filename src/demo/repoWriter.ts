import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError, UpstreamError } from '../errors.js';

/** Who signs a commit or a tag. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** Options of `RepoWriter.init`. */
export interface RepoWriterInitOptions {
  /** Create a bare repository (written through a temporary work tree). Default false. */
  bare?: boolean;
  /** Branch HEAD points at. Default `main`. */
  defaultBranch?: string;
  /** Identity written to the repository config and used when a call names none. */
  identity?: GitIdentity;
}

/** Options of `RepoWriter.commit`. */
export interface CommitOptions {
  /** ISO 8601 with an offset (`2024-03-01T10:00:00+02:00`, or `Z`): author and committer date, offset kept. */
  date: string;
  author?: GitIdentity;
  /** Defaults to the author. */
  committer?: GitIdentity;
  /** Commit even when nothing changed. Default false (git then fails, which usually means a mistake). */
  allowEmpty?: boolean;
}

/** Options of `RepoWriter.tag`. */
export interface TagOptions {
  /** Stored as Git stores `-m` messages: trailing whitespace trimmed, one final newline. */
  message: string;
  /** ISO 8601 with an offset: the tagger date, offset kept. */
  date: string;
  tagger?: GitIdentity;
  /** What to tag: a commit SHA, a branch, another tag. Default `HEAD`. */
  commit?: string;
  /** Move the tag if it exists. */
  force?: boolean;
}

/** Options of `RepoWriter.merge`. */
export interface MergeOptions {
  message: string;
  date: string;
  author?: GitIdentity;
}

/** One commit of `RepoWriter.commitMany`. */
export interface BulkCommit {
  message: string;
  /** ISO 8601 with an offset: author and committer date, offset kept. */
  date: string;
  author?: GitIdentity;
  /** Changes on top of the previous commit's tree (`null` deletes a file); `/`-separated paths from the root. */
  files: Record<string, string | null>;
}

/** One annotated tag of `RepoWriter.tagMany`. */
export interface BulkTag {
  name: string;
  /** Full SHA of the commit to tag. */
  commit: string;
  /** Stored with trailing whitespace trimmed and one final newline, as `tag` stores it. */
  message: string;
  /** ISO 8601 with an offset: the tagger date, offset kept. */
  date: string;
  tagger?: GitIdentity;
}

const DEFAULT_IDENTITY: GitIdentity = { name: 'Modelgate Demo', email: 'demo@modelgate.invalid' };

/**
 * Builds real Git repositories with the git CLI, for the demo and for tests.
 *
 * Guarantees: every git call runs without a shell, ignores the user's global and system
 * config and any inherited `GIT_*` variable (so results do not depend on the machine), and
 * gets explicit identities and dates. Same inputs therefore give the same SHAs. Hooks and
 * signing are off.
 *
 * A bare repository is written through a temporary work tree and index outside it (the
 * repository itself stays bare, with no index); call `close()` to remove that temporary
 * folder. A work-tree repository needs no `close()`, but calling it is harmless.
 */
export class RepoWriter {
  private constructor(
    /** Absolute folder of the repository. */
    readonly dir: string,
    /** The Git directory: `dir` for a bare repository, `dir/.git` otherwise. */
    readonly gitDir: string,
    /** Where `write` puts files: `dir`, or a temporary folder for a bare repository. */
    readonly workTree: string,
    readonly bare: boolean,
    private readonly identity: GitIdentity,
    private readonly scratch: string | undefined,
  ) {}

  /** Creates an empty repository at `dir` (parents included), HEAD on `defaultBranch`. */
  static async init(dir: string, options: RepoWriterInitOptions = {}): Promise<RepoWriter> {
    const absolute = resolve(dir);
    const bare = options.bare ?? false;
    const branch = options.defaultBranch ?? 'main';
    const identity = options.identity ?? DEFAULT_IDENTITY;
    checkRefName(branch);
    await mkdir(absolute, { recursive: true });
    // An empty template: no sample hooks or description files, and fast.
    await git(['init', '-q', '--template=', `--initial-branch=${branch}`, ...(bare ? ['--bare'] : []), absolute]);
    const gitDir = bare ? absolute : join(absolute, '.git');
    // Written directly: one file append instead of one `git config` process per key.
    await appendFile(
      join(gitDir, 'config'),
      [
        '[user]',
        `\tname = ${quote(identity.name)}`,
        `\temail = ${quote(identity.email)}`,
        '[commit]',
        '\tgpgsign = false',
        '[tag]',
        '\tgpgSign = false',
        '[core]',
        '\tautocrlf = false',
        `\thooksPath = ${quote(join(gitDir, 'no-hooks'))}`,
        '[gc]',
        '\tauto = 0',
        '',
      ].join('\n'),
    );
    const scratch = bare ? await mkdtemp(join(tmpdir(), 'modelgate-worktree-')) : undefined;
    const workTree = scratch ? join(scratch, 'tree') : absolute;
    if (scratch) await mkdir(workTree);
    return new RepoWriter(absolute, gitDir, workTree, bare, identity, scratch);
  }

  /** Writes files into the work tree (`null` deletes one). Paths are `/`-separated from the repository root. */
  async write(files: Record<string, string | Uint8Array | null>): Promise<void> {
    await Promise.all(
      Object.entries(files).map(async ([path, content]) => {
        const target = this.pathInWorkTree(path);
        if (content === null) {
          await rm(target, { force: true, recursive: true });
          return;
        }
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }),
    );
  }

  /** Stages everything in the work tree and commits it; resolves with the commit SHA. */
  async commit(message: string, options: CommitOptions): Promise<string> {
    const author = options.author ?? this.identity;
    const committer = options.committer ?? author;
    const date = gitDate(options.date);
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '--no-verify', ...(options.allowEmpty ? ['--allow-empty'] : []), '-m', message], {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: date,
    });
    return this.revParse('HEAD');
  }

  /** Merges `ref` into the current branch with a merge commit (no fast-forward); resolves with its SHA. */
  async merge(ref: string, options: MergeOptions): Promise<string> {
    const author = options.author ?? this.identity;
    const date = gitDate(options.date);
    checkRefName(ref);
    await this.git(['merge', '-q', '--no-ff', '--no-verify', '--no-edit', '-m', options.message, ref], {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      GIT_COMMITTER_DATE: date,
    });
    return this.revParse('HEAD');
  }

  /** Creates an annotated tag; the tagger date is `options.date` (Git takes it from the committer date). Resolves with the tag object's SHA. */
  async tag(name: string, options: TagOptions): Promise<string> {
    checkRefName(name);
    const tagger = options.tagger ?? this.identity;
    await this.git(['tag', '-a', ...(options.force ? ['-f'] : []), '-m', options.message, name, options.commit ?? 'HEAD'], {
      GIT_COMMITTER_NAME: tagger.name,
      GIT_COMMITTER_EMAIL: tagger.email,
      GIT_COMMITTER_DATE: gitDate(options.date),
    });
    return this.revParse(`refs/tags/${name}`);
  }

  /** Creates a lightweight tag (a bare ref, no tag object). */
  async lightweightTag(name: string, commit = 'HEAD'): Promise<void> {
    checkRefName(name);
    await this.git(['tag', name, commit]);
  }

  async deleteTag(name: string): Promise<void> {
    checkRefName(name);
    await this.git(['tag', '-d', name]);
  }

  /** Creates a branch at `startPoint` (default HEAD) without switching to it. */
  async branch(name: string, startPoint = 'HEAD'): Promise<void> {
    checkRefName(name);
    await this.git(['branch', name, startPoint]);
  }

  /** Switches the work tree (and HEAD) to a branch; `create` makes it first, at HEAD. */
  async checkout(name: string, options: { create?: boolean } = {}): Promise<void> {
    checkRefName(name);
    await this.git(['checkout', '-q', ...(options.create ? ['-b'] : []), name]);
  }

  /**
   * Appends many commits to the current branch with one `git fast-import` process (a
   * thousand commits take well under a second; `commit` takes a few milliseconds each).
   * Resolves with their SHAs, oldest first. Afterwards the index and work tree are reset
   * to the new HEAD, so uncommitted changes in the work tree are lost.
   */
  async commitMany(commits: readonly BulkCommit[]): Promise<string[]> {
    if (commits.length === 0) return [];
    const branch = (await this.git(['symbolic-ref', '-q', 'HEAD'])).trim();
    const parent = await this.git(['rev-parse', '--verify', '-q', 'HEAD']).then(
      (out) => out.trim(),
      () => undefined,
    );
    const chunks: string[] = [];
    commits.forEach((commit, i) => {
      const author = commit.author ?? this.identity;
      const signature = `${author.name} <${author.email}> ${gitDate(commit.date)}`;
      chunks.push(`commit ${branch}\nmark :${i + 1}\nauthor ${signature}\ncommitter ${signature}\n${fastImportData(commit.message)}`);
      if (i === 0 && parent) chunks.push(`from ${parent}\n`);
      for (const [path, content] of Object.entries(commit.files)) {
        checkFastImportPath(path);
        this.pathInWorkTree(path); // the same checks as `write`
        chunks.push(content === null ? `D ${path}\n` : `M 100644 inline ${path}\n${fastImportData(content)}`);
      }
      chunks.push('\n');
    });
    const marks = join(this.gitDir, `modelgate-marks-${process.pid}-${Date.now()}`);
    try {
      await this.git(['fast-import', '--quiet', '--date-format=raw', `--export-marks=${marks}`], {}, chunks.join(''));
      const byMark = new Map<string, string>();
      for (const line of (await readFile(marks, 'utf8')).split('\n')) {
        const [mark, sha] = line.split(' ');
        if (mark && sha) byMark.set(mark, sha);
      }
      await this.git(['read-tree', '--reset', '-u', 'HEAD']);
      return commits.map((_, i) => byMark.get(`:${i + 1}`) ?? '');
    } finally {
      await rm(marks, { force: true });
    }
  }

  /**
   * Creates many annotated tags with one `git fast-import` process: ten thousand tags take a
   * second or two, where `tag` costs two processes per tag. A tag that exists is replaced,
   * as `tag` with `force` replaces it.
   */
  async tagMany(tags: readonly BulkTag[]): Promise<void> {
    if (tags.length === 0) return;
    const chunks = tags.map((tag) => {
      checkRefName(tag.name);
      if (!/^[0-9a-f]{40}$/.test(tag.commit)) throw new InputError(`RepoWriter.tagMany: expected a full commit SHA for ${tag.name}, got ${JSON.stringify(tag.commit)}.`);
      const tagger = tag.tagger ?? this.identity;
      const message = `${tag.message.trimEnd()}\n`;
      return `tag ${tag.name}\nfrom ${tag.commit}\ntagger ${tagger.name} <${tagger.email}> ${gitDate(tag.date)}\n${fastImportData(message)}`;
    });
    await this.git(['fast-import', '--quiet', '--date-format=raw'], {}, chunks.join(''));
  }

  /** Deletes a branch, merged or not (its commits stay in the object database). */
  async deleteBranch(name: string): Promise<void> {
    checkRefName(name);
    await this.git(['branch', '-D', name]);
  }

  /** The full SHA a revision names. */
  /** Adds a remote (only its URL is recorded; nothing is fetched or pushed). */
  async addRemote(name: string, url: string): Promise<void> {
    await this.git(['remote', 'add', name, url]);
  }

  /** The content of `path` at `rev` (`git show rev:path`). */
  async readAt(rev: string, path: string): Promise<string> {
    return this.git(['show', `${rev}:${path}`]);
  }

  async revParse(rev: string): Promise<string> {
    return (await this.git(['rev-parse', '--verify', '-q', rev])).trim();
  }

  /** Removes the temporary work tree of a bare repository. Idempotent. */
  async close(): Promise<void> {
    if (this.scratch) await rm(this.scratch, { recursive: true, force: true });
  }

  private git(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<string> {
    const index: Record<string, string> = this.scratch ? { GIT_INDEX_FILE: join(this.scratch, 'index') } : {};
    return git(['--git-dir', this.gitDir, '--work-tree', this.workTree, ...args], { ...index, ...env }, input);
  }

  private pathInWorkTree(path: string): string {
    const segments = path.split('/');
    if (isAbsolute(path) || segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment === '.git')) {
      throw new InputError(`RepoWriter.write: expected a relative path inside the repository, got ${JSON.stringify(path)}.`);
    }
    return join(this.workTree, ...segments);
  }
}

/** Runs git with a machine-independent environment (no inherited `GIT_*`, no global or system config). */
function git(args: readonly string[], extra: Record<string, string> = {}, input?: string): Promise<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  Object.assign(env, { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, extra);
  return new Promise((resolvePromise, reject) => {
    const child = execFile('git', [...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const shown = args.filter((arg) => !arg.includes('\n')).join(' ');
        reject(new UpstreamError(`git ${shown} failed: ${stderr.trim() || error.message}`, 'git', undefined, { cause: error }));
        return;
      }
      resolvePromise(stdout);
    });
    // Input goes to stdin (fast-import streams); without it stdin is closed at once.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

/** A fast-import `data` block: exact byte count, then the bytes, then a newline. */
function fastImportData(text: string): string {
  return `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`;
}

/** fast-import takes a path up to the end of its line, unquoted unless it starts with `"`. */
function checkFastImportPath(path: string): void {
  if (path.includes('\n') || path.startsWith('"')) {
    throw new InputError(`RepoWriter.commitMany: a path with a line break or a leading quote is not supported, got ${JSON.stringify(path)}.`);
  }
}

/**
 * `2024-03-01T10:00:00+02:00` → `1709280000 +0200`, Git's raw date format, which keeps the
 * offset exactly (Git's own ISO parsing is lenient in ways that can shift it).
 */
function gitDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  if (!match) {
    throw new InputError(`Expected an ISO 8601 date with an offset (2024-03-01T10:00:00+02:00), got ${JSON.stringify(iso)}.`);
  }
  const [, year, month, day, hour, minute, second = '0', zone = 'Z'] = match;
  const offset = zone === 'Z' ? '+0000' : zone.replace(':', '');
  const sign = offset.startsWith('-') ? -1 : 1;
  const offsetMinutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  return `${Math.floor(utc / 1000) - offsetMinutes * 60} ${offset}`;
}

/** Git config value in double quotes (names may hold `#`, `;` or quotes). */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Refs are passed as arguments; one starting with `-` would be read as an option. */
function checkRefName(name: string): void {
  if (name === '' || name.startsWith('-')) throw new InputError(`Expected a Git ref name, got ${JSON.stringify(name)}.`);
}
