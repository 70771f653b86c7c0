import { NotFoundError, UpstreamError } from '../errors.js';
import { parseRepositoryRef } from '../registry/index.js';
import type { GitSource, RepositoryInfo, TagAuthor, TagToCreate } from '../sources/index.js';

/** Options of `SourceTagWriter.create`. */
export interface SourceTagWriterOptions {
  /** The gateway's sources (the indexer's). */
  sources: readonly GitSource[];
}

/**
 * The gateway's `TagWriter` (graphql/context.ts, implemented here structurally: the indexer
 * does not import the GraphQL layer). It finds the source a repository ref names and has it
 * write the tag with the caller's token; the source's errors (`UnauthenticatedError`,
 * `ForbiddenError`, `ConflictError`) pass through unchanged.
 */
export class SourceTagWriter {
  private constructor(private readonly options: SourceTagWriterOptions) {}

  static create(options: SourceTagWriterOptions): SourceTagWriter {
    return new SourceTagWriter(options);
  }

  async writeTag(repositoryRef: string, tag: TagToCreate, token: string | undefined): Promise<void> {
    const { source: name, path } = parseRepositoryRef(repositoryRef);
    const source = this.options.sources.find((s) => s.name === name);
    if (!source) throw new NotFoundError(`No configured source is named "${name}" (from ${repositoryRef}).`);
    if (!source.writeTag) throw new UpstreamError(`The ${name} source cannot write tags, so ${repositoryRef} cannot be changed through this gateway.`, name);
    // `writeTag` reads the ref, the source and the path of the repository (GitSource contract).
    const repository: RepositoryInfo = { ref: repositoryRef, source: name, kind: source.kind, path, host: '', fullName: path, url: '' };
    const author: TagAuthor = token ? { token } : {};
    await source.writeTag(repository, tag, author);
  }
}
