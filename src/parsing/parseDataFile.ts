import { TomlError, parse as parseToml } from 'smol-toml';
import { checkDepth, tooDeepMessage } from './checkDepth.js';
import { checkText } from './checkText.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import { loadYaml } from './loadYaml.js';
import { parsePythonParams } from './parsePythonParams.js';
import { isMapping, setOwn } from './shapes.js';
import type { Parsed, Problem } from './types.js';

/**
 * Loads a params or metrics file the way DVC's `LOADERS` choose (research §3): by the
 * lower-cased suffix, `.json` → JSON (with Python's `NaN`/`Infinity`), `.toml` → TOML,
 * `.py` → Python literals as DVC reads them (`parsePythonParams`), anything else → YAML.
 * TOML dates become ISO strings. A file that does not parse gives `undefined` and one
 * problem, with its line when the parser knows it. An empty YAML file is `null`, an empty
 * Python file `{}`. Text that `checkText` refuses, and values nested deeper than
 * `MAX_NESTING_DEPTH`, give `undefined` and one problem too. So problems always mean no
 * value: `parsePythonParams`' notes about assignments it skipped (f-strings, complex
 * numbers, bytes) are left out here, as DVC itself reads the rest of such a file without
 * a word. Never throws.
 */
export function parseDataFile(text: string, file: string): Parsed<unknown> {
  const unreadable = checkText(text, file);
  if (unreadable) return { value: undefined, problems: [unreadable] };
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const suffix = dot > 0 ? base.slice(dot).toLowerCase() : '';
  const fail = (message: string, line?: number): Parsed<unknown> => ({
    value: undefined,
    problems: [{ file, ...(line ? { line } : {}), message } satisfies Problem],
  });
  switch (suffix) {
    case '.py': {
      const { value, problems } = parsePythonParams(text, file);
      return value === undefined ? { value, problems } : { value, problems: [] };
    }
    case '.json':
      try {
        const value = parseJson(text);
        const deep = checkDepth(value, file);
        return deep ? { value: undefined, problems: [deep] } : { value, problems: [] };
      } catch (error) {
        const message = (error as Error).message;
        return fail(`JSON syntax error: ${message.split('\n')[0]}`, jsonErrorLine(message, text));
      }
    case '.toml':
      try {
        const value = parseToml(text, { maxDepth: MAX_NESTING_DEPTH });
        const deep = checkDepth(value, file);
        return deep ? { value: undefined, problems: [deep] } : { value: plain(value), problems: [] };
      } catch (error) {
        const message = (error as Error).message.split('\n')[0] ?? '';
        if (/nested|depth/i.test(message)) return fail(tooDeepMessage(file), error instanceof TomlError ? error.line : undefined);
        return fail(`TOML syntax error: ${message.replace(/^Invalid TOML document: /, '')}`, error instanceof TomlError ? error.line : undefined);
      }
    default: {
      const { value, problems } = loadYaml(text, file);
      return { value, problems };
    }
  }
}

/** Sentinels for the non-JSON numbers Python's `json.dump` writes (`allow_nan=True`). */
const SPECIALS: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
const SENTINEL = '\u0000modelgate:';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
  }
  // Quote NaN/Infinity outside strings, parse, and turn them back into numbers.
  let out = '';
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === 'N' || char === 'I' || char === '-') {
      const token = ['-Infinity', 'Infinity', 'NaN'].find((name) => text.startsWith(name, i));
      if (token) {
        out += `${text.slice(start, i)}"\\u0000modelgate:${token}"`; // parses to SENTINEL + token
        i += token.length - 1;
        start = i + 1;
      }
    }
  }
  out += text.slice(start);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(SENTINEL) ? SPECIALS[value.slice(SENTINEL.length)] : value,
  );
}

/** V8 says `… at position 12 (line 2 column 3)` or just `… at position 12`. */
function jsonErrorLine(message: string, text: string): number | undefined {
  const line = /\(line (\d+) column \d+\)/.exec(message);
  if (line) return Number(line[1]);
  const position = /at position (\d+)/.exec(message);
  if (position) return text.slice(0, Number(position[1])).split('\n').length;
  return undefined;
}

/** smol-toml gives null-prototype objects and `TomlDate`s; make them plain values. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString(); // TomlDate keeps local dates and times as written
  if (Array.isArray(value)) return value.map(plain);
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, plain(value[key]));
    return out;
  }
  return value;
}
