import { Kind } from 'graphql';
import type { FragmentDefinitionNode, SelectionSetNode } from 'graphql';

/**
 * The deepest field nesting under a selection set: `{ a { b } }` is 2. Fragments and
 * inline fragments add no level of their own; a fragment met again on its own path
 * (a cycle, which validation reports separately) counts no further. Introspection
 * (`__schema`, `__type`) counts as one level: its nesting follows the type system, not
 * the data, and GraphiQL's own query nests `ofType` 15 deep; `introspection` governs it.
 */
export function measureDepth(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, onPath: ReadonlySet<string> = new Set()): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD:
        if (selection.name.value === '__schema' || selection.name.value === '__type') {
          deepest = Math.max(deepest, 1);
          break;
        }
        deepest = Math.max(deepest, 1 + (selection.selectionSet ? measureDepth(selection.selectionSet, fragments, onPath) : 0));
        break;
      case Kind.INLINE_FRAGMENT:
        deepest = Math.max(deepest, measureDepth(selection.selectionSet, fragments, onPath));
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !onPath.has(name)) deepest = Math.max(deepest, measureDepth(fragment.selectionSet, fragments, new Set([...onPath, name])));
        break;
      }
    }
  }
  return deepest;
}
