import { GitHubError } from './graphqlErrors.js';

/** The arguments every GitHub connection takes. */
export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** A GitHub connection's answer; `totalCount` is the size of the whole (filtered) list. */
export interface Page<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  nodes: T[];
  edges: { cursor: string; node: T }[];
}

/** How positions in a list become cursors and back; the default is GitHub's ref-style base64 of the 1-based position. */
export interface CursorCodec {
  encode(index: number): string;
  /** The 0-based index the cursor names, or undefined when it is not a cursor of this list. */
  decode(cursor: string): number | undefined;
}

/** GitHub's largest page. */
export const MAX_PAGE_SIZE = 100;

export const positionCursors: CursorCodec = {
  encode: (index) => Buffer.from(String(index + 1)).toString('base64').replace(/=+$/, ''),
  decode: (cursor) => {
    const text = Buffer.from(cursor, 'base64').toString('utf8');
    return /^[1-9]\d{0,8}$/.test(text) ? Number(text) - 1 : undefined;
  },
};

/**
 * GitHub's checks on a connection's arguments, made when the field resolves (so the error
 * has a `path` and the rest of the query still runs). `first` or `last` is required only
 * when the items themselves are selected: `refs { totalCount }` is fine, as on GitHub.
 */
export function checkPageArgs(connection: string, args: PageArgs, selectsItems: boolean): void {
  const { first, last } = args;
  if (first == null && last == null) {
    if (selectsItems) {
      throw new GitHubError('MISSING_PAGINATION_BOUNDARIES', `You must provide a \`first\` or \`last\` value to properly paginate the \`${connection}\` connection.`);
    }
    return;
  }
  if (first != null && last != null) {
    throw new GitHubError('INVALID_PAGINATION', `Passing both \`first\` and \`last\` to paginate the \`${connection}\` connection is not supported.`);
  }
  for (const [name, value] of [['first', first] as const, ['last', last] as const]) {
    if (value == null) continue;
    if (value < 0) throw new GitHubError('INVALID_PAGINATION', `\`${name}\` on the \`${connection}\` connection cannot be less than zero.`);
    if (value > MAX_PAGE_SIZE) {
      throw new GitHubError('EXCESSIVE_PAGINATION', `Requesting ${value} records on the \`${connection}\` connection exceeds the \`${name}\` limit of ${MAX_PAGE_SIZE} records.`);
    }
  }
}

/**
 * One page of `items` (already filtered and sorted) by Relay's algorithm: `after`/`before`
 * narrow the list, then `first` keeps its head or `last` its tail. `hasNextPage` says
 * whether any item follows the page, `hasPreviousPage` whether any precedes it. `items`
 * may stop short of the whole list when `total` is given (a lazily walked history needs
 * only one item past the page).
 */
export function paginate<T>(items: readonly T[], args: PageArgs, options: { codec?: CursorCodec; total?: number } = {}): Page<T> {
  const codec = options.codec ?? positionCursors;
  const at = (cursor: string | null | undefined): number | undefined => {
    if (cursor == null) return undefined;
    const index = codec.decode(cursor);
    if (index === undefined) throw new GitHubError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
    return index;
  };
  const after = at(args.after);
  const before = at(args.before);
  let start = after === undefined ? 0 : Math.min(after + 1, items.length);
  let end = before === undefined ? items.length : Math.max(start, Math.min(before, items.length));
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  const edges = items.slice(start, end).map((node, i) => ({ cursor: codec.encode(start + i), node }));
  return {
    totalCount: options.total ?? items.length,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    nodes: edges.map((edge) => edge.node),
    edges,
  };
}

/** A connection with nothing in it (pull requests, rules: things plain Git repositories do not have). */
export function emptyPage<T>(): Page<T> {
  return paginate<T>([], {});
}
