import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_NESTING_DEPTH, parseDataFile, parseParams, parsePythonParams, selectParams } from '../../src/parsing/index.js';
import type { Problem } from '../../src/parsing/index.js';
import { bounded } from './bounded.js';
import { PARAMS, PARAMS_PY } from './fixtures.js';

/*
 * What DVC's `parse_py` (dvc/utils/serialize/_py.py) gives for a params.py, checked here
 * without Python. The expectations were compared with DVC's own `_ast_tree_to_dict` run on
 * CPython 3.11's `ast` for the tricky cases; DVC's fixtures and the results its tests
 * expect are transcribed below.
 */

const FILE = 'params.py';
const read = (text: string): ReturnType<typeof parsePythonParams> => parsePythonParams(text, FILE);
/** The value of `x = <literal>`. */
const literal = (source: string): unknown => read(`x = ${source}\n`).value?.x;
const lineCount = (text: string): number => text.split(/\r\n|\r|\n/).length;

fc.configureGlobal({ seed: 0x70617261, numRuns: 200 });

describe('parsePythonParams on real-shaped files', () => {
  it("reads the docs' params.py: constants at the top, classes as nested mappings, __init__'s self.x", () => {
    expect(read(PARAMS_PY)).toEqual({
      value: {
        THRESHOLD: 2500,
        BOOL: true,
        TrainTestSplit: { SEED: 20170428, TARGET_METRIC: 'roc_auc' },
        Train: { seed: 20170428, optimizer: 'Adam', layers: [64, 32], n_est: 100, min_split: 64, data: { key1: 'value1', key2: 'value2' } },
      },
      problems: [],
    });
  });

  it('flattens the docs\' params.py to dotted keys through parseParams, as YAML params are', () => {
    const { value, problems } = parseParams(PARAMS_PY, FILE);
    expect(problems).toEqual([]);
    expect(value.map(({ key }) => key)).toEqual([
      'THRESHOLD',
      'BOOL',
      'TrainTestSplit.SEED',
      'TrainTestSplit.TARGET_METRIC',
      'Train.seed',
      'Train.optimizer',
      'Train.layers',
      'Train.n_est',
      'Train.min_split',
      'Train.data.key1',
      'Train.data.key2',
    ]);
    expect(selectParams(value, ['Train.seed', 'TrainTestSplit'])).toEqual([
      { key: 'TrainTestSplit.SEED', value: 20170428 },
      { key: 'TrainTestSplit.TARGET_METRIC', value: 'roc_auc' },
      { key: 'Train.seed', value: 20170428 },
    ]);
  });

  it('gives the same params as the same values written in YAML', () => {
    const python = `class prepare:
    split = 0.20
    seed = 20170428

class featurize:
    max_features = 200
    ngrams = 2

class train:
    seed = 20170428
    n_est = 50
    min_split = 0.01
    layers = [64, 32]
    scheduler = None
`;
    expect(parseParams(python, FILE)).toEqual(parseParams(PARAMS, 'params.yaml'));
  });

  it("reads DVC's classy.py fixture as DVC's test_classy expects", () => {
    const classy = `class Prepare:
    split: float = 0.20
    seed = 20170428
    shuffle_dataset = True
    bag = {"mango", "apple", "orange"}


class Featurize:
    max_features = 3000
    ngrams = 2


class Train:
    seed = 123
    min_split: str
    optimizer: str = "Adam"

    def __init__(self):
        self.seed = 20170428
        self.n_est = 100
        self.min_split = 64
        self.data = {"key1": "value1", "key2": "value2"}
`;
    expect(read(classy)).toEqual({
      value: {
        Prepare: { split: 0.2, seed: 20170428, shuffle_dataset: true, bag: ['mango', 'apple', 'orange'] },
        Featurize: { max_features: 3000, ngrams: 2 },
        Train: { seed: 20170428, optimizer: 'Adam', n_est: 100, min_split: 64, data: { key1: 'value1', key2: 'value2' } },
      },
      problems: [],
    });
  });

  it("reads DVC's simple.py fixture, leaving out the bytes value it cannot show, with a problem", () => {
    const simple = 'name = "DVC"\nfeatures = 43\n\noptimizer = "Adam"\nactivation = b"relu"\nunits = 16\n\nseed: int = 42\nnoise: float = 0.0001\ndropout = 0.5\nbuckets = set()\ndefault = -1\nshuffle = False\n';
    expect(read(simple)).toEqual({
      value: { name: 'DVC', features: 43, optimizer: 'Adam', units: 16, seed: 42, noise: 0.0001, dropout: 0.5, buckets: [], default: -1, shuffle: false },
      problems: [{ file: FILE, line: 5, message: expect.stringContaining('activation is a bytes string, which DVC reads but Modelgate cannot show') }],
    });
  });

  it("reads DVC's composite.py fixture: lists, sets and tuples become lists", () => {
    const composite = 'lst = [1, 2, 3, 4, 1]\nbag = {"mango", "apple", "orange"}\ntuh_pal = ("t", "u", "p", "l", "e")\ndata = {"key1": "value1", "key2": "value2"}\n';
    expect(read(composite).value).toEqual({
      lst: [1, 2, 3, 4, 1],
      bag: ['mango', 'apple', 'orange'],
      tuh_pal: ['t', 'u', 'p', 'l', 'e'],
      data: { key1: 'value1', key2: 'value2' },
    });
  });

  it('reads a dataclass-style config, skipping fields whose default is a call', () => {
    const text = '@dataclass\nclass Config:\n    lr: float = 1e-3\n    layers: list = field(default_factory=list)\n    name: str = "resnet"\n';
    expect(read(text)).toEqual({ value: { Config: { lr: 0.001, name: 'resnet' } }, problems: [] });
  });
});

