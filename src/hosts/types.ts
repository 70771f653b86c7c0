/**
 * What the Git host simulator knows of the repositories it serves: plain Git facts read
 * from a folder of real repositories (`SimGit`), shared by its GitHub REST, GitHub GraphQL
 * and GitLab REST faces. Nothing here knows HTTP or any host's JSON shapes.
 */

/** A repository the simulator serves; `path` is its GitHub `owner/name` and its GitLab `group/sub/name`. */
export interface SimRepository {
  /** `/`-separated path below the served folder, e.g. `acme/churn` or `ml/vision/detector`. */
  path: string;
  /** Stable numeric id (GitHub `id`, GitLab project `id`), derived from the path. */
  id: number;
  /** Absolute Git directory. */
  gitDir: string;
  bare: boolean;
}

export interface SimSignature {
  name: string;
  email: string;
  /** ISO 8601 with the original offset (`2025-01-02T10:11:12+02:00`). */
  date: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

export interface SimTag {
  name: string;
  /** The ref's target: the tag object SHA for an annotated tag, the commit SHA for a lightweight one. */
  sha: string;
  /** The commit the tag finally points at. */
  commit: string;
  /** Present for annotated tags. */
  annotation?: { tagger: SimSignature; message: string };
}

export interface SimCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: SimSignature;
  committer: SimSignature;
  message: string;
}

export interface SimTreeEntry {
  /** Path from the root of the tree asked for. */
  path: string;
  /** Git mode as text: `100644`, `100755`, `040000`, `120000`, `160000`. */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Blob size in bytes (blobs only). */
  size?: number;
}

export interface SimBlob {
  sha: string;
  size: number;
  content: Buffer;
}

/** Reads (and, for tags, writes) the served repositories. Every method resolves `undefined` for what does not exist; none throws for a missing object. */
export interface SimGit {
  /** Every repository under the served folder, sorted by path. Re-reads the folder (new repositories appear). */
  repositories(): Promise<SimRepository[]>;
  /** A repository by path (case-insensitive, as the hosts are), or undefined. */
  find(path: string): Promise<SimRepository | undefined>;
  /** The default branch (HEAD's target) and its commit; `commit` is undefined for an empty repository. */
  defaultBranch(repo: SimRepository): Promise<{ name: string; commit?: string }>;
  /** Every branch with its commit, sorted by name (each call answers a fresh array). */
  branches(repo: SimRepository): Promise<{ name: string; commit: string }[]>;
  /** Every tag, sorted by name, with annotation data for annotated tags (each call answers a fresh array). */
  tags(repo: SimRepository): Promise<SimTag[]>;
  /** A branch, tag, full or abbreviated SHA (or `HEAD`) → commit SHA. */
  resolveCommit(repo: SimRepository, rev: string): Promise<string | undefined>;
  commit(repo: SimRepository, sha: string): Promise<SimCommit | undefined>;
  /** The annotated tag object with this SHA. */
  tagObject(repo: SimRepository, sha: string): Promise<(SimTag & { objectType: string; object: string }) | undefined>;
  /** A tree (by tree SHA, commit SHA or rev), its entries, recursively when asked (trees listed too). */
  tree(repo: SimRepository, treeish: string, recursive: boolean): Promise<{ sha: string; entries: SimTreeEntry[] } | undefined>;
  blob(repo: SimRepository, sha: string): Promise<SimBlob | undefined>;
  /** The tree entry (blob, tree or submodule) at `path` in the tree of `rev`, read in one step; `path` of the result is from the root. */
  entryAt(repo: SimRepository, rev: string, path: string): Promise<SimTreeEntry | undefined>;
  /** The blob at `path` in the tree of `rev` (undefined when missing or not a blob). */
  fileAt(repo: SimRepository, rev: string, path: string): Promise<SimBlob | undefined>;
  /** Creates a tag: annotated when `message` is given (with `tagger`), else lightweight. Fails (rejects) if the name exists or the target is unknown. */
  createTag(repo: SimRepository, tag: { name: string; target: string; message?: string; tagger?: { name: string; email: string; date?: string } }): Promise<SimTag>;
  /**
   * Forgets what it may have cached of a repository's refs: for writes made next to it (the GitHub
   * face's `update-ref`). Writes by other processes need no call; they are noticed on the next read.
   */
  refsChanged(repo: SimRepository): void;
  /** Stops the git processes it keeps. */
  close(): Promise<void>;
}
