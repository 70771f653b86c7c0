import { MAX_NESTING_DEPTH } from './limits.js';
import type { Problem } from './types.js';

/**
 * True when lists and mappings in `value` nest more than `max` levels (`[[1]]` is 2).
 * Iterative, so it cannot overflow the stack, and it stops at the first path that is too
 * deep, so even a cyclic value gives an answer.
 */
export function nestingDepthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null || node instanceof Date || ArrayBuffer.isView(node)) continue;
    if (depth + 1 > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** A problem when a parsed params, metrics or plot file nests deeper than `MAX_NESTING_DEPTH`. */
export function checkDepth(value: unknown, file: string): Problem | undefined {
  return nestingDepthOver(value, MAX_NESTING_DEPTH) ? { file, message: tooDeepMessage(file) } : undefined;
}

/** What every parser says about a file nested deeper than `MAX_NESTING_DEPTH`. */
export function tooDeepMessage(file: string): string {
  return `${file} nests mappings or lists more than ${MAX_NESTING_DEPTH} levels deep; it was not read. DVC files nest a few levels; flatten the structure`;
}
