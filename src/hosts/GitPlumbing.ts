import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gitEnvironment } from '../sources/local/gitEnvironment.js';
import type { SimRepository } from './types.js';

/** What the hosts report about a repository beyond its Git objects, read from its files without running git. */
export interface RepositoryFacts {
  /** The branch HEAD names (`main` when HEAD is detached or unreadable). */
  defaultBranch: string;
  /** True when the default branch has no commit (a freshly created repository). */
  empty: boolean;
  /** When a ref last changed: the newest modification time of HEAD, packed-refs and the refs folders (the hosts' `pushed_at`). */
  pushedAt: Date;
  /** When the repository was created (its config file's birth or change time). */
  createdAt: Date;
}

/** A tag object to write (the first half of GitHub's two-call tag creation). */
export interface TagObjectInput {
  object: string;
  type: 'commit' | 'tree' | 'blob' | 'tag';
  tag: string;
  tagger: { name: string; email: string; /** ISO 8601; now when absent. */ date?: string };
  /** Stored verbatim, as GitHub stores it. */
  message: string;
}

/**
 * The few Git operations the hosts need that `SimGit` does not offer: facts read from the
 * repository's files, writing a tag object without a ref and a ref without a tag object (GitHub's
 * `git/tags` then `git/refs`), and the last commit that touched a path (GitLab's `last_commit_id`).
 *
 * Guarantees: git runs without a shell, with the local source's clean environment; a ref is
 * only ever created (`update-ref` with an empty old value) or deleted (with the value just read
 * as the old value), never moved; every ref write is reported to `refsChanged` (caches).
 */
export class GitPlumbing {
  constructor(private readonly refsChanged: (repo: SimRepository) => void = () => undefined) {}

  async facts(repo: SimRepository): Promise<RepositoryFacts> {
    const head = await readFile(join(repo.gitDir, 'HEAD'), 'utf8').catch(() => '');
    const symbolic = /^ref: refs\/heads\/(.+)$/m.exec(head);
    const defaultBranch = symbolic?.[1]?.trim() || 'main';
    const [loose, packed] = await Promise.all([
      stat(join(repo.gitDir, 'refs', 'heads', ...defaultBranch.split('/'))).catch(() => undefined),
      readFile(join(repo.gitDir, 'packed-refs'), 'utf8').catch(() => ''),
    ]);
    const empty = !loose?.isFile() && !packed.split('\n').some((line) => line.endsWith(` refs/heads/${defaultBranch}`));
    const times = await Promise.all(
      ['HEAD', 'packed-refs', join('refs', 'heads'), join('refs', 'tags'), join('refs', 'heads', ...defaultBranch.split('/'))].map((file) =>
        stat(join(repo.gitDir, file)).then(
          (s) => s.mtimeMs,
          () => 0,
        ),
      ),
    );
    const config = await stat(join(repo.gitDir, 'config')).catch(() => undefined);
    const created = config ? (config.birthtimeMs > 0 ? config.birthtimeMs : config.ctimeMs) : 0;
    const pushed = Math.max(...times, created);
    return { defaultBranch, empty, pushedAt: new Date(Math.floor(pushed / 1000) * 1000), createdAt: new Date(Math.floor(created / 1000) * 1000) };
  }

  /** Writes an annotated tag object (no ref points at it yet) and resolves with its SHA. */
  async writeTagObject(repo: SimRepository, input: TagObjectInput): Promise<string> {
    const text = `object ${input.object}\ntype ${input.type}\ntag ${input.tag}\ntagger ${input.tagger.name} <${input.tagger.email}> ${gitDate(input.tagger.date)}\n\n${input.message}`;
    return (await this.git(repo, ['hash-object', '-t', 'tag', '-w', '--stdin'], text)).trim();
  }

  /** Creates `ref` at `sha`; rejects when the ref exists or its name is invalid. */
  async createRef(repo: SimRepository, ref: string, sha: string): Promise<void> {
    await this.git(repo, ['check-ref-format', ref]);
    try {
      await this.git(repo, ['update-ref', '--no-deref', ref, sha, '']);
    } finally {
      this.refsChanged(repo);
    }
  }

  /**
   * Deletes `ref` (`refs/tags/x`) and resolves with the SHA it named, or undefined when there is
   * no such ref (an invalid name such as `refs/tags/../heads/main` included). Rejects when the ref
   * moved between reading and deleting it: `update-ref` is given the SHA read as the old value.
   */
  async deleteRef(repo: SimRepository, ref: string): Promise<string | undefined> {
    const valid = await this.git(repo, ['check-ref-format', ref]).then(
      () => true,
      () => false,
    );
    if (!valid) return undefined;
    // `show-ref --verify` matches the full name exactly (for-each-ref would take it as a prefix).
    const line = await this.git(repo, ['show-ref', '--verify', ref]).catch(() => '');
    const sha = /^([0-9a-f]{40,64}) /.exec(line)?.[1];
    if (!sha) return undefined;
    try {
      await this.git(repo, ['update-ref', '--no-deref', '-d', ref, sha]);
    } finally {
      this.refsChanged(repo);
    }
    return sha;
  }

  /** True when `ref` (`refs/tags/x`) exists. */
  async refExists(repo: SimRepository, ref: string): Promise<boolean> {
    return this.git(repo, ['show-ref', '--verify', '-q', ref]).then(
      () => true,
      () => false,
    );
  }

  /** The type of the object `sha` names (`commit`, `tree`, `blob`, `tag`), or undefined. */
  async objectType(repo: SimRepository, sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    return this.git(repo, ['cat-file', '-t', sha]).then(
      (out) => out.trim(),
      () => undefined,
    );
  }

  /** The newest commit reachable from `commit` that changed `path` (GitLab's `last_commit_id`). */
  async lastCommitTouching(repo: SimRepository, commit: string, path: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
    const out = await this.git(repo, ['log', '-1', '--format=%H', commit, '--', path]).catch(() => '');
    return out.trim() || undefined;
  }

  private git(repo: SimRepository, args: readonly string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        ['--git-dir', repo.gitDir, ...args],
        { env: gitEnvironment(), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => (error ? reject(new Error(`git ${args[0] ?? ''} failed in ${repo.path}: ${stderr.trim() || error.message}`)) : resolve(stdout)),
      );
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input ?? '');
    });
  }
}

/**
 * ISO 8601 (`2011-06-17T14:53:35-07:00`, `…Z`) → Git's raw `1308347615 -0700`, keeping the
 * offset; now in UTC when absent. Throws on anything else (the caller answers 422).
 */
export function gitDate(iso?: string): string {
  if (iso === undefined) return `${Math.floor(Date.now() / 1000)} +0000`;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  const millis = match ? Date.parse(`${match[1]}${match[2] === 'Z' ? 'Z' : (match[2] ?? '').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) throw new Error(`expected an ISO 8601 date with an offset, got ${JSON.stringify(iso)}`);
  const zone = match[2] === 'Z' ? '+0000' : (match[2] ?? '+0000').replace(':', '');
  return `${Math.floor(millis / 1000)} ${zone}`;
}
