import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import type { Parsed } from './types.js';

/** A loaded YAML document plus a way to find the line of a key for problem messages. */
export interface YamlLoad extends Parsed<unknown> {
  /** 1-based line of the key (or list item) at `path`, when it exists; 1 for the top level. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** Anchors and aliases beyond this are an expansion attack, not a DVC file. */
const MAX_ALIAS_COUNT = 1000;

/**
 * Parses YAML 1.2 (core schema, as DVC's ruamel loader does) into plain values. A syntax
 * error, including a duplicate key, gives one problem with its line and an `undefined`
 * value. An empty document is `null`. Never throws.
 */
export function loadYaml(text: string, file: string): YamlLoad {
  const lineCounter = new LineCounter();
  const noLines: YamlLoad['lineOf'] = () => undefined;
  try {
    const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0].line;
      const message = `YAML syntax error: ${firstLine(error.message)}; fix the file so that it parses`;
      return { value: undefined, problems: [{ file, ...(line ? { line } : {}), message }], lineOf: noLines };
    }
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    const lineOf: YamlLoad['lineOf'] = (path) => {
      if (path.length === 0) return 1;
      let node: unknown = doc.contents;
      let offset: number | undefined;
      for (const step of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
          offset = (pair?.key as Node | undefined)?.range?.[0];
          node = pair?.value;
        } else if (isSeq(node) && typeof step === 'number') {
          node = node.items[step];
          offset = (node as Node | undefined)?.range?.[0];
        } else {
          return undefined;
        }
        if (offset === undefined) return undefined;
      }
      return offset === undefined ? undefined : lineCounter.linePos(offset).line;
    };
    return { value: value ?? null, problems: [], lineOf };
  } catch (error) {
    // Alias bombs and absurd nesting end up here; the file is unusable either way.
    const message = `YAML could not be loaded: ${firstLine(String((error as Error).message ?? error))}`;
    return { value: undefined, problems: [{ file, message }], lineOf: noLines };
  }
}

/** yaml's pretty messages append the offending source lines and `at line N, column M`. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}
