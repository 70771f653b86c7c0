/**
 * What the indexer stores per repository and the GraphQL layer reads: one complete,
 * JSON-serialisable snapshot per repository. A snapshot is replaced whole, never patched.
 */
import type { Person, RegistryEventRecord, StageAssignmentRecord } from './types.js';

export interface CommitRecord {
  sha: string;
  message?: string;
  author?: Person;
  authoredAt?: string;
  committedAt?: string;
}

/** Something wrong in a repository: a file that did not parse, a conflicting tag. */
export interface ProblemRecord {
  /** File path, or tag name for tag problems. */
  file: string;
  line?: number;
  message: string;
  /** The commit the file was read at, when it matters. */
  commit?: string;
  /** The model the problem concerns, when it concerns one. */
  model?: string;
}

export interface StorageRecord {
  /** Remote name from `.dvc/config`. */
  remote: string;
  url: string;
}

/** A Git repository a DVC import points at (`repo.url`, `rev_lock`, `path` of a `.dvc` import). */
export interface ImportRecord {
  /** `repo.url` as written (https, ssh or a local path). */
  url: string;
  /** The same URL reduced to `host/path` (see `repositoryKey`); how it is matched to an indexed repository (absent for a relative path). */
  key?: string;
  /** Path of the file inside the source repository. */
  path: string;
  /** The revision asked for (`--rev`), if any. */
  rev?: string;
  /** The commit the import is pinned to. */
  revLock?: string;
  /** md5 of the imported file as the `.dvc` file records it (to find the version by content when `rev_lock` is no version's commit). */
  md5?: string;
}

/** Where the model file is: path from the repository root, and its DVC hash. */
export interface ArtifactFileRecord {
  /** Path from the repository root (or a URL when the declaration gives one). */
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  /** Where DVC keeps the object; absent when the file is in Git or no remote is configured. */
  storage?: StorageRecord;
  /** Why `storage` is absent, when the file is tracked by DVC (no remote, `push: false`, …). */
  storageMessage?: string;
  /** How the location was found: a `dvc.lock` output, a `.dvc` file, or Git itself. */
  trackedBy: 'dvc.lock' | '.dvc' | 'git' | 'url' | 'unknown';
  /** Set when the file is a `dvc import` of a file of another repository. */
  importedFrom?: ImportRecord;
}

export interface KeyValueRecord {
  /** File from the repository root. */
  path: string;
  /** Dotted key (`roc_auc.test`). */
  key: string;
  value: unknown;
}

/** A param: the file's value at the commit and what `dvc.lock` recorded when the stage last ran. */
export interface ParamRecord extends KeyValueRecord {
  /** Where `value` comes from: the params file in Git, or `dvc.lock` when the file is not in Git. */
  source: 'file' | 'dvc.lock';
  /** True when `dvc.lock` records a value for this key (then `lockedValue` holds it, null included). */
  locked: boolean;
  lockedValue?: unknown;
}

/**
 * A file a version refers to (metrics, params, plot data) and where it is: in Git, only in
 * DVC storage (a cached output), missing, or present but unreadable.
 */
export interface DataFileRecord {
  path: string;
  location: 'git' | 'dvc' | 'missing' | 'unreadable';
  /** DVC md5 of the output holding the file (the `.dir` of its directory when it sits inside one). */
  md5?: string;
  storage?: StorageRecord;
  /** What is wrong, or where the file is instead of Git, in words. */
  message?: string;
}

/** A plot declared in `dvc.yaml` (top-level `plots:` or a stage's plot output), with its data when in Git. */
export interface PlotRecord {
  /** Plot id: the top-level key, or the output path. */
  id: string;
  /** The `dvc.yaml` that declares it. */
  file: string;
  title?: string;
  template?: string;
  x?: string;
  y: string[];
  xLabel?: string;
  yLabel?: string;
  data: PlotDataRecord[];
}

export interface PlotDataRecord extends DataFileRecord {
  /** Data points read from Git (absent when the file is not in Git or did not parse). */
  rows?: Record<string, unknown>[];
}

