import { posix } from 'node:path';
import { DEFAULT_VARS_FILE, parseDataFile, parseDvcConfig, parseDvcFile, parseDvcLock, parseDvcYaml, varsFilesOf } from '../parsing/index.js';
import type { DvcConfig, DvcEntry, DvcFile, DvcLock, DvcLockStage, DvcYaml, Parsed, Problem, VarsFiles } from '../parsing/index.js';
import type { DeclarationRecord, ProblemRecord } from '../registry/index.js';
import type { FileContent, FileRequest, GitSource, RepositoryInfo } from '../sources/index.js';

/** A file reports at most this many problems (a broken 1 MiB file could report tens of thousands). */
export const MAX_PROBLEMS_PER_FILE = 50;

/** A DVC output that holds a path: a `dvc.lock` stage output or a `.dvc` file's output. */
export interface TrackedBy {
  entry: DvcEntry;
  /** The `dvc.lock` or `.dvc` file that records it. */
  file: string;
  /** The producing stage, for `dvc.lock` outputs. */
  stage?: DvcLockStage;
  /** The `.dvc` file itself, for `.dvc` outputs (its deps say whether it is an import). */
  dvcFile?: DvcFile;
  /** True when the path is inside the output (a directory), not the output itself. */
  inside: boolean;
}

/** How a file is read; a file is parsed once per kind. */
export type FileKind = 'dvc.yaml' | 'dvc.lock' | 'config' | '.dvc' | 'metrics' | 'params' | `plot:${string}`;

/** Where a read file stands after parsing. */
export type FileState = { state: 'git' } | { state: 'missing' } | { state: 'unreadable'; message: string };

