/**
 * What a Git host can do for the indexer. Nothing here knows about DVC or GTO.
 * Everything addressed by a SHA is immutable, so callers may cache it forever.
 * Methods are batch-shaped: one call reads many files or commits.
 */

/** A repository as a source lists it. `ref` is `<source name>:<path>` (DESIGN.md, References). */
export interface RepositoryInfo {
  /** `local:example-gto`, `github:iterative/example-gto`. */
  ref: string;
  /** The source's configured name (`local`, `github`, …). */
  source: string;
  /** The source kind. */
  kind: 'local' | 'github' | 'gitlab';
  /** Path inside the source: the folder below the local root, `owner/name`, `group/sub/project`. */
  path: string;
  /** Host name shown to users (`github.com`, `gitlab.example.com`, `local`). */
  host: string;
  /** `owner/name` style name. */
  fullName: string;
  /** Web URL (or `file://` URL for local repositories). */
  url: string;
  /** Other addresses of the same repository: a local clone's remote URLs. DVC imports of them resolve here. */
  remoteUrls?: string[];
}

/** Tagger or author identity with the time it signed. */
export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Offset as Git writes it: `+0200`, `-0530`. */
  offset: string;
  /** ISO 8601 with the original offset: `2024-01-02T10:11:12+02:00`. */
  date: string;
}

/** A tag ref. `annotation` is absent for lightweight tags (GTO ignores those). */
export interface RawTag {
  /** Tag name without `refs/tags/`. */
  name: string;
  /** The commit the tag finally points at (peeled through tag objects). */
  commit: string;
  annotation?: {
    /** SHA of the tag object. */
    sha: string;
    tagger: Signature;
    /** The tag message as stored (not stripped). */
    message: string;
  };
}

/** The refs of one repository, read in one go. */
export interface RepositoryRefs {
  /** Default branch name (`main`), or undefined for an empty repository. */
  defaultBranch?: string;
  /** Commit SHA at the head of the default branch, or undefined for an empty repository. */
  headCommit?: string;
  tags: RawTag[];
}

export interface CommitInfo {
  sha: string;
  author: Signature;
  committer: Signature;
  message: string;
  parents: string[];
}

/** One file to read: its path from the repository root at a commit. */
export interface FileRequest {
  commit: string;
  path: string;
}

/**
 * A file's content, or `undefined` when the path does not exist at that commit (or is not
 * a regular file). Text is decoded as UTF-8 (`decodeText`). `too-large` marks a file over the
 * source's size limit; `not-text` one that is binary or not valid UTF-8 (`detail` says which).
 */
export type FileContent =
  | { found: true; text: string; size: number }
  | { found: false; reason: 'missing' | 'not-a-file' | 'too-large' | 'not-text'; size?: number; detail?: string };

/** An annotated tag to create (GTO's tags, written by the mutations). */
export interface TagToCreate {
  /** Tag name without `refs/tags/`. */
  name: string;
  /** Full SHA of the commit it points at. */
  commit: string;
  message: string;
}

/** Who writes a tag: the caller's own host token (hosted sources), and the tagger where the host lets us say. */
export interface TagAuthor {
  /** The caller's token for this source's host; never the source's indexing token. */
  token?: string;
  /** Tagger written into the tag object (local; GitHub). GitLab always tags as the token's user. */
  tagger?: { name: string; email: string };
}

export interface GitSource {
  /** The configured source name; the first part of every repository ref. */
  readonly name: string;
  readonly kind: RepositoryInfo['kind'];
  listRepositories(): Promise<RepositoryInfo[]>;
  readRefs(repo: RepositoryInfo): Promise<RepositoryRefs>;
  /** Every file path (blobs only, `/`-separated) in the tree of each commit, in the order asked. */
  listFiles(repo: RepositoryInfo, commits: readonly string[]): Promise<string[][]>;
  /** Contents of many files, in the order asked. */
  readFiles(repo: RepositoryInfo, files: readonly FileRequest[]): Promise<FileContent[]>;
  /** Commit metadata, in the order asked; throws UpstreamError for an unknown SHA. */
  readCommits(repo: RepositoryInfo, shas: readonly string[]): Promise<CommitInfo[]>;
  /**
   * Creates an annotated tag, as the caller (`author.token`), and fails with `ConflictError` if
   * a tag of that name exists, `UnauthenticatedError` without the token a hosted source needs,
   * `ForbiddenError` when the host refuses that token. Reads only `ref`, `source` and `path` of
   * `repo`. Sources that cannot write leave it out.
   */
  writeTag?(repo: RepositoryInfo, tag: TagToCreate, author: TagAuthor): Promise<void>;
  /** Release processes or connections held for the repository (idempotent). */
  close(): Promise<void>;
  /**
   * Repositories of this source the indexer should work on at once; absent: the indexer's own
   * default. Hosted sources that merge concurrent requests into one query want many.
   */
  readonly concurrency?: number;
  /** Requests sent to the host's API so far (hosted sources; 304 answers included), for `index --json` and `indexStatus`. */
  readonly apiCalls?: number;
}
