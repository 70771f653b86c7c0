import { GraphQLError, Kind, print, visit } from 'graphql';
import type { ASTNode, DocumentNode, SourceLocation } from 'graphql';

/**
 * An error the way GitHub's GraphQL API reports it: a `type` (`NOT_FOUND`,
 * `MISSING_PAGINATION_BOUNDARIES`, `RATE_LIMITED`, ...) next to the message. Resolvers
 * throw it; `formatGitHubError` puts the type where GitHub does (top level, not in
 * `extensions`).
 */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** One entry of a GitHub GraphQL response's `errors`. */
export interface GitHubErrorJson {
  type?: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
  locations?: readonly SourceLocation[];
  message: string;
}

/** A field the simulator does not compute and cannot answer with null (its type is non-null). */
export function notSimulated(typeName: string, fieldName: string): GitHubError {
  return new GitHubError(
    'NOT_SIMULATED',
    `${typeName}.${fieldName} is not simulated: the Git host simulator answers the fields an indexer reads (repositories, refs, tags, commits, trees, blobs, rateLimit); leave it out of the query or add it to src/hosts/github/graphqlResolvers.ts.`,
  );
}

/**
 * An execution error as GitHub shows it. Errors the simulator did not mean (a bug, a git
 * failure) become GitHub's "Something went wrong" message, which clients treat as a
 * retryable server error; `onUnexpected` sees the original.
 */
export function formatGitHubError(error: GraphQLError, requestId: string, onUnexpected: (error: unknown) => void): GitHubErrorJson {
  const original = error.originalError;
  const located = { ...(error.path ? { path: error.path } : {}), ...(error.locations ? { locations: error.locations } : {}) };
  if (original instanceof GitHubError) return { type: original.type, ...located, message: original.message };
  if (original && !(original instanceof GraphQLError)) {
    onUnexpected(original);
    return {
      ...located,
      message: `Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include \`${requestId}\` when reporting this issue.`,
    };
  }
  return { ...located, message: error.message };
}

const TOKEN_NAMES: Record<string, string> = {
  '{': 'LCURLY',
  '}': 'RCURLY',
  '(': 'LPAREN',
  ')': 'RPAREN',
  '[': 'LBRACKET',
  ']': 'RBRACKET',
  ':': 'COLON',
  '!': 'BANG',
  '=': 'EQUALS',
  '...': 'ELLIPSIS',
  '@': 'DIR_SIGN',
  $: 'VAR_SIGN',
  '|': 'PIPE',
  '&': 'AMP',
  Name: 'IDENTIFIER',
  String: 'STRING',
  BlockString: 'STRING',
  Int: 'INT',
  Float: 'FLOAT',
};

/**
 * A syntax error, worded as GitHub's parser (graphql-ruby) words it: `Parse error on "}"
 * (RCURLY) at [1, 5]`, or `Unexpected end of document`.
 */
