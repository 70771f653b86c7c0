import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { UpstreamError } from '../errors.js';
import { parseRepositoryRef } from '../registry/index.js';
import type { RepositoryRecord } from '../registry/index.js';
import type { GraphQLContext } from './context.js';
import { Repository } from './registry.types.js';

@Resolver()
export class MutationResolver {
  @Mutation(() => Repository, { nullable: true, description: 'Re-index one repository now and return it as stored afterwards.' })
  async refreshRepository(@Arg('ref', () => String) ref: string, @Ctx() ctx: GraphQLContext): Promise<RepositoryRecord | undefined> {
    parseRepositoryRef(ref);
    if (!ctx.indexer) throw new UpstreamError('This gateway runs without an indexer, so it cannot refresh repositories.', 'indexer');
    await ctx.indexer.refresh(ref);
    ctx.loaders.repository.clear(ref);
    ctx.loaders.status.clear(ref);
    ctx.loaders.summaries.clearAll();
    ctx.loaders.repositoryRefs.clearAll();
    return ctx.loaders.repository.load(ref);
  }
}
