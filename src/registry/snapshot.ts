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

/** Where the model file is: path from the repository root, and its DVC hash. */
export interface ArtifactFileRecord {
  /** Path from the repository root (or a URL when the declaration gives one). */
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  /** Where DVC keeps the object; absent when the file is in Git or no remote is configured. */
  storage?: StorageRecord;
  /** How the location was found: a `dvc.lock` output, a `.dvc` file, or Git itself. */
  trackedBy: 'dvc.lock' | '.dvc' | 'git' | 'url' | 'unknown';
}

export interface KeyValueRecord {
  /** File from the repository root. */
  path: string;
  /** Dotted key (`roc_auc.test`). */
  key: string;
  value: unknown;
}

export interface LineageRecord {
  /** The `dvc.lock` that records the producing stage. */
  lockFile: string;
  stage: string;
  cmd?: string;
  deps: { path: string; md5?: string }[];
  params: KeyValueRecord[];
  outs: { path: string; md5?: string }[];
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
  params: KeyValueRecord[];
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