export function formatSyntaxError(error: GraphQLError): GitHubErrorJson {
  const where = error.locations?.[0];
  const locations = error.locations ? { locations: error.locations } : {};
  // graphql-js: `Syntax Error: Expected Name, found "}".` / `Unexpected Name "foo".` / `... found <EOF>.`
  const token = /(?:found|Unexpected) (<EOF>|"[^"]*"|(\w+) "((?:[^"\\]|\\.)*)")\.?$/.exec(error.message);
  if (token?.[1] === '<EOF>') return { ...locations, message: 'Unexpected end of document' };
  if (token && where) {
    const text = token[2] ? token[3] ?? '' : (token[1] ?? '').slice(1, -1);
    const kind = TOKEN_NAMES[token[2] ?? text] ?? 'UNKNOWN_CHAR';
    return { ...locations, message: `Parse error on ${JSON.stringify(text)} (${kind}) at [${where.line}, ${where.column}]` };
  }
  return { ...locations, message: error.message.replace(/^Syntax Error: /, 'Parse error: ') };
}

interface NodeContext {
  /** graphql-ruby's static-validation path: `query Name`, field response keys, `... on Type`, `fragment F`, argument names. */
  path: string[];
  /** The nearest enclosing field node and argument node. */
  field?: string;
  argument?: string;
}

/**
 * Rewords graphql-js validation errors the way GitHub (graphql-ruby) reports the common
 * ones: its messages, its `extensions.code`, and its `path` through the document
 * (`["query", "repository", "nope"]`). Others keep graphql-js's wording.
 */
export function translateValidationErrors(errors: readonly GraphQLError[], document: DocumentNode): GitHubErrorJson[] {
  const contexts = documentContexts(document);
  return errors.map((error) => {
    const node = error.nodes?.[0];
    const context = node ? contexts.get(node) : undefined;
    const base = { ...(context ? { path: context.path } : {}), ...(error.locations ? { locations: error.locations } : {}) };
    const reworded = reword(error.message, node, context);
    return reworded ? { ...base, extensions: reworded.extensions, message: reworded.message } : { ...base, message: error.message };
  });
}

const VALUE_KINDS: ReadonlySet<string> = new Set([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

type Reworded = { message: string; extensions: Record<string, unknown> };

function reword(message: string, node: ASTNode | undefined, context: NodeContext | undefined): Reworded | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^Cannot query field "(\w+)" on type "(\w+)"\./.exec(message))) {
    const [, fieldName = '', typeName = ''] = m;
    return { message: `Field '${fieldName}' doesn't exist on type '${typeName}'`, extensions: { code: 'undefinedField', typeName, fieldName } };
  }
  if ((m = /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"\./.exec(message))) {
    const [, argumentName = '', , fieldName = ''] = m;
    return {
      message: `Field '${fieldName}' doesn't accept argument '${argumentName}'`,
      extensions: { code: 'argumentNotAccepted', name: fieldName, typeName: 'Field', argumentName },
    };
  }
  if ((m = /^Field "(\w+)" argument "(\w+)" of type ".+" is required, but it was not provided\./.exec(message))) {
    const [, fieldName = '', argumentName = ''] = m;
    return {
      message: `Field '${fieldName}' is missing required arguments: ${argumentName}`,
      extensions: { code: 'missingRequiredArguments', className: 'Field', name: fieldName, arguments: argumentName },
    };
  }
  if ((m = /^Field "(\w+)" of type "(.+)" must have a selection of subfields\./.exec(message))) {
    const [, fieldName = '', typeName = ''] = m;
    const named = typeName.replace(/[[\]!]/g, '');
    return {
      message: `Field must have selections (field '${fieldName}' returns ${named} but has no selections. Did you mean '${fieldName} { ... }'?)`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${fieldName}'`, typeName: named },
    };
  }
  if ((m = /^Field "(\w+)" must not have a selection since type "(.+)" has no subfields\./.exec(message))) {
    const [, fieldName = '', typeName = ''] = m;
    const named = typeName.replace(/[[\]!]/g, '');
    const selections = node?.kind === Kind.FIELD ? (node.selectionSet?.selections ?? []).map((s) => (s.kind === Kind.FIELD ? s.name.value : '...')) : [];
    return {
      message: `Selections can't be made on scalars (field '${fieldName}' returns ${named} but has selections [${selections.map((s) => JSON.stringify(s)).join(', ')}])`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${fieldName}'`, typeName: named },
    };
  }
  if ((m = /^Unknown type "(\w+)"\./.exec(message))) {
    const [, typeName = ''] = m;
    return { message: `No such type ${typeName}, so it can't be a fragment condition`, extensions: { code: 'undefinedType', typeName } };
  }
  if ((m = /^Variable "\$(\w+)" is not defined(?: by operation "(\w+)")?\./.exec(message))) {
    const [, variableName = '', operation] = m;
    return {
      message: `Variable $${variableName} is used by ${operation ?? 'anonymous query'} but not declared`,
      extensions: { code: 'variableNotDefined', variableName },
    };
  }
  if ((m = /^Variable "\$(\w+)" is never used(?: in operation "(\w+)")?\./.exec(message))) {
    const [, variableName = '', operation] = m;
    return {
      message: `Variable $${variableName} is declared by ${operation ?? 'anonymous query'} but not used`,
      extensions: { code: 'variableNotUsed', variableName },
    };
  }
  if ((m = /^Unknown fragment "(\w+)"\./.exec(message))) {
    const [, fragmentName = ''] = m;
    return { message: `Fragment ${fragmentName} was used, but not defined`, extensions: { code: 'useAndDefineFragment', fragmentName } };
  }
  if ((m = /^Fragment "(\w+)" is never used\./.exec(message))) {
    const [, fragmentName = ''] = m;
    return { message: `Fragment ${fragmentName} was defined, but not used`, extensions: { code: 'useAndDefineFragment', fragmentName } };
  }
  if ((m = /^Fragment(?: "(\w+)")? cannot be spread here as objects of type "(\w+)" can never be of type "(\w+)"\./.exec(message))) {
    const [, fragmentName, parentName = '', typeName = ''] = m;
    return {
      message: `Fragment ${fragmentName ? `${fragmentName} ` : ''}on ${typeName} can't be spread inside ${parentName}`,
      extensions: { code: 'fragmentSpreadTypeMismatch', fragmentName: fragmentName ?? 'unknown', typeName, parentName },
    };
  }
  // Values of the wrong type: graphql-js words these per scalar; GitHub names the argument.
  if (node && VALUE_KINDS.has(node.kind) && context?.argument && context.field && /^(Expected value of type "(.+?)", found|.+ cannot represent|Value ".*" does not exist in ".+" enum|Field ".+" of required type ".+" was not provided|Field ".+" is not defined by type)/.test(message)) {
    const expected = /of type "(.+?)"/.exec(message)?.[1] ?? /^(\w+) cannot represent/.exec(message)?.[1] ?? /in "(.+)" enum/.exec(message)?.[1];
    return {
      message: `Argument '${context.argument}' on Field '${context.field}' has an invalid value (${print(node)}).${expected ? ` Expected type '${expected}'.` : ''}`,
      extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: context.argument },
    };
  }
  return undefined;
}

/** Every node of the document with its graphql-ruby path and enclosing field and argument. */
function documentContexts(document: DocumentNode): Map<ASTNode, NodeContext> {
  const contexts = new Map<ASTNode, NodeContext>();
  const path: string[] = [];
  const fields: string[] = [];
  const args: string[] = [];
  const record = (node: ASTNode) =>
    contexts.set(node, { path: [...path], ...(fields.length ? { field: fields[fields.length - 1] } : {}), ...(args.length ? { argument: args[args.length - 1] } : {}) });
  visit(document, {
    enter(node) {
      switch (node.kind) {
        case Kind.OPERATION_DEFINITION:
          path.push(node.name ? `${node.operation} ${node.name.value}` : node.operation);
          break;
        case Kind.FRAGMENT_DEFINITION:
          path.push(`fragment ${node.name.value}`);
          break;
        case Kind.FIELD:
          path.push(node.alias?.value ?? node.name.value);
          fields.push(node.name.value);
          break;
        case Kind.INLINE_FRAGMENT:
          path.push(node.typeCondition ? `... on ${node.typeCondition.name.value}` : '...');
          break;
        case Kind.FRAGMENT_SPREAD:
          path.push(`... ${node.name.value}`);
          break;
        case Kind.ARGUMENT:
          path.push(node.name.value);
          args.push(node.name.value);
          break;
        default:
          break;
      }
      record(node);
    },
    leave(node) {
      switch (node.kind) {
        case Kind.FIELD:
          fields.pop();
          path.pop();
          break;
        case Kind.ARGUMENT:
          args.pop();
          path.pop();
          break;
        case Kind.OPERATION_DEFINITION:
        case Kind.FRAGMENT_DEFINITION:
        case Kind.INLINE_FRAGMENT:
        case Kind.FRAGMENT_SPREAD:
          path.pop();
          break;
        default:
          break;
      }
    },
  });
  return contexts;
}
