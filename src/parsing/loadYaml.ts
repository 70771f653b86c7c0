import { LineCounter, isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { nestingDepthOver, tooDeepMessage } from './checkDepth.js';
import { MAX_NESTING_DEPTH, MAX_YAML_ALIAS_COUNT } from './limits.js';
import { clip } from './shapes.js';
import type { Parsed, Problem } from './types.js';

/** A loaded YAML document plus a way to find the line of a key for problem messages. */
export interface YamlLoad extends Parsed<unknown> {
  /** 1-based line of the key (or list item) at `path`, when it exists; 1 for the top level. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Parses YAML 1.2 (core schema, as DVC's ruamel loader does) into plain values. A syntax
 * error, including a duplicate key, gives one problem with its line and an `undefined`
 * value; so do an alias bomb (more than `MAX_YAML_ALIAS_COUNT` alias expansions), an alias
 * inside the node it names (a cycle), and nesting deeper than `MAX_NESTING_DEPTH`. An empty
 * document is `null`. Linear in the size of the text; never throws.
 */
export function loadYaml(text: string, file: string): YamlLoad {
  const lineCounter = new LineCounter();
  const noLines: YamlLoad['lineOf'] = () => undefined;
  const fail = (message: string, line?: number): YamlLoad => ({
    value: undefined,
    problems: [{ file, ...(line ? { line } : {}), message } satisfies Problem],
    lineOf: noLines,
  });
  try {
    // `uniqueKeys: false`: yaml's own check compares every key with every other (quadratic,
    // minutes for 100k keys); `checkStructure` does it with a set.
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
    const error = doc.errors[0];
    if (error) {
      if (error.message.includes('Maximum call stack size exceeded')) return fail(tooDeepMessage(file), error.linePos?.[0].line);
      return fail(`YAML syntax error: ${firstLine(error.message)}; fix the file so that it parses`, error.linePos?.[0].line);
    }
    const structural = checkStructure(doc, file, lineCounter);
    if (structural) return fail(structural.message, structural.line);
    const value: unknown = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
    // Aliases can nest a deep node inside another; the expanded value is what readers walk.
    if (nestingDepthOver(value, MAX_NESTING_DEPTH)) return fail(tooDeepMessage(file));
    return { value: value ?? null, problems: [], lineOf: lineFinder(doc, lineCounter) };
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      return fail(
        `YAML aliases (*name) in ${file} expand to more than ${MAX_YAML_ALIAS_COUNT} copies, the shape of an alias bomb ("billion laughs"), not of a DVC file; it was not read. Write the values out instead of aliasing them`,
      );
    }
    if (error instanceof RangeError) return fail(tooDeepMessage(file));
    // Anything else from the yaml package: still a problem with the file, never an exception.
    return fail(`YAML could not be loaded: ${firstLine(String((error as Error)?.message ?? error))}`);
  }
}

/**
 * One pass over the syntax tree, with an explicit stack (no recursion, so depth cannot
 * overflow): nesting depth, duplicate keys, and aliases that point into their own ancestors
 * (which `toJS` would turn into cyclic objects that readers would walk forever). The first
 * finding in document order, with its line.
 */
function checkStructure(doc: Document, file: string, lineCounter: LineCounter): { message: string; line?: number } | undefined {
  const lineOfNode = (node: unknown): number | undefined => {
    const start = (node as Node | null | undefined)?.range?.[0];
    return start === undefined ? undefined : lineCounter.linePos(start).line;
  };
  const anchors = new Map<string, unknown>();
  const onPath = new Set<unknown>();
  // `exit` frames take a node off the current path once its children are done.
  const stack: { node: unknown; depth: number; exit?: true }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop() as (typeof stack)[number];
    const { node, depth } = frame;
    if (frame.exit) {
      onPath.delete(node);
      continue;
    }
    if (node === null || node === undefined) continue;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target !== undefined && onPath.has(target)) {
        return {
          line: lineOfNode(node),
          message: `YAML alias *${node.source} is inside the node &${node.source} it names, which makes an endless (cyclic) value; it was not read. Write the value out instead`,
        };
      }
      continue;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    if (!isCollection(node)) continue;
    if (depth + 1 > MAX_NESTING_DEPTH) return { line: lineOfNode(node), message: tooDeepMessage(file) };
    onPath.add(node);
    stack.push({ node, depth, exit: true });
    const children: unknown[] = [];
    if (isMap(node)) {
      const seen = new Map<string, Pair>();
      for (const pair of node.items) {
        const { key } = pair;
        if (isScalar(key)) {
          const id = `${typeof key.value}:${String(key.value)}`;
          const first = seen.get(id);
          if (first) {
            return {
              line: lineOfNode(key),
              message: `YAML syntax error: Map keys must be unique, and '${clip(String(key.value))}' is already a key on line ${lineOfNode(first.key)}; fix the file so that it parses`,
            };
          }
          seen.set(id, pair);
        }
        children.push(key, pair.value);
      }
    } else {
      for (const item of node.items) children.push(isPair(item) ? item.key : item, ...(isPair(item) ? [item.value] : []));
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1 });
  }
  return undefined;
}

/** `lineOf` for a loaded document; each mapping is indexed once, on first use. */
function lineFinder(doc: Document, lineCounter: LineCounter): YamlLoad['lineOf'] {
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, step: string | number): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        if (!index.has(name)) index.set(name, pair);
      }
      indexes.set(map, index);
    }
    return index.get(String(step));
  };
  return (path) => {
    if (path.length === 0) return 1;
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const step of path) {
      if (isMap(node)) {
        const pair = pairOf(node, step);
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
}

/** yaml's pretty messages append the offending source lines and `at line N, column M`. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}
