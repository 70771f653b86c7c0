import { checkDepth, tooDeepMessage } from './checkDepth.js';
import { checkText } from './checkText.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import { clip, setOwn } from './shapes.js';
import type { Parsed, Problem } from './types.js';

/**
 * Reads a Python params file the way DVC does (`dvc/utils/serialize/_py.py`: `parse_py`,
 * `_ast_tree_to_dict`, `_ast_assign_to_dict`, `_get_ast_name`), without running Python.
 *
 * DVC parses the file with `ast.parse` and walks only the statements directly in the module
 * or in a class body:
 * - `NAME = value` and `NAME: type = value` set `NAME`; `self.NAME = value` does too;
 * - `class Name:` gives a nested mapping (`Train.lr`), read the same way;
 * - `def __init__` (in a class or in the module) adds its `self.NAME = value` assignments to
 *   the enclosing mapping; its other assignments are ignored;
 * - the value must be what `ast.literal_eval` accepts (numbers, strings, `True`/`False`/`None`,
 *   lists, tuples, sets, dicts, `set()`, `-1`, `1+2j`); anything else (calls, names, f-strings,
 *   comprehensions, `a = b = 1`, tuple unpacking, `x += 1`) is skipped silently, and an earlier
 *   value of the same name stays;
 * - every other statement (imports, functions, `if`/`for`/`try`/`with` blocks including
 *   `if __name__ == "__main__":`, decorators' arguments, docstrings) is ignored;
 * - a later assignment replaces an earlier one but keeps its place (Python's `dict.update`).
 * Names starting with `_` are kept, as DVC keeps them. Tuples and sets become lists (a set
 * keeps the first of equal members, in source order); dict keys that are numbers, booleans
 * or `None` become the text Python's `str()` gives (`1`, `0.5`, `True`, `None`).
 *
 * The file is unreadable (`undefined` and one problem with its line) when DVC could not read
 * it either: a syntax error this reader detects (unterminated strings, unbalanced brackets,
 * bad indentation, stray characters, malformed numbers and escapes, a compound statement
 * without `:` or without its block), a list, dict or set used as a dict key or set member
 * (Python's `TypeError: unhashable type`), and brackets or values nested deeper than
 * `MAX_NESTING_DEPTH` (Python's own tokenizer stops at 200 nested brackets too). Statements
 * it skips are only tokenized, not parsed, so some invalid Python is still read; and a value
 * with an unhashable key that also holds a non-literal (`{[1]: 2, "b": f()}`) is skipped,
 * where DVC may meet the `TypeError` first (such a module fails on import anyway).
 *
 * Values DVC reads but that have no YAML/JSON form (complex numbers, bytes, `...`, strings
 * with `\N{name}` escapes, dicts with tuple keys) are left out with a problem, and so is an
 * earlier value of the same name, which DVC's replaced; f-strings, which DVC skips
 * silently, get a problem too, because someone who wrote one in a params file probably
 * expected a parameter. Those problems come with a value: the file was read.
 *
 * Linear in the length of the text (bracket nesting ≤ `MAX_NESTING_DEPTH` and CPython's 99
 * levels of indentation bound every recursion); never throws.
 */
export function parsePythonParams(text: string, file: string): Parsed<Record<string, unknown> | undefined> {
  const unreadable = checkText(text, file);
  if (unreadable) return { value: undefined, problems: [unreadable] };
  const notes: Problem[] = [];
  try {
    const value: Record<string, unknown> = {};
    new StatementReader(tokenize(text), (line, message) => notes.push({ file, line, message })).readModule(value);
    const deep = checkDepth(value, file);
    return deep ? { value: undefined, problems: [deep] } : { value, problems: notes };
  } catch (error) {
    return { value: undefined, problems: [problemOf(error, file)] };
  }
}

// ---------------------------------------------------------------------------------------
// Why a file cannot be read. Thrown inside this module only; `parsePythonParams` catches it.

class Unreadable extends Error {
  constructor(
    readonly kind: 'syntax' | 'unhashable' | 'depth',
    readonly detail: string,
    readonly line: number,
  ) {
    super(detail);
  }
}

const syntax = (detail: string, line: number): Unreadable => new Unreadable('syntax', detail, line);

function problemOf(error: unknown, file: string): Problem {
  if (!(error instanceof Unreadable)) {
    const message = error instanceof Error ? error.message : String(error);
    return { file, message: `${file} could not be read as Python params (${clip(message)}); this is a bug in Modelgate's reader, not in the file` };
  }
  const { line } = error;
  switch (error.kind) {
    case 'syntax':
      return { file, line, message: `Python syntax error: ${error.detail}; DVC cannot read ${file} either (PythonFileCorruptedError). Fix the file so that Python parses it` };
    case 'unhashable':
      return { file, line, message: `${error.detail}; Python raises TypeError (unhashable type), so DVC cannot read ${file} either. Use a tuple or a string there` };
    case 'depth':
      return { file, line, message: tooDeepMessage(file) };
    default:
      return unreachable(error.kind);
  }
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}

// ---------------------------------------------------------------------------------------
// Tokens: Python's tokenizer (Lib/tokenize.py, Parser/tokenizer.c), reduced to what
// reading assignments needs.

/** What `ast.literal_eval` can give, before it becomes a plain value. */
type PyNumber =
  /** `digits`: the literal without `_` or sign (`0x1F`), for printing big integer keys exactly. */
  | { kind: 'int'; value: number; digits: string; negative: boolean; constant: boolean }
  | { kind: 'float'; value: number; constant: boolean }
  | { kind: 'complex'; constant: boolean };
