import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { NotFoundError } from '../errors.js';
import { parseModelRef, parseRepositoryRef } from '../registry/index.js';
import type { ModelRecord, RepositoryRecord } from '../registry/index.js';
import type { ModelSummary } from '../store/index.js';
import { Node } from './common.type.js';
import type { GraphQLContext } from './context.js';
import { fromGlobalId } from './globalId.js';
import { ModelFilter, RepositoryFilter } from './model.args.js';
import { paginate } from './paginate.js';
import type { Page } from './paginate.js';
import { IndexStatus, Model, ModelConnection, ModelVersion, Repository, RepositoryConnection } from './registry.types.js';
import { versionsWithContent } from './provenance.resolver.js';
import { findVersion } from './roots.js';
import type { VersionRoot } from './roots.js';

@Resolver()
export class QueryResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global ID.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<RepositoryRecord | ModelRecord | VersionRoot | undefined> {
    const { type, ref } = fromGlobalId(id);
    switch (type) {
      case 'Repository':
        return ctx.loaders.repository.load(ref);
      case 'Model':
        return ctx.loaders.model.load(ref);
      case 'ModelVersion':
        return findVersion(ctx, ref);
    }
  }

  @Query(() => RepositoryConnection, { description: 'Indexed repositories, sorted by ref.' })
  async repositories(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('filter', () => RepositoryFilter, { nullable: true }) filter?: RepositoryFilter,
  ): Promise<Page<RepositoryRecord>> {
    const query = filter?.query?.toLowerCase();
    const refs = (await ctx.loaders.repositoryRefs.load('all')).filter(
      (ref) => (!query || ref.toLowerCase().includes(query)) && (!filter?.source || ref.startsWith(`${filter.source}:`)),
    );
    const page = paginate(refs, (ref) => ref, { first, after, sorted: true });
    const records = await ctx.loaders.repository.loadMany(page.nodes);
    const nodes = records.filter((r): r is RepositoryRecord => r !== undefined && !(r instanceof Error));
    if (nodes.length !== page.nodes.length) throw new NotFoundError('A repository disappeared while the page was read; retry the query.');
    return { ...page, nodes, edges: page.edges.map((e, i) => ({ cursor: e.cursor, node: nodes[i] as RepositoryRecord })) };
  }

  @Query(() => Repository, { nullable: true, description: 'A repository by ref (`github:acme/churn`).' })
  async repository(@Arg('ref', () => String) ref: string, @Ctx() ctx: GraphQLContext): Promise<RepositoryRecord | undefined> {
    parseRepositoryRef(ref);
    return ctx.loaders.repository.load(ref);
  }

  @Query(() => ModelConnection, { description: 'Models across every indexed repository, sorted by ref. Deprecated models are left out unless `filter.includeDeprecated`.' })
  async models(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('filter', () => ModelFilter, { nullable: true }) filter?: ModelFilter,
  ): Promise<Page<ModelRecord>> {
    const summaries = (await ctx.loaders.summaries.load('all')).filter((m) => matchesFilter(m, filter));
    return loadModelPage(ctx, summaries, first, after);
  }

  @Query(() => Model, { nullable: true, description: 'A model by ref (`github:acme/churn:churn`).' })
  async model(@Arg('ref', () => String) ref: string, @Ctx() ctx: GraphQLContext): Promise<ModelRecord | undefined> {
    parseModelRef(ref);
    return ctx.loaders.model.load(ref);
  }

  @Query(() => ModelVersion, {
    nullable: true,
    description: 'A version by ref: `<model ref>@v1.2.3`, `<model ref>@latest`, or `<model ref>#prod` for the version currently in a stage.',
  })
  async modelVersion(@Arg('ref', () => String) ref: string, @Ctx() ctx: GraphQLContext): Promise<VersionRoot | undefined> {
    return findVersion(ctx, ref);
  }

  @Query(() => [ModelVersion], {
    description: 'Versions, in any indexed repository, whose model file has this DVC md5 (`….dir` for directories): which registered model a file is.',
  })
  async modelVersionsByContent(@Arg('md5', () => String) md5: string, @Ctx() ctx: GraphQLContext): Promise<VersionRoot[]> {
    return versionsWithContent(ctx, md5.trim().toLowerCase());
  }

  @Query(() => IndexStatus, { description: 'How fresh the index is.' })
  async indexStatus(@Ctx() ctx: GraphQLContext): Promise<IndexStatus> {
    const [repositories, models, status] = await Promise.all([ctx.loaders.repositoryRefs.load('all'), ctx.loaders.summaries.load('all'), ctx.indexer?.status()]);
    const statuses = await ctx.store.getStatuses(repositories);
    const states = { fresh: 0, stale: 0, pending: 0 };
    const failing: { ref: string; at: string }[] = [];
    statuses.forEach((s, i) => {
      if (!s) states.pending += 1;
      else if (s.stale) {
        states.stale += 1;
        failing.push({ ref: repositories[i] as string, at: s.lastAttemptAt });
      } else states.fresh += 1;
    });
    failing.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const failingRecords = (await ctx.loaders.repository.loadMany(failing.map((f) => f.ref))).filter((r): r is RepositoryRecord => r !== undefined && !(r instanceof Error));
    const last = status?.lastPass;
    return {
      ready: ctx.indexer?.ready ?? true,
      repositories: repositories.length,
      models: models.length,
      ...(last ? { lastRunAt: last.finishedAt, lastRunSeconds: last.seconds, lastRunApiCalls: last.apiCalls } : {}),
      repositoriesByState: states,
      failing: failingRecords,
      ...(status?.queue ? { queue: status.queue } : {}),
      apiCalls: Object.entries(status?.apiCalls ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([source, calls]) => ({ source, calls })),
    };
  }
}

/** Loads one page of models in a single batch (one store round trip for the page). */
export async function loadModelPage(ctx: GraphQLContext, summaries: ModelSummary[], first?: number, after?: string): Promise<Page<ModelRecord>> {
  const page = paginate(summaries, (m) => m.ref, { first, after, sorted: true });
  const records = await ctx.loaders.model.loadMany(page.nodes.map((m) => m.ref));
  const nodes = records.filter((r): r is ModelRecord => r !== undefined && !(r instanceof Error));
  if (nodes.length !== page.nodes.length) throw new NotFoundError('A model disappeared while the page was read; retry the query.');
  return { ...page, nodes, edges: page.edges.map((e, i) => ({ cursor: e.cursor, node: nodes[i] as ModelRecord })) };
}

export function matchesFilter(m: ModelSummary, filter: ModelFilter | undefined): boolean {
  if (m.deprecated && !filter?.includeDeprecated) return false;
  if (!filter) return true;
  if (filter.repository && m.repository !== filter.repository) return false;
  if (filter.type && m.type !== filter.type) return false;
  if (filter.labels && !filter.labels.every((l) => m.labels.includes(l))) return false;
  if (filter.stage && !m.stages.includes(filter.stage)) return false;
  if (filter.query) {
    const q = filter.query.toLowerCase();
    const text = [m.ref, m.name, m.description ?? '', ...m.labels].join('\n').toLowerCase();
    if (!text.includes(q)) return false;
  }
  return true;
}
