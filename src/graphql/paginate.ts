import { InputError } from '../errors.js';
import { DEFAULT_PAGE_SIZE, limitError } from './limits/index.js';

/**
 * The most `limits.pageSize` may be set to. The configured page size is enforced before
 * execution (`createPageSizeRule`, with the request's variables); this is the backstop.
 * Bigger requests are refused rather than truncated.
 */
export const MAX_PAGE_SIZE = 10_000;
export { DEFAULT_PAGE_SIZE };

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string; endCursor?: string };
  totalCount: number;
}

export function encodeCursor(key: string): string {
  return Buffer.from(`cursor:${key}`, 'utf8').toString('base64');
}

/**
 * A Relay page over an ordered list. Cursors name an item's stable key (a ref), not an
 * offset, so a page boundary survives items being added before it (and, in lists
 * `sorted` by key, the removal of the item itself).
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  args: { first?: number | null; after?: string | null; sorted?: boolean },
): Page<T> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (Number.isInteger(first) && first > MAX_PAGE_SIZE) {
    throw limitError('PAGE_TOO_LARGE', `first must be between 0 and ${MAX_PAGE_SIZE}, got ${first}; page through larger lists with \`after\`.`, { limit: MAX_PAGE_SIZE, actual: first });
  }
  if (!Number.isInteger(first) || first < 0) {
    throw new InputError(`first must be between 0 and ${MAX_PAGE_SIZE}, got ${first}; page through larger lists with \`after\`.`);
  }
  let start = 0;
  if (args.after) {
    const decoded = Buffer.from(args.after, 'base64').toString('utf8');
    if (!decoded.startsWith('cursor:')) throw new InputError(`"${args.after}" is not a cursor; pass an \`endCursor\` or edge \`cursor\` from a previous page.`);
    const key = decoded.slice('cursor:'.length);
    const index = items.findIndex((item) => keyOf(item) === key);
    if (index >= 0) {
      start = index + 1;
    } else if (args.sorted) {
      // In a list sorted by key, a removed item's cursor still marks a place: resume after it.
      const next = items.findIndex((item) => keyOf(item) > key);
      start = next < 0 ? items.length : next;
    } else {
      throw new InputError(`The cursor "${args.after}" names an item that no longer exists; start again from the first page.`);
    }
  }
  const slice = items.slice(start, start + first);
  const edges = slice.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    nodes: slice,
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      ...(edges.length > 0 ? { startCursor: edges[0]?.cursor, endCursor: edges[edges.length - 1]?.cursor } : {}),
    },
    totalCount: items.length,
  };
}