/** Where a pipeline input that no stage produces comes from. */
export interface LineageSourceRecord {
  /** The input, from the repository root (or its URL). */
  path: string;
  /** `dvc`: tracked by a `.dvc` file (`dvc add`); `import`: `dvc import` from another repository; `import-url`: `dvc import-url`; `url`: an external dependency; `git`: a file in Git; `untracked`: none of these. */
  kind: 'dvc' | 'import' | 'import-url' | 'url' | 'git' | 'untracked';
  /** The `.dvc` file, for `dvc`, `import` and `import-url`. */
  file?: string;
  /** The md5 the `.dvc` file records now. */
  md5?: string;
  /** The external URL of an `import-url` or `url` dependency. */
  url?: string;
  import?: ImportRecord;
  storage?: StorageRecord;
}

export interface LineageFileRecord {
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  /** The stage that produces this input (`<lock file>:<stage>`); absent for sources. */
  producedBy?: string;
  /** For a source: where it comes from. */
  source?: LineageSourceRecord;
  /**
   * The md5 recorded here differs from what its producer (or its `.dvc` file) records now:
   * this stage ran on an older input (`dvc status` would report it changed).
   */
  stale: boolean;
}

/** One `dvc.lock` stage. */
export interface LineageStageRecord {
  /** The `dvc.lock` that records the stage. */
  lockFile: string;
  stage: string;
  cmd?: string;
  deps: LineageFileRecord[];
  params: KeyValueRecord[];
  outs: { path: string; md5?: string; size?: number; nfiles?: number }[];
}

/** The stage that produced a version's file, and everything upstream of it. */
export interface LineageRecord extends LineageStageRecord {
  /** Upstream stages, nearest first (breadth-first), each once. */
  upstream: LineageStageRecord[];
  /** Inputs no stage produces, over the whole pipeline, each once (by path). */
  sources: LineageSourceRecord[];
  /** Some input anywhere upstream is stale. */
  stale: boolean;
  /** The pipeline has more stages than are followed (1,000); `upstream` stops there. */
  truncated: boolean;
}

export interface DeclarationRecord {
  /** The `dvc.yaml` that declares the artifact. */
  file: string;
  path: string;
  type?: string;
  description?: string;
  labels: string[];
}

export interface VersionRecord {
  /** `v1.2.3` or a commit SHA. */
  name: string;
  /** `<model ref>@v1.2.3` (SHA-named versions: `<model ref>@<sha>`). */
  ref: string;
  registered: boolean;
  deregistered: boolean;
  active: boolean;
  commit: CommitRecord;
  createdAt: string;
  author: Person;
  tag: string;
  message: string;
  stages: string[];
  activeStages: string[];
  /** The artifact's declaration in `dvc.yaml` at this version's commit, if any. */
  declaration?: DeclarationRecord;
  artifact?: ArtifactFileRecord;
  metrics: KeyValueRecord[];
  /** The metrics files declared at the version commit and where each is. */
  metricFiles: DataFileRecord[];
  params: ParamRecord[];
  /** The params files the pipeline reads at the version commit and where each is. */
  paramFiles: DataFileRecord[];
  plots: PlotRecord[];
  lineage?: LineageRecord;
}

export interface ModelRecord {
  /** `<repository ref>:<full name>`. */
  ref: string;
  repository: string;
  /** GTO full name (`dir:name`). */
  name: string;
  /** Declaration shown for the model: at HEAD, else at the latest version, else the newest declared version. */
  declaration?: DeclarationRecord;
  deprecated: boolean;
  latestVersion?: string;
  /** Commit of the latest version (a version name can repeat at several commits). */
  latestCommit?: string;
  /** Newest first (SemVer). */
  versions: VersionRecord[];
  stages: StageAssignmentRecord[];
  assignments: StageAssignmentRecord[];
  history: RegistryEventRecord[];
}

export interface RepositoryRecord {
  ref: string;
  source: string;
  kind: 'local' | 'github' | 'gitlab';
  host: string;
  fullName: string;
  url: string;
  defaultBranch?: string;
  /** `repositoryKey`s of the repository's other addresses (a local clone's remotes), for matching DVC imports. */
  aliases?: string[];
  headCommit?: CommitRecord;
  /** When this snapshot was built. */
  indexedAt: string;
  /** Hash of what the snapshot was built from (refs); equal fingerprints mean nothing changed. */
  fingerprint: string;
  problems: ProblemRecord[];
  /** Refs of the models, sorted. */
  models: string[];
}

export interface RepositorySnapshot {
  repository: RepositoryRecord;
  models: ModelRecord[];
}