/** The directory of an artifact's `dvc.yaml`, from its full name (`dir:name` → `dir`). */
export function dirOfArtifact(fullName: string): string {
  const colon = fullName.lastIndexOf(':');
  return colon < 0 ? '' : fullName.slice(0, colon);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** `a/b/c` → `a/b/c.dvc`, `a/b.dvc`, `a.dvc`: the `.dvc` files that could track a path. */
export function dvcFileCandidates(path: string): string[] {
  const result: string[] = [];
  for (let p = path; p !== '' && p !== '.'; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') result.push(`${p}.dvc`);
  return result;
}

/**
 * Reads and parses the DVC files of many commits with a handful of source calls, each
 * file once, and answers per-commit questions from what it read. Problems of a file are
 * recorded once, the first time it is parsed.
 */
export class CommitFiles {
  private readonly trees = new Map<string, Set<string>>();
  private readonly dirs = new Map<string, Set<string>>();
  private readonly texts = new Map<string, FileContent>();
  private readonly parsed = new Map<string, Parsed<unknown>>();
  private readonly locks = new Map<string, DvcLock[]>();
  private readonly memos = new Map<string, unknown>();

  constructor(
    private readonly source: GitSource,
    private readonly repository: RepositoryInfo,
    private readonly problems: ProblemRecord[],
  ) {}

  /** Lists the trees of `commits` and reads every `dvc.yaml`, `dvc.lock` and `.dvc/config` in them. */
  async load(commits: readonly string[]): Promise<void> {
    if (commits.length === 0) return;
    const lists = await this.source.listFiles(this.repository, commits);
    commits.forEach((commit, i) => this.trees.set(commit, new Set(lists[i] ?? [])));
    const wanted: FileRequest[] = [];
    for (const commit of commits) {
      for (const path of this.trees.get(commit) ?? []) {
        const base = posix.basename(path);
        if (base === 'dvc.yaml' || base === 'dvc.lock' || path === '.dvc/config' || path.endsWith('/.dvc/config')) wanted.push({ commit, path });
        // params.yaml next to a dvc.yaml is read in the same batch: `${…}` uses it by default, and so do params.
        if (base === 'dvc.yaml') wanted.push({ commit, path: joinPath(posix.dirname(path) === '.' ? '' : posix.dirname(path), DEFAULT_VARS_FILE) });
      }
    }
    await this.read(wanted);
    // The files `${…}` in each dvc.yaml reads: params.yaml next to it and its `vars:` files.
    const vars: FileRequest[] = [];
    for (const { commit, path } of wanted) {
      const content = this.texts.get(key({ commit, path }));
      if (posix.basename(path) === 'dvc.yaml' && content?.found) for (const file of varsFilesOf(content.text, path)) vars.push({ commit, path: file });
    }
    await this.read(vars);
  }

  /** Reads the files asked for that exist in Git at their commit, in one batch; files already read are skipped. */
  async read(files: readonly FileRequest[]): Promise<void> {
    const seen = new Set<string>();
    const todo = files.filter((f) => {
      const k = key(f);
      if (!this.has(f.commit, f.path) || this.texts.has(k) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (todo.length === 0) return;
    const contents = await this.source.readFiles(this.repository, todo);
    todo.forEach((f, i) => {
      const content = contents[i];
      if (content) this.texts.set(key(f), content);
    });
  }

  /** The path is a file in Git at the commit. */
  has(commit: string, path: string): boolean {
    return this.trees.get(commit)?.has(path) ?? false;
  }

  /** The path is a directory in Git at the commit (some file lies below it). */
  hasDir(commit: string, path: string): boolean {
    let dirs = this.dirs.get(commit);
    if (!dirs) {
      dirs = new Set();
      for (const file of this.trees.get(commit) ?? []) {
        for (let i = file.indexOf('/'); i >= 0; i = file.indexOf('/', i + 1)) dirs.add(file.slice(0, i));
      }
      this.dirs.set(commit, dirs);
    }
    return dirs.has(path);
  }

  /** Paths in Git at the commit. */
  paths(commit: string): Iterable<string> {
    return this.trees.get(commit) ?? [];
  }

  /**
   * Parses a file once per (commit, path, kind): a file read two ways (a metrics file that
   * is also plot data) is parsed by each. Its problems are recorded once per kind.
   * Undefined when the file was not read.
   */
  parse<T>(commit: string, path: string, kind: FileKind, parser: (text: string, file: string) => Parsed<T>): T | undefined {
    const k = key({ commit, path });
    const cached = this.parsed.get(`${kind}\0${k}`);
    if (cached) return cached.value as T;
    const content = this.texts.get(k);
    if (!content) return undefined;
    if (!content.found) {
      if (content.reason === 'too-large' || content.reason === 'not-text') {
        this.problems.push({ file: path, commit, message: unreadableMessage(path, content) });
      }
      return undefined;
    }
    const result = parser(content.text, path);
    this.parsed.set(`${kind}\0${k}`, result);
    for (const p of result.problems.slice(0, MAX_PROBLEMS_PER_FILE)) this.problems.push(problemRecord(p, commit));
    const more = result.problems.length - MAX_PROBLEMS_PER_FILE;
    if (more > 0) this.problems.push({ file: path, commit, message: `…and ${more} more problems in ${path}; fix the ones above first.` });
    return result.value;
  }

  /**
   * Whether a file parsed cleanly as `kind`: `git`, `missing` (not in Git), or `unreadable`
   * with the first problem. Call after `parse`.
   */
  stateOf(commit: string, path: string, kind: FileKind): FileState {
    if (!this.has(commit, path)) return { state: 'missing' };
    const k = key({ commit, path });
    const content = this.texts.get(k);
    if (content && !content.found) return { state: 'unreadable', message: unreadableMessage(path, content) };
    const first = this.parsed.get(`${kind}\0${k}`)?.problems[0];
    return first ? { state: 'unreadable', message: `${first.line !== undefined ? `line ${first.line}: ` : ''}${first.message}` } : { state: 'git' };
  }

  dvcYaml(commit: string, dir: string): DvcYaml | undefined {
    return this.parse(commit, joinPath(dir, 'dvc.yaml'), 'dvc.yaml', (text, file) => parseDvcYaml(text, file, { varsFiles: this.varsFiles(commit, text, file) }));
  }

  /** The vars files of a `dvc.yaml` as read at the commit: parsed content, `undefined` for one that did not parse, absent when not in Git. */
  private varsFiles(commit: string, text: string, file: string): VarsFiles {
    const files = new Map<string, unknown>();
    for (const path of varsFilesOf(text, file)) {
      const content = this.texts.get(key({ commit, path }));
      if (!content) continue;
      // Problems of the file itself are reported where it is read as params; here only its values matter.
      files.set(path, content.found ? parseDataFile(content.text, path).value : undefined);
    }
    return files;
  }

  /** The `dvc.lock` next to `dir/dvc.yaml`, its paths resolved against each stage's `wdir`. */
  dvcLock(commit: string, dir: string): DvcLock | undefined {
    const yaml = this.dvcYaml(commit, dir);
    const wdirs = new Map((yaml?.stages ?? []).map((s) => [s.name, s.wdir] as const));
    return this.parse(commit, joinPath(dir, 'dvc.lock'), 'dvc.lock', (text, file) => parseDvcLock(text, file, wdirs));
  }

  /** Every `dvc.lock` at the commit (a monorepo has one per pipeline), root first. */
  locksAt(commit: string): DvcLock[] {
    let locks = this.locks.get(commit);
    if (!locks) {
      locks = [];
      for (const path of [...this.paths(commit)].sort()) {
        if (posix.basename(path) !== 'dvc.lock') continue;
        const lock = this.dvcLock(commit, path === 'dvc.lock' ? '' : path.slice(0, -'/dvc.lock'.length));
        if (lock) locks.push(lock);
      }
      this.locks.set(commit, locks);
    }
    return locks;
  }

  /** The outputs of every `dvc.lock` at the commit, indexed once: `trackedBy` and lineage look them up in constant time. */
  outputsAt(commit: string): OutputIndex {
    return this.memo(`outputs\0${commit}`, () => {
      const byPath: OutputIndex['byPath'] = new Map();
      const byDir: OutputIndex['byDir'] = new Map();
      for (const lock of this.locksAt(commit)) {
        for (const stage of lock.stages) {
          for (const entry of stage.outs) {
            if (!byPath.has(entry.repoPath)) byPath.set(entry.repoPath, { entry, file: lock.file, stage });
            for (let dir = parentOf(entry.repoPath); dir !== ''; dir = parentOf(dir)) {
              const list = byDir.get(dir) ?? [];
              if (!list.some((o) => o.stage === stage)) list.push({ file: lock.file, stage });
              byDir.set(dir, list);
            }
          }
        }
      }
      return { byPath, byDir };
    });
  }

  /** Files in Git at or below a directory, sorted. */
  filesUnder(commit: string, dir: string): string[] {
    const prefix = dir === '' ? '' : `${dir}/`;
    return this.memo(`under\0${commit}\0${dir}`, () => [...this.paths(commit)].filter((p) => p.startsWith(prefix)).sort());
  }

  /** A value computed once per key for the whole indexing run (per-commit indexes, lineages). */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    this.memos.set(key, value);
    return value;
  }

  /** The nearest `.dvc/config` at or above `dir` (a DVC sub-repo has its own): its path, and its content if it parsed. */
  dvcConfig(commit: string, dir: string): { file: string; config?: DvcConfig } | undefined {
    for (let d = dir; ; d = parentOf(d)) {
      const file = joinPath(d, '.dvc/config');
      if (this.has(commit, file)) {
        const config = this.parse(commit, file, 'config', parseDvcConfig);
        return config ? { file, config } : { file };
      }
      if (d === '') return undefined;
    }
  }

  /** Artifacts declared in every `dvc.yaml` at the commit, by full name. */
  declarationsAt(commit: string): Map<string, DeclarationRecord> {
    return this.memo(`declarations\0${commit}`, () => this.readDeclarations(commit));
  }

  private readDeclarations(commit: string): Map<string, DeclarationRecord> {
    const result = new Map<string, DeclarationRecord>();
    for (const path of this.paths(commit)) {
      if (posix.basename(path) !== 'dvc.yaml') continue;
      const yaml = this.dvcYaml(commit, path === 'dvc.yaml' ? '' : path.slice(0, -'/dvc.yaml'.length));
      for (const a of yaml?.artifacts ?? []) {
        result.set(a.fullName, {
          file: path,
          path: a.repoPath,
          ...(a.type !== undefined ? { type: a.type } : {}),
          ...(a.description !== undefined ? { description: a.description } : {}),
          labels: a.labels,
        });
      }
    }
    return result;
  }

  /** The `.dvc` files that could track these paths and exist at the commit (to pass to `read`). */
  dvcFileRequests(commit: string, paths: Iterable<string>): FileRequest[] {
    const wanted: FileRequest[] = [];
    for (const path of paths) for (const candidate of dvcFileCandidates(path)) if (this.has(commit, candidate)) wanted.push({ commit, path: candidate });
    return wanted;
  }

  /**
   * The DVC output that holds `path` at the commit: a stage output in any `dvc.lock` (the
   * path itself, or a directory output it lies in), else a `.dvc` file (read beforehand
   * with `dvcFileRequests`). Undefined when DVC does not track it.
   */
  trackedBy(commit: string, path: string): TrackedBy | undefined {
    const { byPath } = this.outputsAt(commit);
    const exact = byPath.get(path);
    if (exact) return { ...exact, inside: false };
    // The nearest directory output the path lies in.
    for (let dir = parentOf(path); dir !== ''; dir = parentOf(dir)) {
      const holder = byPath.get(dir);
      if (holder) return { ...holder, inside: true };
    }
    for (const candidate of dvcFileCandidates(path)) {
      if (!this.has(commit, candidate)) continue;
      const dvcFile = this.parse(commit, candidate, '.dvc', parseDvcFile);
      for (const entry of dvcFile?.outs ?? []) {
        if (entry.repoPath === path) return { entry, file: candidate, dvcFile, inside: false };
        if (path.startsWith(`${entry.repoPath}/`)) return { entry, file: candidate, dvcFile, inside: true };
      }
    }
    return undefined;
  }
}

/** `a/b/c` → `a/b`; `a` → `''`. */
function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Every `dvc.lock` output of a commit, by path and by the directories above it. */
export interface OutputIndex {
  /** Output path → the first stage (in lock order) that records it. */
  byPath: Map<string, { entry: DvcEntry; file: string; stage: DvcLockStage }>;
  /** Directory → the outputs below it, for a dependency that is a directory holding other stages' outputs. */
  byDir: Map<string, { file: string; stage: DvcLockStage }[]>;
}

function unreadableMessage(path: string, content: Extract<FileContent, { found: false }>): string {
  if (content.reason === 'too-large') return `${path} is ${content.size ?? 'too many'} bytes, over the size limit for metadata files; it was not read.`;
  if (content.reason === 'not-text') return `${path} was not read: ${content.detail ?? 'it is not UTF-8 text'}. DVC reads metadata files as UTF-8 text.`;
  return `${path} could not be read (${content.reason}).`;
}

function problemRecord(p: Problem, commit: string): ProblemRecord {
  return { file: p.file, ...(p.line !== undefined ? { line: p.line } : {}), message: p.message, commit };
}

function key(f: FileRequest): string {
  return `${f.commit}:${f.path}`;
}