describe('parsePythonParams literals', () => {
  it.each([
    ['1_000', 1000],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['0', 0],
    ['-1', -1],
    ['+3', 3],
    ['-(1)', -1],
    ['12345678901234567890', 12345678901234567890],
    ['1e-3', 0.001],
    ['.5', 0.5],
    ['1.', 1],
    ['1_000.000_5', 1000.0005],
    ['-1.5E3', -1500],
    ['1e999', Infinity],
    ['-1e999', -Infinity],
    ['True', true],
    ['False', false],
    ['None', null],
  ])('reads %s', (source, expected) => {
    expect(literal(source)).toEqual(expected);
  });

  it.each([
    ["'single'", 'single'],
    ['"double"', 'double'],
    ["'it\\'s'", "it's"],
    ['"tab\\there\\n"', 'tab\there\n'],
    ['"\\x41\\u00e9\\U0001F600\\101\\0"', 'Aé😀A\u0000'],
    ['"\\d keeps unknown escapes"', '\\d keeps unknown escapes'],
    ['r"raw\\n\\d"', 'raw\\n\\d'],
    ['R"x"', 'x'],
    ['u"unicode"', 'unicode'],
    ["'''triple\nquoted'''", 'triple\nquoted'],
    ['"""with "quotes" inside"""', 'with "quotes" inside'],
    ['"joined \\\nline"', 'joined line'],
    ['"adjacent" \'strings\'', 'adjacentstrings'],
    ['("across"\n     " lines")', 'across lines'],
    ['"# not a comment"', '# not a comment'],
    ['"模型 🚀"', '模型 🚀'],
    ['""', ''],
  ])('reads the string %s', (source, expected) => {
    expect(literal(source)).toEqual(expected);
  });

  it.each([
    ['[1, 2.5, "a", None, True]', [1, 2.5, 'a', null, true]],
    ['[1, [2, [3]], []]', [1, [2, [3]], []]],
    ['[1, 2,]', [1, 2]],
    ['(1, 2)', [1, 2]],
    ['(1,)', [1]],
    ['()', []],
    ['(1)', 1],
    ['1, 2', [1, 2]],
    ['{1, 2, 1, True}', [1, 2]],
    ['{"b", "a"}', ['b', 'a']],
    ['set()', []],
    ['{}', {}],
    ['{"lr": 0.1, "layers": [64, 32], "opt": {"name": "adam", "betas": (0.9, 0.999)}}', { lr: 0.1, layers: [64, 32], opt: { name: 'adam', betas: [0.9, 0.999] } }],
    ['{"a": 1, "a": 2}', { a: 2 }],
    ['{1: "a", True: "b", 2.5: "c", None: "d", 1e-05: "e", 100.0: "f", -3: "g"}', { 1: 'b', 2.5: 'c', None: 'd', '1e-05': 'e', '100.0': 'f', '-3': 'g' }],
    ['[\n    1,  # one\n    2,\n]', [1, 2]],
  ])('reads the collection %s', (source, expected) => {
    expect(literal(source)).toEqual(expected);
  });

  it('keeps __proto__ as data without polluting Object.prototype', () => {
    const { value } = read('__proto__ = {"polluted": 1}\nx = {"__proto__": {"polluted": 2}}\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value as object)).toEqual(['__proto__', 'x']);
    expect(Object.keys((value as { x: object }).x)).toEqual(['__proto__']);
  });

  it('normalizes names the way Python does (NFKC)', () => {
    expect(read('ﬁle = 1\nпорог = 2\n').value).toEqual({ file: 1, порог: 2 });
  });
});

describe('parsePythonParams statements', () => {
  it('skips, silently, every assignment DVC skips', () => {
    const text = [
      'import os',
      'from pathlib import Path',
      'a = b = 1          # several targets',
      'c, d = 1, 2        # unpacking',
      'e = os.getcwd()    # a call',
      'f = THRESHOLD      # a name',
      'g = [i for i in range(3)]',
      'h = 1 + 2          # arithmetic (literal_eval only allows complex sums)',
      'i = "a" + "b"',
      'j = --1',
      'k = -True',
      'l = lambda x=1: x',
      'm = 1 if BOOL else 2',
      'n = {**base}',
      'o = [*rest]',
      'p = Path("data")',
      'q: int',
      'r += 1',
      'other.attr = 1',
      'items[0] = 1',
      'kept = 1',
    ].join('\n');
    expect(read(text)).toEqual({ value: { kept: 1 }, problems: [] });
  });

  it('reads (name) = value and several statements on one line', () => {
    expect(read('(a) = 1; b = 2;\nc: int = 3; d = 4\n').value).toEqual({ a: 1, b: 2, c: 3, d: 4 });
  });

  it('lets a later assignment win, in the place of the first, as dict.update does', () => {
    const { value } = read('lr = 0.1\nepochs = 10\nlr = 0.01\n');
    expect(value).toEqual({ lr: 0.01, epochs: 10 });
    expect(Object.keys(value as object)).toEqual(['lr', 'epochs']);
  });

  it('keeps the earlier value when a later assignment is not a literal, as DVC does', () => {
    expect(read('lr = 0.1\nlr = float(os.environ["LR"])\n').value).toEqual({ lr: 0.1 });
  });

  it('ignores functions, decorators, docstrings, and if/for/while/try/with/match blocks', () => {
    const text = `"""Module docstring: THRESHOLD = 1"""
import sys

@functools.cache
def helper(x: int = 5) -> dict:
    """Docstring."""
    inner = 1
    return {"a": x}

if sys.platform == "linux":
    PLATFORM = "linux"
else:
    PLATFORM = "other"
for i in range(3):
    LOOP = i
while False:
    WHILE = 1
try:
    import torch
    DEVICE = "cuda"
except ImportError:
    DEVICE = "cpu"
finally:
    DONE = True
with open("x") as handle:
    WITH = 1
match sys.argv:
    case [_, "fast"]:
        MODE = "fast"
    case _:
        MODE = "slow"
async def main():
    await thing()

if __name__ == "__main__":
    MAIN = 1

THRESHOLD = 2500
`;
    expect(read(text)).toEqual({ value: { THRESHOLD: 2500 }, problems: [] });
  });

  it("reads __init__'s self assignments into its class, after the class body, and nothing else of it", () => {
    const text = `class Train:
    epochs = 10
    lr: float = 0.1

    def __init__(self, lr=0.2):
        self.lr = lr          # not a literal: the class value stays
        self.epochs = 20
        self.dropout: float = 0.5
        local = 1
        if True:
            self.nested = 1

    def other(self):
        self.other = 1
`;
    expect(read(text).value).toEqual({ Train: { epochs: 20, lr: 0.1, dropout: 0.5 } });
  });

  it('reads self assignments of a module-level __init__ and at the top level, as DVC does', () => {
    expect(read('def __init__(self):\n    self.a = 1\n    b = 2\nself.c = 3\n').value).toEqual({ a: 1, c: 3 });
  });

  it('reads nested classes and one-line class bodies', () => {
    const text = 'class Model:\n    class Encoder:\n        layers = 4\n    class Decoder: layers = 2; heads = 8\nclass Empty: pass\n';
    expect(read(text).value).toEqual({ Model: { Encoder: { layers: 4 }, Decoder: { layers: 2, heads: 8 } }, Empty: {} });
    expect(parseParams(text, FILE).value).toEqual([
      { key: 'Model.Encoder.layers', value: 4 },
      { key: 'Model.Decoder.layers', value: 2 },
      { key: 'Model.Decoder.heads', value: 8 },
    ]);
  });

  it('lets a class replace a value of the same name and a value replace a class', () => {
    expect(read('A = 1\nclass A:\n    x = 1\nclass B:\n    y = 1\nB = 2\n').value).toEqual({ A: { x: 1 }, B: 2 });
  });

  it('keeps names starting with an underscore, as DVC does', () => {
    expect(read('_private = 1\n__version__ = "1.0"\n').value).toEqual({ _private: 1, __version__: '1.0' });
  });

  it('follows backslash continuations, brackets across lines, comments, tabs, CRLF and form feeds', () => {
    const text = 'a = 1 + \\\n    2\nb = [1,\n\n  # comment\n     2]\nif x:\n\tc = 1\n\fd = 4\r\ne = 5\r\n';
    expect(read(text)).toEqual({ value: { b: [1, 2], d: 4, e: 5 }, problems: [] });
  });

  it('reads an empty file or one of comments as no params', () => {
    expect(read('')).toEqual({ value: {}, problems: [] });
    expect(read('# nothing here\n\n')).toEqual({ value: {}, problems: [] });
  });
});

describe('parsePythonParams problems', () => {
  it('tells about an f-string, which DVC skips silently, and reads the rest', () => {
    expect(read('VERSION = "1.2"\nTAG = f"v{VERSION}"\n')).toEqual({
      value: { VERSION: '1.2' },
      problems: [{ file: FILE, line: 2, message: expect.stringContaining('TAG is an f-string, not a literal value; DVC reads only literals') }],
    });
  });

  it.each([
    ['a complex number', 'z = 1+2j', 'z is a complex number'],
    ['bytes', 'z = b"raw"', 'z is a bytes string'],
    ['Ellipsis', 'z = ...', 'z is Ellipsis (...)'],
    ['a \\N{name} escape', 'z = "\\N{BULLET}"', 'z is a string with a \\N{…} escape'],
    ['a tuple dict key', 'z = {(1, 2): "a"}', 'z is a dict with a tuple as a key'],
  ])('leaves out %s, which DVC reads but has no YAML/JSON form, with a problem', (_case, line, message) => {
    expect(read(`class C:\n    keep = 1\n    ${line}\n`)).toEqual({
      value: { C: { keep: 1 } },
      problems: [{ file: FILE, line: 3, message: expect.stringContaining(message.replace(/^z/, 'C.z')) }],
    });
  });

  it('drops an earlier value that a value it cannot show replaced, rather than showing a stale one', () => {
    expect(read('z = 1\nz = 2j\nafter = 1\n').value).toEqual({ after: 1 });
  });

  it('lets parseDataFile keep the value and leave such notes out, so that parseParams reads the rest as DVC does', () => {
    expect(parseDataFile('a = 1\nb = f"{a}"\n', FILE)).toEqual({ value: { a: 1 }, problems: [] });
    expect(parseParams('a = 1\nb = 2j\n', FILE)).toEqual({ value: [{ key: 'a', value: 1 }], problems: [] });
  });

  it.each([
    ['an unterminated string', 'a = 1\nb = "open\n', 2, 'unterminated string literal'],
    ['an unterminated triple-quoted string', "a = 1\nb = '''open\n\n", 2, 'unterminated triple-quoted string literal'],
    ['an unterminated f-string', 'a = f"{x\n', 1, 'unterminated f-string literal'],
    ['an unclosed bracket', 'a = [1,\n  2\nb = 3\n', 1, "'[' was never closed"],
    ['an unmatched bracket', 'a = 1)\n', 1, "unmatched ')'"],
    ['mismatched brackets', 'a = [1,\n 2)\n', 2, "closing parenthesis ')' does not match opening parenthesis '[' on line 1"],
    ['an unexpected indent', 'a = 1\n    b = 2\n', 2, 'unexpected indent'],
    ['an inconsistent dedent', 'class A:\n    a = 1\n  b = 2\n', 3, 'unindent does not match any outer indentation level'],
    ['tabs and spaces mixed', 'if x:\n\ta = 1\n        b = 2\n', 3, 'inconsistent use of tabs and spaces'],
    ['a block without its body', 'class A:\nb = 1\n', 2, 'expected an indented block after line 1'],
    ['a compound statement without a colon', 'class A\n    b = 1\n', 1, "expected ':'"],
    ['a decimal with leading zeros', 'a = 0123\n', 1, 'leading zeros in decimal integer literals are not permitted'],
    ['a malformed number', 'a = 1_\n', 1, 'invalid decimal literal'],
    ['an empty hexadecimal number', 'a = 0x\n', 1, 'invalid hexadecimal literal'],
    ['a bad \\x escape', 'a = "\\x4"\n', 1, 'truncated \\xXX escape'],
    ['non-ASCII bytes', 'a = b"é"\n', 1, 'bytes can only contain ASCII literal characters'],
    ['bytes next to a string', 'a = b"x" "y"\n', 1, 'cannot mix bytes and nonbytes literals'],
    ['a stray character', 'a = 1 $ 2\n', 1, "invalid character '$'"],
    ['a non-breaking space', 'a =\u00a01\n', 1, 'invalid non-printable character U+00A0'],
    ['a byte-order mark, which ast.parse refuses in text', '\uFEFFa = 1\n', 1, 'invalid non-printable character U+FEFF'],
    ['a stray backslash', 'a = 1 \\ 2\n', 1, 'unexpected character after line continuation character'],
    ['an assignment with no value', 'a = 1\nb =\n', 2, "expected a value after '='"],
    ['a decimal literal over 4300 digits', `a = ${'9'.repeat(4301)}\n`, 1, "exceeds Python's limit of 4300 digits"],
  ])('reports %s as a syntax error with its line, and reads nothing, as DVC cannot', (_case, text, line, message) => {
    expect(read(text)).toEqual({
      value: undefined,
      problems: [{ file: FILE, line, message: expect.stringContaining(message) }],
    });
    expect(read(text).problems[0]?.message).toMatch(/^Python syntax error: .*; DVC cannot read params\.py either \(PythonFileCorruptedError\)/);
  });

  it.each([
    ['a list as a dict key', 'a = {[1]: 2}\n', 'a uses a list as a dict key or set member'],
    ['a dict in a set', 'class A:\n    b = [{1, {}}]\n', 'A.b uses a dict as a dict key or set member'],
    ['a list inside a tuple key', 'a = {(1, [2]): 3}\n', 'a uses a list as a dict key or set member'],
  ])('reports %s, where Python raises TypeError and DVC fails on the file', (_case, text, message) => {
    const { value, problems } = read(text);
    expect(value).toBeUndefined();
    expect(problems).toEqual([{ file: FILE, line: expect.any(Number), message: expect.stringContaining(message) }]);
    expect(problems[0]?.message).toContain('Python raises TypeError (unhashable type)');
  });

  it('does not evaluate what DVC does not reach: an unhashable key inside an if block is no problem', () => {
    expect(read('if False:\n    a = {[1]: 2}\nb = 1\n')).toEqual({ value: { b: 1 }, problems: [] });
  });

  it('reports through parseDataFile and parseParams with the file unread', () => {
    expect(parseDataFile('a = [1,\n', 'src/params.py')).toEqual({
      value: undefined,
      problems: [{ file: 'src/params.py', line: 1, message: expect.stringContaining("'[' was never closed") }],
    });
    expect(parseParams('class A:\nb = 1\n', FILE)).toEqual({ value: [], problems: [expect.objectContaining({ line: 2 })] });
  });
});

describe('parsePythonParams limits', () => {
  const nested = (depth: number): string => `a = ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
  const tooDeep = `more than ${MAX_NESTING_DEPTH} levels deep; it was not read`;

  it('draws the depth limit at MAX_NESTING_DEPTH levels, the file\'s own mapping included, as for JSON', () => {
    expect(read(nested(MAX_NESTING_DEPTH - 1)).problems).toEqual([]);
    expect(read(nested(MAX_NESTING_DEPTH))).toEqual({ value: undefined, problems: [{ file: FILE, message: expect.stringContaining(tooDeep) }] });
  });

  it('stops tokenizing at the bracket after MAX_NESTING_DEPTH open ones, where Python says "too many nested parentheses"', () => {
    expect(read(`a = 1
b = ${'['.repeat(MAX_NESTING_DEPTH + 1)}`)).toEqual({ value: undefined, problems: [{ file: FILE, line: 2, message: expect.stringContaining(tooDeep) }] });
  });

  it('counts classes toward the depth of the value', () => {
    const classes = Array.from({ length: 10 }, (_, i) => `${'    '.repeat(i)}class C${i}:`).join('\n');
    const text = `${classes}\n${'    '.repeat(10)}a = ${'['.repeat(195)}1${']'.repeat(195)}\n`;
    expect(read(text).problems).toEqual([{ file: FILE, message: expect.stringContaining(tooDeep) }]);
  });

  it('reads 99 levels of indentation and refuses the 100th, as CPython does', () => {
    const classes = (levels: number): string =>
      `${Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}class C${i}:`).join('\n')}\n${' '.repeat(levels)}a = 1\n`;
    expect(parseParams(classes(99), FILE).value[0]?.key.split('.')).toHaveLength(100);
    expect(read(classes(100)).problems).toEqual([{ file: FILE, line: 101, message: expect.stringContaining('too many levels of indentation') }]);
  });
});

