import { Kind, valueFromASTUntyped } from 'graphql';
import type { ASTVisitor, FragmentDefinitionNode, OperationDefinitionNode, ValidationContext, ValidationRule } from 'graphql';
import { estimateCost, pageSizeOf } from './estimateCost.js';
import type { Limits } from './Limits.js';
import { limitError } from './limitError.js';
import { measureDepth } from './measureDepth.js';

/** What a connection returns when `first` is left out (`paginate`'s default). */
export const DEFAULT_PAGE_SIZE = 50;

/**
 * The rules that need only the document: depth, aliases, introspection. Apollo caches
 * their verdict with the parsed document.
 */
export function documentLimitRules(limits: Limits): ValidationRule[] {
  return [createDepthRule(limits.depth), createAliasRule(limits.aliases), ...(limits.introspection ? [] : [NoIntrospectionRule])];
}

/**
 * The rules that need the request's variables (a `first: $n` is only known then): page
 * size and cost. Only the operation that runs (`operationName`) is checked.
 */
export function requestLimitRules(limits: Limits, request: { variables?: Readonly<Record<string, unknown>> | undefined; operationName?: string | null | undefined }): ValidationRule[] {
  return [createPageSizeRule(limits.pageSize, request), createCostRule(limits, request)];
}

export function createDepthRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const depth = measureDepth(operation.selectionSet, fragmentsOf(context));
      if (depth > max) {
        context.reportError(
          limitError('QUERY_TOO_DEEP', `${describeOperation(operation)} nests fields ${depth} levels deep; the limit is ${max} (limits.depth). Ask for fewer nested levels, or follow the deeper objects with a second query by \`ref\`.`, { limit: max, actual: depth, nodes: [operation] }),
        );
      }
    },
  });
}

export function createAliasRule(max: number): ValidationRule {
  return (context) => {
    let count = 0;
    return {
      Field(node) {
        if (node.alias) count += 1;
      },
      Document: {
        leave(document) {
          if (count > max) {
            context.reportError(limitError('TOO_MANY_ALIASES', `The document uses ${count} aliases; the limit is ${max} (limits.aliases). Send fewer aliased fields per request, or use a list field with a filter instead.`, { limit: max, actual: count, nodes: [document] }));
          }
        },
      },
    };
  };
}

/** Refuses `__schema` and `__type`; `__typename` stays allowed (clients add it everywhere). */
export const NoIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(limitError('INTROSPECTION_DISABLED', `Introspection (${node.name.value}) is turned off on this gateway (introspection: false). Use the schema file the gateway publishes (schema/schema.graphql) instead.`, { limit: 0, nodes: [node] }));
    }
  },
});

export function createPageSizeRule(max: number, request: { variables?: Readonly<Record<string, unknown>> | undefined; operationName?: string | null | undefined }): ValidationRule {
  return (context) => forRunningOperation(context, request, (operation, variables) => {
    const visited = new Set<string>();
    const check = (selections: OperationDefinitionNode['selectionSet']['selections']): void => {
      for (const selection of selections) {
        if (selection.kind === Kind.FIELD) {
          const first = pageSizeOf(selection, { variables, maxPageSize: max });
          if (first !== undefined && first > max) {
            context.reportError(
              limitError('PAGE_TOO_LARGE', `first must be between 0 and ${max}, got ${first} on \`${selection.name.value}\` (limits.pageSize). Page through larger lists with \`after\` and the previous page's \`endCursor\`.`, { limit: max, actual: first, nodes: [selection] }),
            );
          }
          if (selection.selectionSet) check(selection.selectionSet.selections);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          check(selection.selectionSet.selections);
        } else {
          const fragment = fragmentsOf(context).get(selection.name.value);
          if (fragment && !visited.has(fragment.name.value)) {
            visited.add(fragment.name.value);
            check(fragment.selectionSet.selections);
          }
        }
      }
    };
    check(operation.selectionSet.selections);
  });
}

export function createCostRule(limits: Pick<Limits, 'cost' | 'pageSize'>, request: { variables?: Readonly<Record<string, unknown>> | undefined; operationName?: string | null | undefined }): ValidationRule {
  return (context) => forRunningOperation(context, request, (operation, variables) => {
    const schema = context.getSchema();
    const root = schema.getRootType(operation.operation);
    if (!root) return;
    const cost = estimateCost(operation.selectionSet, root, { schema, fragments: fragmentsOf(context), variables, defaultPageSize: DEFAULT_PAGE_SIZE, maxPageSize: limits.pageSize });
    if (cost > limits.cost) {
      context.reportError(
        limitError('QUERY_TOO_COSTLY', `${describeOperation(operation)} could return about ${cost} fields (each field 1, times the pages and lists above it); the limit is ${limits.cost} (limits.cost). Ask for smaller pages (\`first\`), fewer nested connections, or split the query.`, { limit: limits.cost, actual: cost, nodes: [operation] }),
      );
    }
  });
}

/**
 * Visits only the operation that will run, with its variables completed by their declared
 * defaults. Without request variables (a static check), a variable `first` counts as unknown.
 */
function forRunningOperation(
  context: ValidationContext,
  request: { variables?: Readonly<Record<string, unknown>> | undefined; operationName?: string | null | undefined },
  check: (operation: OperationDefinitionNode, variables: Record<string, unknown>) => void,
): ASTVisitor {
  return {
    OperationDefinition(operation) {
      if (request.operationName && operation.name?.value !== request.operationName) return false;
      const variables: Record<string, unknown> = {};
      for (const definition of operation.variableDefinitions ?? []) {
        if (definition.defaultValue) variables[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
      }
      for (const [name, value] of Object.entries(request.variables ?? {})) if (value !== undefined) variables[name] = value;
      check(operation, variables);
      return false;
    },
  };
}

const fragmentCache = new WeakMap<ValidationContext, Map<string, FragmentDefinitionNode>>();
function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  let fragments = fragmentCache.get(context);
  if (!fragments) {
    fragments = new Map();
    for (const definition of context.getDocument().definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    fragmentCache.set(context, fragments);
  }
  return fragments;
}

function describeOperation(operation: OperationDefinitionNode): string {
  return operation.name ? `The ${operation.operation} ${operation.name.value}` : `The ${operation.operation}`;
}