// `constant`: written as a number token (`ast.Constant`), which `-x` and `1+2j` require of their operands.

type PyValue =
  | PyNumber
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' | 'bytes' | 'ellipsis' | 'named-str' }
  | { kind: 'list' | 'tuple' | 'set'; items: PyValue[] }
  | { kind: 'dict'; keys: PyValue[]; values: PyValue[] };

/** One string literal: decoded text, or only what kind it is. `named-str`: has `\N{…}`, which needs Unicode's name table. */
type StringPart = { kind: 'str'; value: string } | { kind: 'named-str' | 'bytes' | 'formatted' };

/** `depth`: how many brackets are open around the token (a bracket itself counts as outside). */
type Token =
  | { type: 'name' | 'op'; text: string; line: number; depth: number }
  | { type: 'number'; value: PyNumber; line: number; depth: number }
  | { type: 'string'; part: StringPart; line: number; depth: number }
  | { type: 'newline' | 'indent' | 'dedent' | 'end'; line: number; depth: number };

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield',
]);
/** Keywords that start a statement with a `:` and a block. (`match`/`case` are found by their trailing `:`.) */
const COMPOUND = new Set(['if', 'elif', 'else', 'while', 'for', 'try', 'except', 'finally', 'with', 'def', 'class', 'async']);
const OPERATORS_3 = new Set(['**=', '//=', '>>=', '<<=', '...']);
const OPERATORS_2 = new Set(['**', '//', '>>', '<<', '<=', '>=', '==', '!=', '->', ':=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=']);
const OPERATORS_1 = new Set(['+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', ',', ':', ';', '.', '=']);
const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
/** Lower-cased string prefixes (`t`: Python 3.14 template strings, not literals either). */
const STRING_PREFIXES = new Set(['', 'r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf', 't', 'tr', 'rt']);
/** Keywords Python still accepts right after a number (`1if x else 2`). */
const NUMBER_FOLLOWERS = new Set(['and', 'else', 'for', 'if', 'in', 'is', 'not', 'or']);
/** CPython's `MAXINDENT`: a 100th indentation level is "too many levels of indentation". */
const MAX_INDENT_STACK = 100;
/** `sys.int_info.default_max_str_digits`: Python 3.11+ (and 3.7–3.10 security releases) refuse longer decimal literals. */
const MAX_DECIMAL_DIGITS = 4300;

const ID_START = /[\p{ID_Start}_]/u;
const ID_CONTINUE = /\p{ID_Continue}/u;

const code = (text: string, at: number): number => text.charCodeAt(at); // NaN past the end
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isOctalDigit = (c: number): boolean => c >= 48 && c <= 55;
const isBinaryDigit = (c: number): boolean => c === 48 || c === 49;
const isQuote = (c: string | undefined): c is '"' | "'" => c === '"' || c === "'";

/** Length in UTF-16 units of the identifier that starts at `at` (0 when none does). */
function identifierLength(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const c = code(text, i);
    if (c < 128) {
      const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
      if (!letter && !(i > at && isDigit(c))) break;
      i++;
    } else {
      const char = String.fromCodePoint(text.codePointAt(i) as number);
      if (!(i === at ? ID_START : ID_CONTINUE).test(char)) break;
      i += char.length;
    }
  }
  return i - at;
}

/** End of `digit (_? digit)*` from `at` (`at` itself when no digit is there). */
function scanDigits(text: string, at: number): number {
  let i = at;
  if (!isDigit(code(text, i))) return i;
  i++;
  for (;;) {
    if (isDigit(code(text, i))) i++;
    else if (text[i] === '_' && isDigit(code(text, i + 1))) i += 2;
    else return i;
  }
}

/**
 * Splits Python source into tokens with NEWLINE/INDENT/DEDENT as CPython's tokenizer emits
 * them: newlines inside brackets and after `\` join lines, blank and comment lines are
 * ignored, and indentation follows CPython's rules (tabs to multiples of 8, checked against
 * tabs as 1 for `TabError`). Every string literal is decoded (or checked), since Python
 * rejects bad escapes anywhere in the file. One pass; throws `Unreadable`.
 */