describe('parsePythonParams on hostile input', () => {
  /** `unit` repeated between `prefix` and `suffix` up to 1 MiB (of ASCII), the largest a metadata file may be. */
  const upTo1MiB = (prefix: string, unit: string, suffix = ''): string => prefix + unit.repeat(Math.floor((1024 * 1024 - prefix.length - suffix.length) / unit.length)) + suffix;
  const HOSTILE: [string, string][] = [
    ['a million opening brackets', upTo1MiB('', '(')],
    ['nested f-string openers', upTo1MiB('a = ', 'f"{')],
    ['\\N{ escapes that never close, in an f-string', upTo1MiB('a = f"', '\\N{AAAA', '"')],
    ['\\N{ escapes that never close, in a string', upTo1MiB('a = "', '\\N{AAAA', '"')],
    ['a million minus signs', upTo1MiB('a = ', '-', '1\n')],
    ['half a million backslash continuations', upTo1MiB('a = 1 ', '\\\n', '\n')],
    ['170,000 assignments', upTo1MiB('', 'a = 1\n')],
    ['170,000 statements on one line', upTo1MiB('', 'a = 1;')],
    ['50,000 classes', upTo1MiB('', 'class A:\n    x = 1\n')],
    ['a million-digit decimal', upTo1MiB('a = ', '1', '\n')],
    ['a million-digit hexadecimal', upTo1MiB('a = 0x', 'f', '\n')],
    ['a set of 100,000 repeated strings', `a = {${Array.from({ length: 100_000 }, (_, i) => `'${i % 100}'`).join(',')}}\n`],
    ['an unterminated triple quote', upTo1MiB("a = '''", 'x')],
    ['a million quotes', upTo1MiB('', '"')],
    ['a million colons', upTo1MiB('a', ':')],
    ['half a million numbers with dots', upTo1MiB('', '1.')],
    ['a 5,000-digit hexadecimal dict key', `a = {0x${'f'.repeat(5000)}: 1}\n`],
  ];

  it.each(HOSTILE)('returns, quickly, on %s', (_case, text) => {
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024 * 1024);
    // A second and a half for a whole MiB of the worst shapes (measured: under half a second).
    const { value, problems } = bounded(() => read(text), 1500);
    expect(value === undefined || typeof value === 'object').toBe(true);
    for (const problem of problems) expectProblem(problem, text);
  });

  /** Fragments of Python that steer random text into the tokenizer's and reader's corners. */
  const PYTHON = [
    'a', 'self', '.', 'class', 'def', '__init__', '(', ')', '[', ']', '{', '}', ':', '=', ',', ';', '\n', '    ', '\t', '\\', '\\\n',
    '#', '"', "'", '"""', "'''", 'f"', 'rb"', '{x}', '\\N{', '\\x', '1', '0x', '1_', '.5', 'e', 'j', '-', '+', '*', '...', 'True',
    'None', 'if', 'else', 'lambda', 'set()', '@', 'é', '\u00a0', '\r\n', '\f', '$', '!',
  ];
  const pythonText = fc.string({ unit: fc.constantFrom(...PYTHON), maxLength: 60 });
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), pythonText);

  it('returns problems, never throws, on random text', () => {
    fc.assert(fc.property(anyText, (text) => void checkAnyInput(text)));
  });

  const edit = fc.record({ at: fc.nat(), cut: fc.nat({ max: 12 }), insert: fc.oneof(pythonText, fc.string({ maxLength: 4 })) });

  it('returns problems, never throws, on edited real files', () => {
    const seeds = [PARAMS_PY, 'class A:\n    x = {"a": [1, (2, 3)], 4: {5, 6}}\n    def __init__(self):\n        self.y = f"{x!r:>{w}}"\n'];
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 5 }), (seed, edits) => {
        const text = edits.reduce((current, { at, cut, insert }) => {
          const position = at % (current.length + 1);
          return current.slice(0, position) + insert + current.slice(position + cut);
        }, seed);
        void checkAnyInput(text);
      }),
    );
  });

  function checkAnyInput(text: string): void {
    const { value, problems } = bounded(() => read(text), 1000);
    if (value === undefined) expect(problems).toHaveLength(1);
    else expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    for (const problem of problems) expectProblem(problem, text);
  }

  function expectProblem(problem: Problem, text: string): void {
    expect(problem.file).toBe(FILE);
    expect(problem.message.length).toBeGreaterThan(0);
    if (problem.line !== undefined) {
      expect(Number.isInteger(problem.line)).toBe(true);
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual(lineCount(text));
    }
  }
});

