import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import { repositoryKeysOf } from '../registry/index.js';
import type { CommitRecord, ModelRecord, RepositoryRecord } from '../registry/index.js';
import { Commit } from './common.type.js';
import type { GraphQLContext } from './context.js';
import { toGlobalId } from './globalId.js';
import { paginate } from './paginate.js';
import type { Page } from './paginate.js';
import { versionsImportingFrom } from './provenance.resolver.js';
import type { VersionRoot } from './roots.js';
import { loadModelPage } from './query.resolver.js';
import { ModelConnection, ModelVersionConnection, Repository } from './registry.types.js';

@Resolver(() => Repository)
export class RepositoryResolver {
  @FieldResolver(() => ID)
  id(@Root() repository: RepositoryRecord): string {
    return toGlobalId('Repository', repository.ref);
  }

  @FieldResolver(() => Commit, { nullable: true, description: 'Head of the default branch when the snapshot was built.' })
  headCommit(@Root() repository: RepositoryRecord): CommitRecord | undefined {
    return repository.headCommit;
  }

  @FieldResolver(() => ModelConnection, { description: "The repository's models, deprecated ones included, sorted by ref." })
  async models(
    @Root() repository: RepositoryRecord,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Page<ModelRecord>> {
    const summaries = (await ctx.loaders.summaries.load('all')).filter((m) => m.repository === repository.ref);
    return loadModelPage(ctx, summaries, first, after);
  }

  @FieldResolver(() => ModelVersionConnection, {
    description:
      'Versions of models, in any indexed repository, built from this repository\'s files: their model file or a pipeline input is a `dvc import` from here.',
  })
  async importedBy(
    @Root() repository: RepositoryRecord,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<Page<VersionRoot>> {
    const found = new Map<string, VersionRoot>();
    for (const key of repositoryKeysOf(repository)) for (const v of await versionsImportingFrom(ctx, key)) found.set(v.ref, v);
    return paginate([...found.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1)), (v) => v.ref, { first, after });
  }

  @FieldResolver(() => Boolean, { description: 'The last indexing attempt failed, so the data may be older than the repository.' })
  async stale(@Root() repository: RepositoryRecord, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return (await ctx.loaders.status.load(repository.ref))?.stale ?? false;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why the last indexing attempt failed, if it did.' })
  async lastError(@Root() repository: RepositoryRecord, @Ctx() ctx: GraphQLContext): Promise<string | undefined> {
    return (await ctx.loaders.status.load(repository.ref))?.lastError;
  }
}