function tokenize(source: string): Token[] {
  // DVC reads the file in text mode (universal newlines) and gives `ast.parse` a str, which
  // refuses a byte-order mark like any other stray character.
  const text = source.replace(/\r\n?/g, '\n');
  const tokens: Token[] = [];
  const brackets: { char: string; line: number }[] = [];
  const indents = [0];
  const altIndents = [0];
  let pos = 0;
  let line = 1;
  let atLineStart = true;
  let lineHasTokens = false;
  /** The indentation of the logical line's first physical line, applied when its first token comes (a line of only `\` continuations has none). */
  let pendingIndent: { col: number; alt: number } | undefined;

  const add = (token: Token): void => {
    if (pendingIndent) {
      indentTo(pendingIndent.col, pendingIndent.alt);
      pendingIndent = undefined;
    }
    tokens.push(token);
    lineHasTokens = true;
  };

  const indentTo = (col: number, alt: number): void => {
    const inconsistent = (): Unreadable => syntax('inconsistent use of tabs and spaces in indentation', line);
    const current = indents[indents.length - 1] as number;
    const currentAlt = altIndents[altIndents.length - 1] as number;
    if (col === current) {
      if (alt !== currentAlt) throw inconsistent();
    } else if (col > current) {
      if (indents.length >= MAX_INDENT_STACK) throw syntax('too many levels of indentation', line);
      if (alt <= currentAlt) throw inconsistent();
      indents.push(col);
      altIndents.push(alt);
      tokens.push({ type: 'indent', line, depth: 0 });
    } else {
      while (indents.length > 1 && col < (indents[indents.length - 1] as number)) {
        indents.pop();
        altIndents.pop();
        tokens.push({ type: 'dedent', line, depth: 0 });
      }
      if (col !== indents[indents.length - 1]) throw syntax('unindent does not match any outer indentation level', line);
      if (alt !== altIndents[altIndents.length - 1]) throw inconsistent();
    }
  };

  const readString = (prefix: string, quoteAt: number): void => {
    const quote = text[quoteAt] as string;
    const triple = text[quoteAt + 1] === quote && text[quoteAt + 2] === quote;
    const formatted = prefix.includes('f') || prefix.includes('t');
    const raw = prefix.includes('r');
    const end = formatted ? scanFormatted(text, quoteAt, raw, line) : scanPlain(text, quoteAt, line);
    const open = triple ? 3 : 1;
    const body = text.slice(quoteAt + open, end - open);
    const part: StringPart = formatted ? { kind: 'formatted' } : prefix.includes('b') ? checkBytes(body, raw, line) : decodeString(body, raw, line);
    const previous = tokens[tokens.length - 1];
    if (previous?.type === 'string' && (previous.part.kind === 'bytes') !== (part.kind === 'bytes')) throw syntax('cannot mix bytes and nonbytes literals', line);
    add({ type: 'string', part, line, depth: brackets.length });
    for (let i = pos; i < end; i++) if (code(text, i) === 10) line++;
    pos = end;
  };

  const readNumber = (): void => {
    const start = pos;
    let kind: 'int' | 'float' | 'complex' = 'int';
    let i = pos;
    const base = text[pos] === '0' ? (text[pos + 1] ?? '').toLowerCase() : '';
    const prefixed = base === 'x' || base === 'o' || base === 'b';
    if (prefixed) {
      const isBaseDigit = base === 'x' ? isHexDigit : base === 'o' ? isOctalDigit : isBinaryDigit;
      let digits = 0;
      for (i += 2; ; ) {
        if (isBaseDigit(code(text, i))) {
          i++;
          digits++;
        } else if (text[i] === '_' && isBaseDigit(code(text, i + 1))) i++;
        else break;
      }
      if (digits === 0) throw syntax(`invalid ${base === 'x' ? 'hexadecimal' : base === 'o' ? 'octal' : 'binary'} literal`, line);
    } else {
      i = scanDigits(text, i);
      if (text[i] === '.') {
        i = scanDigits(text, i + 1);
        kind = 'float';
      }
      if (text[i] === 'e' || text[i] === 'E') {
        const sign = text[i + 1] === '+' || text[i + 1] === '-' ? 1 : 0;
        if (isDigit(code(text, i + 1 + sign))) {
          i = scanDigits(text, i + 1 + sign);
          kind = 'float';
        }
      }
      if (text[i] === 'j' || text[i] === 'J') {
        i++;
        kind = 'complex';
      }
    }
    const written = text.slice(start, i);
    const digits = written.includes('_') ? written.replaceAll('_', '') : written;
    if (kind === 'int' && !prefixed) {
      if (digits.length > 1 && code(digits, 0) === 48 && /[1-9]/.test(digits)) {
        throw syntax('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers', line);
      }
      if (digits.length > MAX_DECIMAL_DIGITS) {
        throw syntax(`an integer literal of ${digits.length} digits exceeds Python's limit of ${MAX_DECIMAL_DIGITS} digits for integer string conversion`, line);
      }
    }
    const next = code(text, i);
    const follower = next === 95 || next > 64 ? identifierLength(text, i) : 0; // `_`, letters and beyond ASCII
    if (isDigit(next) || (follower > 0 && !NUMBER_FOLLOWERS.has(text.slice(i, i + follower)))) {
      throw syntax(`invalid ${kind === 'int' ? (prefixed ? 'number' : 'decimal') : kind === 'float' ? 'decimal' : 'imaginary'} literal`, line);
    }
    const value: PyNumber =
      kind === 'int'
        ? { kind, value: Number(digits), digits, negative: false, constant: true }
        : kind === 'float'
          ? { kind, value: Number(digits), constant: true }
          : { kind, constant: true };
    add({ type: 'number', value, line, depth: brackets.length });
    pos = i;
  };

  while (pos < text.length) {
    if (atLineStart) {
      atLineStart = false;
      let col = 0;
      let alt = 0;
      for (; pos < text.length; pos++) {
        const c = text[pos];
        if (c === ' ') {
          col++;
          alt++;
        } else if (c === '\t') {
          col = (Math.floor(col / 8) + 1) * 8;
          alt++;
        } else if (c === '\f') {
          col = 0;
          alt = 0;
        } else break;
      }
      pendingIndent = { col, alt }; // blank and comment lines never get a token, so they do not count
      continue;
    }
    const c = text[pos] as string;
    if (c === ' ' || c === '\t' || c === '\f') {
      pos++;
    } else if (c === '#') {
      const end = text.indexOf('\n', pos);
      pos = end < 0 ? text.length : end;
    } else if (c === '\n') {
      pos++;
      if (brackets.length === 0) {
        if (lineHasTokens) tokens.push({ type: 'newline', line, depth: 0 });
        lineHasTokens = false;
        pendingIndent = undefined;
        atLineStart = true;
      }
      line++;
    } else if (c === '\\') {
      if (text[pos + 1] !== '\n') {
        throw syntax(pos + 1 >= text.length ? 'unexpected end of file after a line continuation character' : 'unexpected character after line continuation character', line);
      }
      if (pos + 2 >= text.length) throw syntax('unexpected end of file after a line continuation character', line);
      pos += 2;
      line++;
    } else if (isQuote(c)) {
      readString('', pos);
    } else if (isDigit(code(text, pos)) || (c === '.' && isDigit(code(text, pos + 1)))) {
      readNumber();
    } else {
      const word = identifierLength(text, pos);
      if (word > 0) {
        const name = text.slice(pos, pos + word);
        const prefix = name.toLowerCase();
        if (isQuote(text[pos + word]) && STRING_PREFIXES.has(prefix)) {
          readString(prefix, pos + word);
        } else {
          // Python compares identifiers after NFKC normalization (PEP 3131).
          add({ type: 'name', text: /^[\x00-\x7f]*$/.test(name) ? name : name.normalize('NFKC'), line, depth: brackets.length });
          pos += word;
        }
      } else if (c === '(' || c === '[' || c === '{') {
        if (brackets.length >= MAX_NESTING_DEPTH) throw new Unreadable('depth', 'too many nested parentheses', line);
        add({ type: 'op', text: c, line, depth: brackets.length });
        brackets.push({ char: c, line });
        pos++;
      } else if (c === ')' || c === ']' || c === '}') {
        const open = brackets.pop();
        if (!open) throw syntax(`unmatched '${c}'`, line);
        if (CLOSING[open.char] !== c) {
          throw syntax(`closing parenthesis '${c}' does not match opening parenthesis '${open.char}'${open.line === line ? '' : ` on line ${open.line}`}`, line);
        }
        add({ type: 'op', text: c, line, depth: brackets.length });
        pos++;
      } else {
        const op = operatorAt(text, pos);
        if (op === undefined) throw syntax(invalidCharacter(text, pos), line);
        add({ type: 'op', text: op, line, depth: brackets.length });
        pos += op.length;
      }
    }
  }
  const open = brackets[brackets.length - 1];
  if (open) throw syntax(`'${open.char}' was never closed`, open.line);
  if (lineHasTokens) tokens.push({ type: 'newline', line, depth: 0 });
  for (let i = 1; i < indents.length; i++) tokens.push({ type: 'dedent', line, depth: 0 });
  tokens.push({ type: 'end', line, depth: 0 });
  return tokens;
}