describe('parsePythonParams reads back what a writer prints', () => {
  /** Python source for a JSON-shaped value (`repr` would print the same values). */
  function python(value: unknown, tuple: boolean): string {
    if (value === null) return 'None';
    if (typeof value === 'boolean') return value ? 'True' : 'False';
    if (typeof value === 'number') return Object.is(value, -0) ? '-0.0' : String(value);
    if (typeof value === 'string') return JSON.stringify(value); // JSON's escapes are Python's
    if (Array.isArray(value)) {
      const items = value.map((item) => python(item, tuple));
      return tuple ? `(${items.join(', ')}${items.length === 1 ? ',' : ''})` : `[${items.join(', ')}]`;
    }
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${JSON.stringify(key)}: ${python(item, tuple)}`);
    return `{${entries.join(', ')}}`;
  }

  const KEYWORDS = new Set(['and', 'as', 'if', 'in', 'is', 'or', 'def', 'del', 'for', 'not', 'try', 'None', 'True', 'class', 'False', 'async', 'await', 'while', 'yield', 'import', 'lambda', 'return', 'pass', 'else', 'elif', 'from', 'with', 'break', 'raise', 'global', 'assert', 'except', 'finally', 'continue', 'nonlocal']);
  const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/).filter((name) => !KEYWORDS.has(name));
  const text = fc.string({ unit: 'grapheme', maxLength: 10 }).filter((s) => !s.includes('\uFFFD'));
  const { value: anyValue } = fc.letrec<{ value: unknown; list: unknown[]; map: Record<string, unknown> }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), text, tie('list'), tie('map')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(identifier, tie('value'), { maxKeys: 4 }),
  }));
  const member = fc.oneof({ weight: 3, arbitrary: anyValue.map((value) => ({ value })) }, { weight: 1, arbitrary: fc.dictionary(identifier, anyValue, { maxKeys: 4 }).map((members) => ({ members })) });

  it('gives back every value, at the top level and in classes, as lists or tuples', () => {
    fc.assert(
      fc.property(fc.dictionary(identifier, member, { maxKeys: 6 }), fc.boolean(), (file, tuples) => {
        const lines: string[] = [];
        const expected: Record<string, unknown> = {};
        for (const [name, entry] of Object.entries(file)) {
          if ('value' in entry) {
            lines.push(`${name} = ${python(entry.value, tuples)}`);
            expected[name] = entry.value;
          } else {
            lines.push(`class ${name}:`, ...Object.entries(entry.members).map(([key, value]) => `    ${key}: object = ${python(value, tuples)}`), '    pass');
            expected[name] = entry.members;
          }
        }
        expect(read(`${lines.join('\n')}\n`)).toEqual({ value: expected, problems: [] });
      }),
    );
  });
});
