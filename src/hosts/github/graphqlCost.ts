import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  typeFromAST,
} from 'graphql';
import type {
  DirectiveNode,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLAbstractType,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import type { GitHubErrorJson } from './graphqlErrors.js';

/** GitHub's node limit: no call may request more than this many nodes. */
export const MAX_NODE_COUNT = 500_000;

/** What GitHub computes about a query before running it. */
export interface QueryCost {
  /** Nodes the query may return: over every paginated field, its page size times the page sizes above it, summed. */
  nodeCount: number;
  /** Lists the query may fetch: every paginated field counts once per node of the page above it (1 at the top). */
  requestCount: number;
  /** Points charged: `requestCount / 100`, rounded, at least 1. */
  cost: number;
  /** The first paginated field that alone may return more than `MAX_NODE_COUNT` nodes. */
  exceeding?: { field: FieldNode; nodeCount: number };
  /** The operation selects nothing but `rateLimit` (GitHub charges such checks nothing). */
  rateLimitOnly: boolean;
  /** `rateLimit(dryRun: true)` is selected: compute the cost, run nothing else, charge nothing. */
  dryRun: boolean;
}

interface Tally {
  nodes: number;
  requests: number;
  exceeding?: { field: FieldNode; nodeCount: number };
}

interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/**
 * GitHub's static cost analysis of one operation (docs: "Rate limits and node limits for
 * the GraphQL API").
 *
 * STEP 1: a field is paginated when it gets `first`, `last` or `ids`; its page size is
 * `first ?? last ?? ids.length`, as given (the 100 cap is checked when it resolves).
 * STEP 2: walking down, `scale` is the product of the page sizes above a field (1 at the
 * root). A paginated field may return `scale × size` nodes and needs `scale` requests
 * (one per node of the page above it).
 * STEP 3: below an abstract type (`GitObject`, `Node`) the selections of each possible
 * concrete type are tallied separately and the largest counts win, since one object has
 * one type (GitHub's "most expensive branch").
 * STEP 4: fields are merged by response key as execution merges them, so a field spread
 * by two fragments counts once; `@skip`/`@include` are honoured.
 *
 * `variables` must be coerced already (`getVariableValues`).
 */
export function computeQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): QueryCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk: Walk = { schema, fragments, variables };
  const root = schema.getRootType(operation.operation);
  const empty = { nodeCount: 0, requestCount: 0, cost: 1, rateLimitOnly: false, dryRun: false };
  if (!root) return empty;
  const tally = tallyObject(walk, operation.selectionSet, root, 1);
  const rootFields = collectFields(walk, operation.selectionSet, root);
  const names = [...rootFields.values()].map((nodes) => nodes[0]?.name.value);
  const rateLimitFields = [...rootFields.values()].filter((nodes) => nodes[0]?.name.value === 'rateLimit');
  const dryRun =
    operation.operation === 'query' &&
    rateLimitFields.some((nodes) => {
      const def = root.getFields().rateLimit;
      const node = nodes[0];
      return def && node ? safeArguments(def, node, variables)?.dryRun === true : false;
    });
  return {
    nodeCount: tally.nodes,
    requestCount: tally.requests,
    cost: Math.max(1, Math.round(tally.requests / 100)),
    ...(tally.exceeding ? { exceeding: tally.exceeding } : {}),
    rateLimitOnly: operation.operation === 'query' && names.length > 0 && names.every((name) => name === 'rateLimit' || name === '__typename'),
    dryRun,
  };
}

/** GitHub's MAX_NODE_LIMIT_EXCEEDED error when the query may return too many nodes. */
export function nodeLimitError(cost: QueryCost): GitHubErrorJson | undefined {
  if (cost.nodeCount <= MAX_NODE_COUNT) return undefined;
  const limit = MAX_NODE_COUNT.toLocaleString('en-US');
  if (cost.exceeding) {
    const { field, nodeCount } = cost.exceeding;
    const location = field.loc ? [{ line: field.loc.startToken.line, column: field.loc.startToken.column }] : undefined;
    return {
      type: 'MAX_NODE_LIMIT_EXCEEDED',
      ...(location ? { locations: location } : {}),
      message: `By the time this query traverses to the ${field.name.value} connection, it is requesting up to ${nodeCount.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${limit}.`,
    };
  }
  return {
    type: 'MAX_NODE_LIMIT_EXCEEDED',
    message: `This query requests up to ${cost.nodeCount.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${limit}.`,
  };
}

