import { Kind, getNamedType, getNullableType, isCompositeType, isListType, isObjectType, isInterfaceType, valueFromASTUntyped } from 'graphql';
import type { FieldNode, FragmentDefinitionNode, GraphQLCompositeType, GraphQLField, GraphQLSchema, SelectionSetNode } from 'graphql';

/** A plain list field (no `first`) is assumed to hold this many items: stages, metrics, params, problems are short. */
export const LIST_SIZE_ESTIMATE = 10;

export interface CostOptions {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** The operation's variables, when known; a `first` from an unknown variable counts as `maxPageSize`. */
  variables?: Readonly<Record<string, unknown>> | undefined;
  /** What a connection returns when `first` is left out. */
  defaultPageSize: number;
  maxPageSize: number;
}

/**
 * A static upper estimate of the work an operation asks for: every field costs 1, times
 * the number of items its parents can return. A connection field (one with a `first`
 * argument) multiplies what is under it by `first` (or the page size it would use); its
 * `nodes`/`edges` lists multiply no further. Other list fields multiply by
 * `LIST_SIZE_ESTIMATE`. Fragments are expanded where they are spread (every type
 * condition counted, an upper bound); a fragment met again on its own path adds nothing.
 */
export function estimateCost(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, options: CostOptions, onPath: ReadonlySet<string> = new Set()): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        if (selection.name.value === '__typename') break;
        const field = fieldOf(parentType, selection.name.value);
        cost += 1;
        if (!selection.selectionSet || !field) break;
        const childType = getNamedType(field.type);
        if (!isCompositeType(childType)) break;
        cost += multiplier(selection, field, parentType, options) * estimateCost(selection.selectionSet, childType, options, onPath);
        break;
      }
      case Kind.INLINE_FRAGMENT: {
        const type = selection.typeCondition ? options.schema.getType(selection.typeCondition.name.value) : parentType;
        cost += estimateCost(selection.selectionSet, type && isCompositeType(type) ? type : parentType, options, onPath);
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = options.fragments.get(name);
        if (!fragment || onPath.has(name)) break;
        const type = options.schema.getType(fragment.typeCondition.name.value);
        cost += estimateCost(fragment.selectionSet, type && isCompositeType(type) ? type : parentType, options, new Set([...onPath, name]));
        break;
      }
    }
  }
  return cost;
}

function fieldOf(type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__schema' || name === '__type') return undefined; // introspection: a flat cost, governed by `introspection`
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function multiplier(node: FieldNode, field: GraphQLField<unknown, unknown>, parentType: GraphQLCompositeType, options: CostOptions): number {
  if (field.args.some((arg) => arg.name === 'first')) return pageSizeOf(node, options) ?? options.defaultPageSize;
  // A connection's own lists hold the page its field already counted.
  if (parentType.name.endsWith('Connection')) return 1;
  return isListType(getNullableType(field.type)) ? LIST_SIZE_ESTIMATE : 1;
}

/** The `first` a field asks for: a literal, a known variable, or (unknown variable) the largest page. */
export function pageSizeOf(node: FieldNode, options: Pick<CostOptions, 'variables' | 'maxPageSize'>): number | undefined {
  const argument = node.arguments?.find((arg) => arg.name.value === 'first');
  if (!argument) return undefined;
  if (argument.value.kind === Kind.VARIABLE) {
    const value = options.variables?.[argument.value.name.value];
    if (value === undefined) return options.variables ? undefined : options.maxPageSize;
    return typeof value === 'number' ? value : undefined;
  }
  const value: unknown = valueFromASTUntyped(argument.value);
  return typeof value === 'number' ? value : undefined;
}
