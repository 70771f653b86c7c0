import type { ModelRecord, RepositoryRecord, RepositorySnapshot } from '../registry/index.js';
import type { ModelSummary, RegistryStore, RepositoryStatus } from './RegistryStore.js';
import { summarizeModel } from './summarizeModel.js';

interface StoredRepository {
  repository: string;
  /** Model ref → JSON text. */
  models: Map<string, string>;
  summaries: ModelSummary[];
}

/**
 * The embedded store used when no Redis is configured. Values are kept as JSON text, as
 * Redis keeps them, so nothing that works here can depend on object identity or on values
 * that do not survive serialisation.
 */
export class InMemoryRegistryStore implements RegistryStore {
  private readonly repositories = new Map<string, StoredRepository>();
  private readonly statuses = new Map<string, string>();

  static create(): InMemoryRegistryStore {
    return new InMemoryRegistryStore();
  }

  async putSnapshot(snapshot: RepositorySnapshot): Promise<void> {
    const models = new Map(snapshot.models.map((m) => [m.ref, JSON.stringify(m)] as const));
    const summaries = snapshot.models.map(summarizeModel);
    // One assignment: readers see the previous entry or this one.
    this.repositories.set(snapshot.repository.ref, { repository: JSON.stringify(snapshot.repository), models, summaries });
  }

  async removeRepository(ref: string): Promise<void> {
    this.repositories.delete(ref);
    this.statuses.delete(ref);
  }

  async getRepositories(refs: readonly string[]): Promise<(RepositoryRecord | undefined)[]> {
    return refs.map((ref) => {
      const stored = this.repositories.get(ref);
      return stored ? (JSON.parse(stored.repository) as RepositoryRecord) : undefined;
    });
  }

  async getModels(refs: readonly string[]): Promise<(ModelRecord | undefined)[]> {
    return refs.map((ref) => {
      const text = this.repositoryOfModel(ref)?.models.get(ref);
      return text === undefined ? undefined : (JSON.parse(text) as ModelRecord);
    });
  }

  async listRepositories(): Promise<string[]> {
    return [...this.repositories.keys()].sort();
  }

  async listModels(): Promise<ModelSummary[]> {
    return [...this.repositories.values()].flatMap((r) => r.summaries).sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  async setStatus(status: RepositoryStatus): Promise<void> {
    this.statuses.set(status.ref, JSON.stringify(status));
  }

  async getStatuses(refs: readonly string[]): Promise<(RepositoryStatus | undefined)[]> {
    return refs.map((ref) => {
      const text = this.statuses.get(ref);
      return text === undefined ? undefined : (JSON.parse(text) as RepositoryStatus);
    });
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  /** A model ref starts with its repository ref and a colon; repository paths hold no colon. */
  private repositoryOfModel(ref: string): StoredRepository | undefined {
    const second = ref.indexOf(':', ref.indexOf(':') + 1);
    return second < 0 ? undefined : this.repositories.get(ref.slice(0, second));
  }
}