function tallySelections(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, scale: number): Tally {
  if (!isAbstractType(type)) return tallyObject(walk, selectionSet, type, scale);
  let best: Tally = { nodes: 0, requests: 0 };
  for (const candidate of candidateTypes(walk, selectionSet, type)) {
    const branch = tallyObject(walk, selectionSet, candidate, scale);
    best = {
      nodes: Math.max(best.nodes, branch.nodes),
      requests: Math.max(best.requests, branch.requests),
      ...((best.exceeding ?? branch.exceeding) ? { exceeding: best.exceeding ?? branch.exceeding } : {}),
    };
  }
  return best;
}

function tallyObject(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType, scale: number): Tally {
  const total: Tally = { nodes: 0, requests: 0 };
  for (const nodes of collectFields(walk, selectionSet, type).values()) {
    const first = nodes[0];
    if (!first) continue;
    const def = type.getFields()[first.name.value];
    if (!def) continue; // __typename and other meta fields
    let childScale = scale;
    const size = pageSize(def, first, walk.variables);
    if (size !== undefined) {
      const own = scale * size;
      total.nodes += own;
      total.requests += scale;
      if (own > MAX_NODE_COUNT && !total.exceeding) total.exceeding = { field: first, nodeCount: own };
      childScale = own;
    }
    const named = getNamedType(def.type);
    if (!isCompositeType(named)) continue;
    const merged: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []) };
    const child = tallySelections(walk, merged, named, childScale);
    total.nodes += child.nodes;
    total.requests += child.requests;
    if (child.exceeding && !total.exceeding) total.exceeding = child.exceeding;
  }
  return total;
}

function pageSize(def: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): number | undefined {
  if (!def.args.some((arg) => arg.name === 'first' || arg.name === 'last' || arg.name === 'ids')) return undefined;
  const args = safeArguments(def, node, variables);
  if (!args) return undefined;
  const size = args.first ?? args.last ?? (Array.isArray(args.ids) ? args.ids.length : undefined);
  return typeof size === 'number' ? Math.max(0, size) : undefined;
}

function safeArguments(def: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> | undefined {
  try {
    return getArgumentValues(def, node, variables);
  } catch {
    return undefined; // invalid arguments fail when the field resolves
  }
}

/** Fields by response key for a runtime type, through fragments whose condition it meets, as execution collects them. */
function collectFields(
  walk: Walk,
  selectionSet: SelectionSetNode,
  type: GraphQLObjectType,
  fields = new Map<string, FieldNode[]>(),
  visited = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    if (!included(walk, selection)) continue;
    switch (selection.kind) {
      case Kind.FIELD: {
        const key = selection.alias?.value ?? selection.name.value;
        fields.set(key, [...(fields.get(key) ?? []), selection]);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        if (!selection.typeCondition || conditionMatches(walk, selection.typeCondition.name.value, type)) {
          collectFields(walk, selection.selectionSet, type, fields, visited);
        }
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = walk.fragments.get(name);
        if (visited.has(name) || !fragment) break;
        visited.add(name);
        if (conditionMatches(walk, fragment.typeCondition.name.value, type)) collectFields(walk, fragment.selectionSet, type, fields, visited);
        break;
      }
      default:
        break;
    }
  }
  return fields;
}

/**
 * The concrete types worth tallying below an abstract type: those the fragments name (or
 * that their abstract conditions cover), plus one possible type no fragment names (it
 * sees only the unconditional selections).
 */
function candidateTypes(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLAbstractType): GraphQLObjectType[] {
  const possible = walk.schema.getPossibleTypes(type);
  const named = new Set<GraphQLObjectType>();
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) continue;
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? walk.fragments.get(selection.name.value) : selection;
      if (!fragment || (selection.kind === Kind.FRAGMENT_SPREAD && seen.has(selection.name.value))) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) seen.add(selection.name.value);
      const condition = fragment.typeCondition ? walk.schema.getType(fragment.typeCondition.name.value) : undefined;
      if (isObjectType(condition)) named.add(condition);
      else if (condition && isAbstractType(condition)) for (const t of walk.schema.getPossibleTypes(condition)) named.add(t);
      visit(fragment.selectionSet, seen);
    }
  };
  visit(selectionSet, new Set());
  const candidates = possible.filter((t) => named.has(t));
  const unnamed = possible.find((t) => !named.has(t));
  return unnamed ? [...candidates, unnamed] : candidates;
}

function conditionMatches(walk: Walk, conditionName: string, type: GraphQLObjectType): boolean {
  const condition = typeFromAST(walk.schema, { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: conditionName } });
  if (!condition) return false;
  if (condition === type) return true;
  return isAbstractType(condition) && walk.schema.isSubType(condition, type);
}

function included(walk: Walk, node: { readonly directives?: readonly DirectiveNode[] }): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, walk.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, walk.variables);
  return include?.if !== false;
}
