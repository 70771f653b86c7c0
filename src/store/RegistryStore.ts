import type { ModelRecord, RepositoryRecord, RepositorySnapshot } from '../registry/index.js';

/** The few fields of a model that lists filter on, kept apart so a list never loads whole models. */
export interface ModelSummary {
  ref: string;
  repository: string;
  name: string;
  path?: string;
  type?: string;
  description?: string;
  labels: string[];
  deprecated: boolean;
  /** Stages the model currently shows (GTO `show`). */
  stages: string[];
  /** md5s of its versions' model files (to find identical content across versions and repositories). */
  md5s: string[];
  /** Keys (`repositoryKey`) of the repositories its versions `dvc import` from, model file or pipeline inputs. */
  imports: string[];
}

/** How the last indexing attempt of a repository went. */
export interface RepositoryStatus {
  ref: string;
  /** The last attempt failed; the snapshot (if any) is older than the repository. */
  stale: boolean;
  lastError?: string;
  lastAttemptAt: string;
}

/**
 * Where snapshots live. Values are JSON-serialisable; every method is async and
 * batch-shaped, so a Redis implementation answers a whole request in a few round trips
 * and DataLoader is a one-liner over it. Results of batch reads come in the order asked,
 * `undefined` where nothing is stored.
 */
export interface RegistryStore {
  /** Replaces a repository's snapshot whole: a reader sees the old one or the new one, never a mix. */
  putSnapshot(snapshot: RepositorySnapshot): Promise<void>;
  /** Forgets a repository and its models. */
  removeRepository(ref: string): Promise<void>;
  getRepositories(refs: readonly string[]): Promise<(RepositoryRecord | undefined)[]>;
  getModels(refs: readonly string[]): Promise<(ModelRecord | undefined)[]>;
  /** Every stored repository ref, sorted. */
  listRepositories(): Promise<string[]>;
  /** Every stored model's summary, sorted by ref. */
  listModels(): Promise<ModelSummary[]>;
  setStatus(status: RepositoryStatus): Promise<void>;
  getStatuses(refs: readonly string[]): Promise<(RepositoryStatus | undefined)[]>;
  /** Throws StoreError when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
