import { entriesOf, isMapping } from './shapes.js';
import type { KeyValue } from './types.js';

/**
 * Nested mappings as dotted keys (`{roc_auc: {test: 0.9}}` → `roc_auc.test`), in file order.
 * Leaves are everything that is not a mapping (lists included); empty mappings give nothing.
 * Iterative, so deep nesting cannot exhaust the call stack.
 */
export function flattenLeaves(root: Record<string, unknown>): KeyValue[] {
  const leaves: KeyValue[] = [];
  const stack: { prefix: string; entries: Iterator<[string, unknown]> }[] = [
    { prefix: '', entries: entriesOf(root)[Symbol.iterator]() },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    const next = top.entries.next();
    if (next.done) {
      stack.pop();
      continue;
    }
    const [name, value] = next.value;
    const key = top.prefix ? `${top.prefix}.${name}` : name;
    if (isMapping(value)) stack.push({ prefix: key, entries: entriesOf(value)[Symbol.iterator]() });
    else leaves.push({ key, value });
  }
  return leaves;
}