/** The longest operator at `at` (`**=` before `**` before `*`), or `undefined`. */
function operatorAt(text: string, at: number): string | undefined {
  const second = text[at + 1];
  if (second !== '=' && second !== '*' && second !== '/' && second !== '<' && second !== '>' && second !== '.') {
    const one = text[at] as string; // no two- or three-character operator has another second character
    return OPERATORS_1.has(one) ? one : undefined;
  }
  const three = text.slice(at, at + 3);
  if (OPERATORS_3.has(three)) return three;
  const two = three.slice(0, 2);
  if (OPERATORS_2.has(two)) return two;
  const one = three.slice(0, 1);
  return OPERATORS_1.has(one) ? one : undefined;
}

function invalidCharacter(text: string, at: number): string {
  const point = text.codePointAt(at) as number;
  const hex = `U+${point.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(point)) ? `invalid character '${String.fromCodePoint(point)}' (${hex})` : `invalid non-printable character ${hex}`;
}

/** Index just past the closing quote of the plain (not f-) string literal whose opening quote is at `quoteAt`. */
function scanPlain(text: string, quoteAt: number, line: number): number {
  const quote = text[quoteAt];
  const triple = text[quoteAt + 1] === quote && text[quoteAt + 2] === quote;
  let i = quoteAt + (triple ? 3 : 1);
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === quote && (!triple || (text[i + 1] === quote && text[i + 2] === quote))) return i + (triple ? 3 : 1);
    else if (c === '\n' && !triple) throw syntax('unterminated string literal', line);
    else i++;
  }
  throw syntax(triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal', line);
}

type FormatFrame =
  /** Literal text: the f-string's own, or a format spec after `:` (which ends at `}`). */
  | { literal: true; quote: string; triple: boolean; raw: boolean; spec: boolean }
  /** A `{…}` replacement field: Python code, where strings and f-strings may nest (PEP 701). */
  | { literal: false; quote: string; triple: boolean; raw: boolean; depth: number };

/**
 * Index just past the f-string (or t-string) whose opening quote is at `quoteAt`. It is never
 * a literal, so only its end matters; replacement fields may hold strings with the same
 * quotes and nested f-strings (Python 3.12+), so fields are followed with an explicit stack.
 */
function scanFormatted(text: string, quoteAt: number, raw: boolean, line: number): number {
  const quote = text[quoteAt] as string;
  const triple = text[quoteAt + 1] === quote && text[quoteAt + 2] === quote;
  const frames: FormatFrame[] = [{ literal: true, quote, triple, raw, spec: false }];
  const unterminated = (): Unreadable => syntax(triple ? 'unterminated triple-quoted f-string literal' : 'unterminated f-string literal', line);
  /** Opens the string literal whose quote is at `at`: an f-string becomes a frame, any other is skipped whole. */
  const openString = (prefix: string, at: number): number => {
    const q = text[at] as string;
    const nestedTriple = text[at + 1] === q && text[at + 2] === q;
    if (!prefix.includes('f') && !prefix.includes('t')) return scanPlain(text, at, line);
    frames.push({ literal: true, quote: q, triple: nestedTriple, raw: prefix.includes('r'), spec: false });
    return at + (nestedTriple ? 3 : 1);
  };
  let i = quoteAt + (triple ? 3 : 1);
  while (i < text.length) {
    const top = frames[frames.length - 1] as FormatFrame;
    const c = text[i] as string;
    if (top.literal) {
      if (c === '\\') {
        // A backslash never escapes a brace; `\N{name}` is an escape, not a field.
        const next = text[i + 1];
        const name = next === 'N' && !top.raw ? characterNameEnd(text, i + 2) : -1;
        i = name >= 0 ? name : next === '{' || next === '}' ? i + 1 : i + 2;
      } else if (c === top.quote && (!top.triple || (text[i + 1] === c && text[i + 2] === c))) {
        if (top.spec) throw syntax("f-string: expecting '}'", line);
        frames.pop();
        i += top.triple ? 3 : 1;
        if (frames.length === 0) return i;
      } else if (c === '\n' && !top.triple) {
        throw unterminated();
      } else if (c === '{' && text[i + 1] === '{' && !top.spec) {
        i += 2;
      } else if (c === '{') {
        frames.push({ literal: false, quote: top.quote, triple: top.triple, raw: top.raw, depth: 0 });
        i++;
      } else if (c === '}' && top.spec) {
        frames.length -= 2; // the spec and its field
        i++;
      } else {
        i++; // `}}`, or a lone `}` that Python would reject; the end is what matters here
      }
      continue;
    }
    const word = identifierLength(text, i);
    if (word > 0) {
      const prefix = text.slice(i, i + word).toLowerCase();
      i = isQuote(text[i + word]) && STRING_PREFIXES.has(prefix) ? openString(prefix, i + word) : i + word;
      continue;
    }
    if (isQuote(c)) {
      i = openString('', i);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') top.depth++;
    else if (c === ')' || c === ']') top.depth = Math.max(0, top.depth - 1);
    else if (c === '}' && top.depth > 0) top.depth--;
    else if (c === '}') frames.pop();
    else if (c === ':' && top.depth === 0) frames.push({ literal: true, quote: top.quote, triple: top.triple, raw: top.raw, spec: true });
    else if (c === '!' && text[i + 1] === '=') i++;
    else if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    i++;
  }
  throw unterminated();
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };

/** The text of a `str` literal's body, with Python's escapes. */
function decodeString(body: string, raw: boolean, line: number): StringPart {
  if (raw) return { kind: 'str', value: body };
  let at = body.indexOf('\\');
  if (at < 0) return { kind: 'str', value: body };
  let out = '';
  let from = 0;
  let named = false;
  while (at >= 0) {
    out += body.slice(from, at);
    const e = body[at + 1] as string; // a literal never ends on a lone backslash
    let next = at + 2;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const size = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(next, next + size);
      if (hex.length !== size || ![...hex].every((h) => isHexDigit(h.charCodeAt(0)))) throw syntax(`truncated \\${e}${'X'.repeat(size)} escape in a string literal`, line);
      const point = parseInt(hex, 16);
      if (point > 0x10ffff) throw syntax(`illegal Unicode character in a \\U escape in a string literal`, line);
      out += String.fromCodePoint(point);
      next += size;
    } else if (e === 'N') {
      const end = characterNameEnd(body, next);
      if (end < 0) throw syntax('malformed \\N character escape in a string literal', line);
      named = true;
      next = end;
    } else if (isOctalDigit(e.charCodeAt(0))) {
      let value = 0;
      for (next = at + 1; next < at + 4 && isOctalDigit(code(body, next)); next++) value = value * 8 + code(body, next) - 48;
      out += String.fromCharCode(value);
    } else {
      out += `\\${e}`; // Python keeps unknown escapes (with a warning)
    }
    from = next;
    at = body.indexOf('\\', next);
  }
  out += body.slice(from);
  return named ? { kind: 'named-str' } : { kind: 'str', value: out };
}

/**
 * Index just past `{NAME}` at `at` (the rest of a `\N{NAME}` escape), or -1. Names are
 * letters, digits, spaces and hyphens, so the scan stops early and stays linear.
 */
function characterNameEnd(text: string, at: number): number {
  if (text[at] !== '{') return -1;
  let i = at + 1;
  while (i < text.length && /[A-Za-z0-9 -]/.test(text[i] as string)) i++;
  return text[i] === '}' && i > at + 1 ? i + 1 : -1;
}

/** Checks a `bytes` literal's body as Python does; its value is never needed. */
function checkBytes(body: string, raw: boolean, line: number): StringPart {
  for (let i = 0; i < body.length; i++) {
    const c = code(body, i);
    if (c > 127) throw syntax('bytes can only contain ASCII literal characters', line);
    if (c === 92 && !raw) {
      if (body[i + 1] === 'x' && !(isHexDigit(code(body, i + 2)) && isHexDigit(code(body, i + 3)))) throw syntax('invalid \\x escape in a bytes literal', line);
      i++;
    }
  }
  return { kind: 'bytes' };
}

// ---------------------------------------------------------------------------------------
// Statements: DVC's `_ast_tree_to_dict` over the token stream.

/** `names`: module and class bodies (`NAME = …`, `self.NAME = …`); `self`: `__init__` bodies (`self.NAME = …` only); `skip`: anything else. */
type Mode = 'names' | 'self' | 'skip';

interface Scope {
  mode: Mode;
  into: Record<string, unknown>;
  /** Dotted path of `into`, for messages. */
  path: string;
}

const isOp = (token: Token | undefined, text: string): boolean => token?.type === 'op' && token.text === text;

/** `target[key] = value`, through `setOwn` for `__proto__` (the one key a plain object treats as a setter). */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') setOwn(target, key, value);
  else target[key] = value;
}
const dotted = (path: string, name: string): string => (path ? `${path}.${name}` : name);

/**
 * Stands where DVC has a value Modelgate cannot represent: it replaces an earlier value and
 * keeps the key's place for a later one, as DVC's `dict.update` would; `readModule` then
 * removes it.
 */
const UNREPRESENTABLE = Symbol('unrepresentable');

class StatementReader {
  private at = 0;
  /** The module's and every class's mapping, where placeholders may be left. */
  private readonly mappings: Record<string, unknown>[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly note: (line: number, message: string) => void,
  ) {}

  readModule(into: Record<string, unknown>): void {
    this.mappings.push(into);
    this.readBlock({ mode: 'names', into, path: '' }, false);
    for (const mapping of this.mappings) {
      for (const key of Object.keys(mapping)) if (mapping[key] === UNREPRESENTABLE) delete mapping[key];
    }
  }

  /** Logical lines up to the DEDENT that closes the block (or the end). Recursion depth ≤ the indentation limit. */
  private readBlock(scope: Scope, nested: boolean): void {
    for (;;) {
      const token = this.tokens[this.at] as Token;
      if (token.type === 'end') return;
      if (token.type === 'dedent') {
        this.at++;
        if (nested) return;
      } else if (token.type === 'indent') {
        throw syntax('unexpected indent', token.line);
      } else {
        this.readLine(scope);
      }
    }
  }

  private readLine(scope: Scope): void {
    const { tokens } = this;
    const start = this.at;
    let end = start;
    while (end < tokens.length && tokens[end]?.type !== 'newline' && tokens[end]?.type !== 'end') end++;
    this.at = tokens[end]?.type === 'newline' ? end + 1 : end;
    const first = tokens[start] as Token;
    const last = tokens[end - 1];
    const compound = (first.type === 'name' && COMPOUND.has(first.text)) || (isOp(last, ':') && last?.depth === 0);
    if (!compound) {
      this.readSimple(scope, start, end);
      return;
    }
    let colon = start;
    while (colon < end && !(isOp(tokens[colon], ':') && tokens[colon]?.depth === 0)) colon++;
    if (colon === end) throw syntax("expected ':'", first.line);
    const name = tokens[start + 1];
    let body: Scope = { mode: 'skip', into: scope.into, path: scope.path };
    let className: string | undefined;
    if (scope.mode !== 'skip' && first.type === 'name' && name?.type === 'name') {
      if (first.text === 'class') {
        className = name.text;
        body = { mode: 'names', into: {}, path: dotted(scope.path, name.text) };
        this.mappings.push(body.into);
      } else if (first.text === 'def' && name.text === '__init__') {
        body = { mode: 'self', into: scope.into, path: scope.path };
      }
    }
    if (colon === end - 1) {
      const next = tokens[this.at];
      if (next?.type !== 'indent') throw syntax(`expected an indented block after line ${first.line}`, next?.line ?? first.line);
      this.at++;
      this.readBlock(body, true);
    } else {
      this.readSimple(body, colon + 1, end); // `class A: x = 1`
    }
    if (className !== undefined) assign(scope.into, className, body.into);
  }

  /** Statements separated by `;` on one logical line. */
  private readSimple(scope: Scope, from: number, to: number): void {
    if (scope.mode === 'skip') return;
    let start = from;
    for (let i = from; i <= to; i++) {
      if (i === to || (isOp(this.tokens[i], ';') && this.tokens[i]?.depth === 0)) {
        if (i > start) this.readStatement(scope, start, i);
        start = i + 1;
      }
    }
  }

  /** DVC's `_ast_assign_to_dict`: one target, a literal value. */
  private readStatement(scope: Scope, from: number, to: number): void {
    const { tokens } = this;
    const first = tokens[from] as Token;
    if (first.type === 'name' && KEYWORDS.has(first.text)) return; // import, pass, del, return, …
    let equals = -1;
    let count = 0;
    let colon = -1;
    for (let i = from; i < to; i++) {
      const token = tokens[i] as Token;
      if (token.type !== 'op' || token.depth !== 0) continue;
      if (token.text === '=') {
        if (equals < 0) equals = i;
        count++;
      } else if (token.text === ':' && equals < 0 && colon < 0) colon = i;
    }
    // No `=`: an expression or a bare annotation. Several: `a = b = 1`, which DVC skips
    // (`len(assign.targets) != 1`), or a lambda's default, which is no literal anyway.
    if (equals < 0 || count > 1) return;
    const name = this.targetName(scope.mode, from, colon >= 0 ? colon : equals);
    if (name === undefined) return;
    if (equals === to - 1) throw syntax(`expected a value after '=' in the assignment to ${clip(name)}`, first.line);
    const path = dotted(scope.path, name);
    const reader = new LiteralReader(tokens, equals + 1, to);
    const literal = reader.readAll();
    if (literal === undefined) {
      if (reader.formatted) this.note(first.line, `${clip(path)} is an f-string, not a literal value; DVC reads only literals (ast.literal_eval) and skips it, so it is not a parameter. Write a plain string if it should be one`);
      return;
    }
    const unhashable = unhashableIn(literal);
    if (unhashable) throw new Unreadable('unhashable', `${clip(path)} uses a ${unhashable} as a dict key or set member`, first.line);
    const plain = toPlain(literal);
    if ('unrepresentable' in plain) this.note(first.line, `${clip(path)} is ${plain.unrepresentable}, which DVC reads but Modelgate cannot show (parameters are YAML/JSON values), so it was left out`);
    assign(scope.into, name, 'unrepresentable' in plain ? UNREPRESENTABLE : plain.value);
  }

  /** DVC's `_get_ast_name`: `NAME` (not in `__init__`), or `self.NAME`, maybe in parentheses; any other target is skipped. */
  private targetName(mode: Mode, start: number, end: number): string | undefined {
    let from = start;
    let to = end;
    while (to - from > 2 && isOp(this.tokens[from], '(') && isOp(this.tokens[to - 1], ')')) {
      from++;
      to--;
    }
    const [a, b, c] = [this.tokens[from], this.tokens[from + 1], this.tokens[from + 2]];
    if (to - from === 1 && a?.type === 'name' && !KEYWORDS.has(a.text)) return mode === 'names' ? a.text : undefined;
    if (to - from === 3 && a?.type === 'name' && a.text === 'self' && isOp(b, '.') && c?.type === 'name' && !KEYWORDS.has(c.text)) return c.text;
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Values: `ast.literal_eval` over a token range.

const DELIMITERS = new Set([',', ')', ']', '}', ':']);

/**
 * Reads the literal in `tokens[from, end)`, or `undefined` when it is anything else.
 * Recursion is one level per bracket, so at most `MAX_NESTING_DEPTH` deep.
 */
class LiteralReader {
  /** Whether an f-string (or t-string) was met: the one non-literal worth telling about. */
  formatted = false;

  constructor(
    private readonly tokens: Token[],
    private at: number,
    private readonly end: number,
  ) {}

  readAll(): PyValue | undefined {
    const value = this.list();
    return value !== undefined && this.at === this.end ? value : undefined;
  }

  private peek(): Token | undefined {
    return this.at < this.end ? this.tokens[this.at] : undefined;
  }

  private take(text: string): boolean {
    if (!isOp(this.peek(), text)) return false;
    this.at++;
    return true;
  }

  /** `a` or `a, b, …` (a tuple), up to a closing bracket or the end. */
  private list(): PyValue | undefined {
    const first = this.expression();
    if (first === undefined || !isOp(this.peek(), ',')) return first;
    const items = [first];
    while (this.take(',')) {
      const next = this.peek();
      if (next === undefined || isOp(next, ')')) break;
      const item = this.expression();
      if (item === undefined) return undefined;
      items.push(item);
    }
    return { kind: 'tuple', items };
  }

  /** An atom, `-`/`+` on a number, or `real ± imaginary` (all `literal_eval` allows of operators), followed by a delimiter. */
  private expression(): PyValue | undefined {
    let value: PyValue | undefined;
    const sign = this.peek();
    if (isOp(sign, '-') || isOp(sign, '+')) {
      this.at++;
      const operand = this.atom();
      if (operand === undefined || !isConstantNumber(operand)) return undefined;
      value = isOp(sign, '+') ? { ...operand, constant: false } : negate(operand);
    } else {
      value = this.atom();
    }
    if (value === undefined) return undefined;
    if (isOp(this.peek(), '+') || isOp(this.peek(), '-')) {
      if (value.kind !== 'int' && value.kind !== 'float') return undefined;
      this.at++;
      const imaginary = this.atom();
      if (imaginary?.kind !== 'complex' || !imaginary.constant) return undefined;
      value = { kind: 'complex', constant: false };
    }
    const next = this.peek();
    return next === undefined || (next.type === 'op' && DELIMITERS.has(next.text)) ? value : undefined;
  }

  private atom(): PyValue | undefined {
    const token = this.peek();
    if (token === undefined) return undefined;
    switch (token.type) {
      case 'number':
        this.at++;
        return token.value;
      case 'string':
        return this.strings();
      case 'name':
        this.at++;
        if (token.text === 'True' || token.text === 'False') return { kind: 'bool', value: token.text === 'True' };
        if (token.text === 'None') return { kind: 'none' };
        if (token.text === 'set' && isOp(this.tokens[this.at], '(') && isOp(this.tokens[this.at + 1], ')') && this.at + 1 < this.end) {
          this.at += 2;
          return { kind: 'set', items: [] };
        }
        return undefined;
      case 'op':
        this.at++;
        switch (token.text) {
          case '...':
            return { kind: 'ellipsis' };
          case '(': {
            if (this.take(')')) return { kind: 'tuple', items: [] };
            const inner = this.list();
            return inner !== undefined && this.take(')') ? inner : undefined;
          }
          case '[': {
            const items = this.items(']');
            return items && { kind: 'list', items };
          }
          case '{':
            return this.braces();
          default:
            return undefined;
        }
      default:
        return undefined;
    }
  }

  /** Items separated by commas up to `closer` (consumed); an optional trailing comma. */
  private items(closer: string): PyValue[] | undefined {
    const items: PyValue[] = [];
    while (!this.take(closer)) {
      const item = this.expression();
      if (item === undefined) return undefined;
      items.push(item);
      if (!this.take(',') && !isOp(this.peek(), closer)) return undefined;
    }
    return items;
  }

  /** `{}` and `{k: v, …}` are dicts, `{a, …}` is a set. */
  private braces(): PyValue | undefined {
    if (this.take('}')) return { kind: 'dict', keys: [], values: [] };
    const first = this.expression();
    if (first === undefined) return undefined;
    if (!this.take(':')) {
      if (!this.take(',') && !isOp(this.peek(), '}')) return undefined;
      const rest = this.items('}');
      return rest && { kind: 'set', items: [first, ...rest] };
    }
    const keys = [first];
    const values: PyValue[] = [];
    for (;;) {
      const value = this.expression();
      if (value === undefined) return undefined;
      values.push(value);
      if (this.take('}')) return { kind: 'dict', keys, values };
      if (!this.take(',')) return undefined;
      if (this.take('}')) return { kind: 'dict', keys, values };
      const key = this.expression();
      if (key === undefined || !this.take(':')) return undefined;
      keys.push(key);
    }
  }

  /** Adjacent string literals are one constant (`"a" "b"`); with an f-string among them, none. */
  private strings(): PyValue | undefined {
    let value = '';
    let kind: 'str' | 'bytes' | 'named-str' = 'str';
    let formatted = false;
    for (let token = this.peek(); token?.type === 'string'; token = this.peek()) {
      this.at++;
      const { part } = token;
      if (part.kind === 'formatted') formatted = true;
      else if (part.kind === 'str') value += part.value;
      else kind = part.kind;
    }
    if (formatted) {
      this.formatted = true;
      return undefined;
    }
    return kind === 'str' ? { kind, value } : { kind };
  }
}

function isConstantNumber(value: PyValue): value is PyNumber {
  return (value.kind === 'int' || value.kind === 'float' || value.kind === 'complex') && value.constant;
}

function negate(value: PyNumber): PyNumber {
  switch (value.kind) {
    case 'int':
      return { ...value, value: value.value === 0 ? 0 : -value.value, negative: true, constant: false };
    case 'float':
      return { ...value, value: -value.value, constant: false };
    case 'complex':
      return { ...value, constant: false };
    default:
      return unreachable(value);
  }
}

/** The type name of the first list, dict or set used as a dict key or set member, where Python raises `TypeError`. */
function unhashableIn(value: PyValue): string | undefined {
  switch (value.kind) {
    case 'list':
    case 'tuple':
      for (const item of value.items) {
        const found = unhashableIn(item);
        if (found) return found;
      }
      return undefined;
    case 'set':
      for (const item of value.items) {
        const found = unhashableIn(item) ?? unhashableType(item);
        if (found) return found;
      }
      return undefined;
    case 'dict':
      for (let i = 0; i < value.keys.length; i++) {
        const key = value.keys[i] as PyValue;
        const found = unhashableIn(value.values[i] as PyValue) ?? unhashableIn(key) ?? unhashableType(key);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function unhashableType(value: PyValue): string | undefined {
  if (value.kind === 'list' || value.kind === 'dict' || value.kind === 'set') return value.kind;
  if (value.kind === 'tuple') {
    for (const item of value.items) {
      const found = unhashableType(item);
      if (found) return found;
    }
  }
  return undefined;
}

type Plain = { value: unknown } | { unrepresentable: string };

/** The YAML/JSON-shaped value of a literal, or why it has none. */
function toPlain(value: PyValue): Plain {
  switch (value.kind) {
    case 'int':
    case 'float':
    case 'str':
    case 'bool':
      return { value: value.value };
    case 'none':
      return { value: null };
    case 'complex':
      return { unrepresentable: 'a complex number' };
    case 'bytes':
      return { unrepresentable: 'a bytes string' };
    case 'ellipsis':
      return { unrepresentable: 'Ellipsis (...)' };
    case 'named-str':
      return { unrepresentable: 'a string with a \\N{…} escape (Unicode character names are not decoded here)' };
    case 'list':
    case 'tuple':
    case 'set': {
      const out: unknown[] = [];
      const seen = value.kind === 'set' ? new Set<string>() : undefined;
      for (const item of value.items) {
        const plain = toPlain(item);
        if ('unrepresentable' in plain) return plain;
        if (seen) {
          const hash = hashKey(item);
          if (seen.has(hash)) continue;
          seen.add(hash);
        }
        out.push(plain.value);
      }
      return { value: out };
    }
    case 'dict': {
      // Python compares keys by value (`1`, `1.0` and `True` are one key, which keeps its first spelling).
      const entries = new Map<string, { key: string; value: unknown }>();
      for (let i = 0; i < value.keys.length; i++) {
        const item = toPlain(value.values[i] as PyValue);
        if ('unrepresentable' in item) return item;
        const keyNode = value.keys[i] as PyValue;
        const key = keyText(keyNode);
        if (typeof key !== 'string') return key;
        const hash = hashKey(keyNode);
        const existing = entries.get(hash);
        if (existing) existing.value = item.value;
        else entries.set(hash, { key, value: item.value });
      }
      const out: Record<string, unknown> = {};
      for (const { key, value: item } of entries.values()) assign(out, key, item);
      return { value: out };
    }
    default:
      return unreachable(value);
  }
}

/** Equal for values Python's `==` calls equal (among hashable literals). */
function hashKey(value: PyValue): string {
  switch (value.kind) {
    case 'int':
    case 'float':
      return `n${value.value}`;
    case 'bool':
      return `n${value.value ? 1 : 0}`;
    case 'none':
      return 'N';
    case 'str':
      return `s${JSON.stringify(value.value)}`;
    case 'tuple':
      return `t(${value.items.map(hashKey).join(',')})`;
    default:
      return `?${value.kind}`;
  }
}

/** A dict key as Python's `str()` prints it (how `dvc params show` names nested keys). */
function keyText(value: PyValue): string | { unrepresentable: string } {
  switch (value.kind) {
    case 'str':
      return value.value;
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'int':
      if (Number.isSafeInteger(value.value)) return String(value.value);
      if (value.digits.length > MAX_DECIMAL_DIGITS) return { unrepresentable: 'a dict with an integer key too long to print' };
      return `${value.negative ? '-' : ''}${BigInt(value.digits).toString()}`;
    case 'float':
      return pythonFloat(value.value);
    case 'tuple':
      return { unrepresentable: 'a dict with a tuple as a key' };
    default: {
      const plain = toPlain(value);
      return 'unrepresentable' in plain ? plain : { unrepresentable: `a dict with a ${value.kind} key` };
    }
  }
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = x.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  const fixed = String(x);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}
