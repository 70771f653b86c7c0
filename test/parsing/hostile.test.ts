import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  MAX_METADATA_FILE_BYTES,
  MAX_NESTING_DEPTH,
  checkText,
  isValidGtoFullName,
  isValidGtoName,
  parseDataFile,
  parseDvcConfig,
  parseDvcFile,
  parseDvcLock,
  parseDvcYaml,
  parseGtoTag,
  parseMetrics,
  parseParams,
  parsePlotData,
  storageUrl,
} from '../../src/parsing/index.js';
import type { Parsed } from '../../src/parsing/index.js';
import { bounded } from './bounded.js';
import { DVC_ADD, DVC_CONFIG, GET_STARTED, LOCK_V3, LOSS_TSV, METRICS_JSON, PARAMS, PARAMS_PY, PARAMS_TOML, ROC_JSON } from './fixtures.js';

type TextParser = (text: string, file: string) => Parsed<unknown>;

/** Every text parser with a file it reads and a valid file of that kind. */
const ALL: [string, TextParser, string, string][] = [
  ['parseDvcYaml', parseDvcYaml, 'dvc.yaml', GET_STARTED],
  ['parseDvcLock', parseDvcLock, 'dvc.lock', LOCK_V3],
  ['parseDvcFile', parseDvcFile, 'data/pool_data.dvc', DVC_ADD],
  ['parseDvcConfig', parseDvcConfig, '.dvc/config', DVC_CONFIG],
  ['parseParams', parseParams, 'params.yaml', PARAMS],
  ['parseParams (py)', parseParams, 'params.py', PARAMS_PY],
  ['parseMetrics', parseMetrics, 'eval/metrics.json', METRICS_JSON],
  ['parseDataFile', parseDataFile, 'params.toml', PARAMS_TOML],
  ['parsePlotData (tsv)', parsePlotData, 'dvclive/plots/metrics/train/loss.tsv', LOSS_TSV],
  ['parsePlotData (json)', parsePlotData, 'eval/plots/roc.json', ROC_JSON],
];

/** The YAML-reading parsers, each with a YAML file name. */
const YAML: [string, TextParser, string][] = [
  ['parseDvcYaml', parseDvcYaml, 'dvc.yaml'],
  ['parseDvcLock', parseDvcLock, 'dvc.lock'],
  ['parseDvcFile', parseDvcFile, 'model.pkl.dvc'],
  ['parseParams', parseParams, 'params.yaml'],
  ['parseMetrics', parseMetrics, 'metrics.yaml'],
  ['parsePlotData', parsePlotData, 'plots/loss.yaml'],
];

const BILLION_LAUGHS = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat(Array.from({ length: 8 }, (_, i) => `l${i}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`))
  .join('\n');

describe('YAML alias bombs', () => {
  it.each(YAML)('%s reports a billion-laughs document as an alias bomb, fast', (_name, parse, file) => {
    const { problems } = bounded(() => parse(`${BILLION_LAUGHS}\n`, file));
    expect(problems).toEqual([{ file, message: expect.stringContaining('alias bomb ("billion laughs")') }]);
  });

  it.each(YAML)('%s reports thousands of aliases of one value', (_name, parse, file) => {
    const text = `base: &b 1\n${Array.from({ length: 5000 }, (_, i) => `k${i}: *b`).join('\n')}\n`;
    expect(bounded(() => parse(text, file)).problems).toEqual([{ file, message: expect.stringContaining('expand to more than 1000 copies') }]);
  });

  it.each(YAML)('%s reports an alias inside the node it names (a cycle) instead of looping', (_name, parse, file) => {
    const { problems } = bounded(() => parse('a: &loop\n  b: *loop\n', file));
    expect(problems).toEqual([{ file, line: 2, message: expect.stringContaining('YAML alias *loop is inside the node &loop it names') }]);
  });

  it('still reads the few aliases real files use', () => {
    const text = 'base: &base {lr: 0.1, epochs: 3}\ntrain: *base\nfinetune: *base\n';
    expect(parseParams(text, 'params.yaml')).toEqual({
      value: ['base.lr', 'base.epochs', 'train.lr', 'train.epochs', 'finetune.lr', 'finetune.epochs'].map((key) => ({ key, value: key.endsWith('lr') ? 0.1 : 3 })),
      problems: [],
    });
  });
});

describe('deep nesting', () => {
  const flow = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  const flowMap = (depth: number): string => `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
  const block = (depth: number): string => Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ` 1\n`;
  const compact = (depth: number): string => `${'- '.repeat(depth)}1\n`;
  const json = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const tomlInline = (depth: number): string => `a = ${'{b = '.repeat(depth - 1)}1${' }'.repeat(depth - 1)}\n`;
  const tomlDotted = (depth: number): string => `${Array(depth).fill('a').join('.')} = 1\n`;

  it.each([
    ['YAML flow mappings', 'params.yaml', flowMap],
    ['YAML block mappings', 'params.yaml', block],
    ['JSON objects', 'params.json', json],
    ['TOML inline tables', 'params.toml', tomlInline],
    ['TOML dotted keys', 'params.toml', tomlDotted],
  ])('reads params nested 100 levels in %s', (_case, file, write) => {
    const { value, problems } = bounded(() => parseParams(write(100), file));
    expect(problems).toEqual([]);
    expect(value).toHaveLength(1);
    expect(value[0]?.key.split('.')).toHaveLength(100);
  });

  const tooDeep = `more than ${MAX_NESTING_DEPTH} levels deep; it was not read`;

  it.each([
    ['dvc.yaml', parseDvcYaml, 'dvc.yaml', (d: number) => `stages: ${flow(d)}\n`],
    ['dvc.lock', parseDvcLock, 'dvc.lock', (d: number) => `schema: '2.0'\nstages: ${flowMap(d)}\n`],
    ['a .dvc file', parseDvcFile, 'm.dvc', compact],
    ['YAML params', parseParams, 'params.yaml', flowMap],
    ['YAML metrics', parseMetrics, 'metrics.yaml', compact],
    ['JSON params', parseParams, 'params.json', json],
    ['JSON metrics', parseMetrics, 'metrics.json', (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`],
    ['TOML inline tables', parseParams, 'params.toml', tomlInline],
    ['TOML dotted keys', parseParams, 'params.toml', tomlDotted],
    ['JSON plot data', parsePlotData, 'plot.json', json],
  ])('refuses 10,000 levels of nesting in %s without overflowing the stack', (_case, parse, file, write) => {
    const { problems } = bounded(() => (parse as TextParser)(write(10_000), file));
    expect(problems).toEqual([expect.objectContaining({ file, message: expect.stringContaining(tooDeep) })]);
  });

  it.each([
    ['YAML', 'params.yaml', flow],
    ['JSON', 'params.json', (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`],
  ])('draws the %s depth limit at exactly MAX_NESTING_DEPTH levels', (_case, file, write) => {
    expect(parseDataFile(write(MAX_NESTING_DEPTH), file).problems).toEqual([]);
    expect(parseDataFile(write(MAX_NESTING_DEPTH + 1), file).problems).toEqual([expect.objectContaining({ message: expect.stringContaining(tooDeep) })]);
  });

  it('counts the depth that aliases add when they are expanded', () => {
    const half = 150;
    const text = `a: &deep ${flow(half)}\nb: ${'['.repeat(half)}*deep${']'.repeat(half)}\n`;
    expect(parseParams(text, 'params.yaml').problems).toEqual([expect.objectContaining({ message: expect.stringContaining(tooDeep) })]);
  });
});

describe('the metadata size limit', () => {
  const message = (file: string, bytes: number): string =>
    `${file} is ${bytes} bytes, over the 1 MiB limit for metadata files; it was not read (keep large data in DVC-tracked outputs, not in metadata files)`;

  it.each(ALL)('%s refuses a 3 MiB file unread, quickly', (_name, parse, file, valid) => {
    const comment = file.endsWith('.json') ? '' : `\n# ${'x'.repeat(3 * 1024 * 1024)}\n`;
    const text = file.endsWith('.json') ? `${valid.slice(0, -1)}, "pad": "${'x'.repeat(3 * 1024 * 1024)}"}` : valid + comment;
    const bytes = Buffer.byteLength(text, 'utf8');
    expect(bounded(() => parse(text, file), 200).problems).toEqual([{ file, message: message(file, bytes) }]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = `note: ${'é'.repeat(600_000)}\n`; // 600,000 characters, 1.2 million bytes
    expect(text.length).toBeLessThan(MAX_METADATA_FILE_BYTES);
    expect(parseParams(text, 'params.yaml').problems).toEqual([{ file: 'params.yaml', message: message('params.yaml', 1_200_007) }]);
  });

  it('reads a file of exactly MAX_METADATA_FILE_BYTES and refuses one byte more', () => {
    const exactly = `# ${'x'.repeat(MAX_METADATA_FILE_BYTES - 5)}\n{}`;
    expect(Buffer.byteLength(exactly)).toBe(MAX_METADATA_FILE_BYTES);
    expect(checkText(exactly, 'params.yaml')).toBeUndefined();
    expect(checkText(`${exactly} `, 'params.yaml')).toEqual({ file: 'params.yaml', message: message('params.yaml', MAX_METADATA_FILE_BYTES + 1) });
  });
});

describe('binary and badly decoded text', () => {
  /** What a lenient decoder (`new TextDecoder()`) makes of bytes that are not UTF-8. */
  const decoded = (valid: string): string => new TextDecoder().decode(Buffer.concat([Buffer.from(valid), Buffer.from([0xff, 0xfe, 0x0a])]));

  it.each(ALL)('%s reports NUL characters as binary content', (_name, parse, file, valid) => {
    const text = `${valid}\n\u0000\u0001PNG`;
    const line = text.slice(0, text.indexOf('\u0000')).split('\n').length;
    expect(bounded(() => parse(text, file)).problems).toEqual([{ file, line, message: `${file} contains NUL characters, so it looks binary, not like a text file; it was not read` }]);
  });

  it.each(ALL)('%s reports bytes that were not UTF-8', (_name, parse, file, valid) => {
    expect(bounded(() => parse(decoded(valid), file)).problems).toEqual([{ file, line: expect.any(Number), message: expect.stringContaining(`${file} is not valid UTF-8`) }]);
  });

  it.each(ALL)('%s reports unpaired surrogates', (_name, parse, file, valid) => {
    expect(parse(`${valid}\uD800`, file).problems).toEqual([{ file, line: expect.any(Number), message: expect.stringContaining('unpaired surrogate') }]);
  });

  it('gives the line of the first bad character', () => {
    expect(checkText('a: 1\nb: 2\nc: \u0000\n', 'params.yaml')).toMatchObject({ line: 3 });
    expect(checkText('a: 1\nb: \uFFFD\n', 'params.yaml')).toMatchObject({ line: 2, message: expect.stringContaining('Save it as UTF-8') });
  });

  it('accepts text with emoji, CJK and a byte-order mark', () => {
    expect(checkText('\uFEFFdesc: 模型 🚀\n', 'dvc.yaml')).toBeUndefined();
  });
});

describe('dvc.lock schemas other than 2.0', () => {
  it('refuses a DVC 1.x lock file (no schema key) and reads no stages', () => {
    const text = 'prepare:\n  cmd: python prepare.py\n  deps:\n  - path: data.xml\n    md5: 22a1a2931c8370d3aeedd7183606fd7f\n';
    expect(parseDvcLock(text, 'dvc.lock')).toEqual({
      value: { file: 'dvc.lock', dir: '', stages: [] },
      problems: [
        {
          file: 'dvc.lock',
          line: 1,
          message:
            "unsupported dvc.lock schema none (a DVC 1.x lock file?); expected '2.0', the schema DVC 2 and 3 write (DVC 3 reads no other), so no stages were read. Run 'dvc repro' with DVC 3 to rewrite the file",
        },
      ],
    });
  });

  it.each([
    ["'3.0'", "schema: '3.0'\nstages:\n  train:\n    cmd: python train.py\n"],
    ["'1.0'", "schema: '1.0'\nstages: {}\n"],
    ['2', 'schema: 2.0\nstages: {}\n'],
    ['null', 'schema: null\nstages: {}\n'],
  ])('names schema %s, says DVC 3 writes 2.0, and reads no stages', (found, text) => {
    const { value, problems } = parseDvcLock(text, 'dvc.lock');
    expect(value.stages).toEqual([]);
    expect(problems).toEqual([{ file: 'dvc.lock', line: 1, message: expect.stringContaining(`unsupported dvc.lock schema ${found}; expected '2.0', the schema DVC 2 and 3 write`) }]);
  });
});

describe('${} interpolation that cannot be resolved', () => {
  it('reports an unknown variable with the stage line and keeps the raw text', () => {
    const { value, problems } = parseDvcYaml('stages:\n  train:\n    cmd: python train.py --lr ${train.lr}\n', 'dvc.yaml');
    expect(value.stages[0]?.cmd).toBe('python train.py --lr ${train.lr}');
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 2, message: expect.stringContaining("could not resolve '${train.lr}'") }]);
  });

  it('reports a ${ that is never closed and keeps the raw text', () => {
    const { value, problems } = parseDvcYaml('vars:\n  - lr: 0.1\nstages:\n  train:\n    cmd: python train.py --lr ${lr --epochs 3\n', 'dvc.yaml');
    expect(value.stages[0]?.cmd).toBe('python train.py --lr ${lr --epochs 3');
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 4, message: expect.stringContaining("unterminated '${' in 'python train.py --lr ${lr --epochs 3'") }]);
  });

  it('reports an unclosed ${ before a complete placeholder, and still resolves the complete one', () => {
    const { value, problems } = parseDvcYaml('vars:\n  - lr: 0.1\nstages:\n  t:\n    cmd: run ${oops ${lr}\n', 'dvc.yaml');
    expect(value.stages[0]?.cmd).toBe('run ${oops 0.1');
    expect(problems).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('unterminated') })]);
  });

  it('reports variables defined through each other, as DVC refuses ${} inside vars, and does not loop', () => {
    const text = 'vars:\n  - a: ${b}\n    b: ${a}\n    c: ${c}\nstages:\n  t:\n    cmd: echo ${a} ${c}\n';
    const { value, problems } = bounded(() => parseDvcYaml(text, 'dvc.yaml'));
    expect(value.stages[0]?.cmd).toBe('echo ${b} ${c}');
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, expect.stringContaining("vars[0].a: '${b}': DVC does not allow ${…} inside vars (interpolating is not allowed)")],
      [3, expect.stringContaining("vars[0].b: '${a}'")],
      [4, expect.stringContaining("vars[0].c: '${c}'")],
    ]);
  });

  it('reports ${} inside the vars of a stage too', () => {
    const { value, problems } = parseDvcYaml('stages:\n  t:\n    vars:\n      - lr: ${base}\n    cmd: run ${lr}\n', 'dvc.yaml');
    expect(value.stages[0]?.cmd).toBe('run ${base}');
    expect(problems).toEqual([
      { file: 'dvc.yaml', line: 4, message: expect.stringContaining("stages.t.vars[0].lr: '${base}': DVC does not allow ${…} inside vars") },
      { file: 'dvc.yaml', line: 2, message: expect.stringContaining("could not resolve '${base}'") },
    ]);
  });

  it('skips a foreach stage whose list cannot be resolved, with the stage line', () => {
    const { value, problems } = parseDvcYaml('stages:\n  ok:\n    cmd: a\n  train:\n    foreach: ${models}\n    do:\n      cmd: python train.py ${item}\n', 'dvc.yaml');
    expect(value.stages.map((s) => s.name)).toEqual(['ok']);
    expect(problems).toEqual([{ file: 'dvc.yaml', line: 4, message: expect.stringContaining("foreach: could not resolve '${models}'") }]);
  });

  it('reads an escaped \\${ as a literal ${ without a problem', () => {
    const { value, problems } = parseDvcYaml('stages:\n  t:\n    cmd: echo \\${HOME}\n', 'dvc.yaml');
    expect(problems).toEqual([]);
    expect(value.stages[0]?.cmd).toBe('echo ${HOME}');
  });

  it('stays fast on a command made of 100,000 placeholders', () => {
    const text = `vars:\n  - x: 1\nstages:\n  t:\n    cmd: "${'${x}${'.repeat(100_000)}"\n`;
    const { problems } = bounded(() => parseDvcYaml(text, 'dvc.yaml'));
    expect(problems).toEqual([expect.objectContaining({ message: expect.stringContaining('unterminated') })]);
  });
});

describe('GTO tag names', () => {
  it('parses 10,000 random tag names in well under a second', () => {
    const names = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: fc.constantFrom('m', 'o', 'd', 'e', 'l', '1', '-', '_', '/', '=', '.', '@', '#', '!', 'v', '0'), maxLength: 40 }),
        fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), fc.nat(20), fc.nat(20), fc.nat(20)).map(([n, a, b, c]) => `${n}@v${a}.${b}.${c}`),
      ),
      { numRuns: 10_000, seed: 7 },
    );
    const parsed = bounded(() => names.map(parseGtoTag), 500);
    expect(parsed.filter((p) => p !== undefined).length).toBeGreaterThan(1000);
  });

  it('reads a tag whose artifact name is 255 bytes long', () => {
    const name = `m${'o'.repeat(253)}l`;
    expect(parseGtoTag(`${name}@v1.0.0`)).toStrictEqual({ tag: `${name}@v1.0.0`, action: 'register', artifact: name, version: 'v1.0.0' });
  });

  it('reads a 4 KB tag as GTO would', () => {
    const dir = `${'d/'.repeat(2047)}d`;
    const tag = `${dir}=model#prod#1`;
    expect(tag.length).toBeGreaterThan(4000);
    expect(parseGtoTag(tag)).toStrictEqual({ tag, action: 'assign', artifact: `${dir}:model`, stage: 'prod', counter: 1 });
  });

  it.each([
    ['a..b=model@v1.0.0', { action: 'register', artifact: 'a..b:model', version: 'v1.0.0' }],
    ['model@v1.0.0-rc.lock', { action: 'register', artifact: 'model', version: 'v1.0.0-rc.lock' }],
    ['dir.lock=model#prod', { action: 'assign', artifact: 'dir.lock:model', stage: 'prod' }],
    ['model@v1.0.0#0', { action: 'register', artifact: 'model', version: 'v1.0.0', counter: 0 }],
  ])("reads %p as GTO's regex does (Git may refuse such refs, but they parse)", (tag, expected) => {
    expect(parseGtoTag(tag)).toStrictEqual({ tag, ...expected });
  });

  it.each([
    ['unicode letters', 'mödel@v1.0.0'],
    ['a space', 'my model@v1.0.0'],
    ['a trailing space', 'model@v1.0.0 '],
    ['@{', 'model@{v1.0.0}'],
    ['a reflog-like @{1}', 'model@{1}'],
    ['a NUL', 'model\u0000@v1.0.0'],
    ['a tab', 'model\t#prod'],
    ['a trailing newline', 'model#prod\n'],
    ['DEL', 'model\u007f#prod'],
    ['a leading dash', '-model@v1.0.0'],
    ['an empty counter', 'model@v1.0.0#'],
    // Python's \d also matches other scripts' digits; those tags are ignored here on purpose.
    ['Arabic-Indic digits in the version', 'model@v1\u0663.0.0'],
    ['a full-width @', 'model\uFF20v1.0.0'],
  ])('ignores a tag with %s', (_case, tag) => {
    expect(parseGtoTag(tag)).toBeUndefined();
  });

  it.each([
    ['a long name then !', `${'a'.repeat(50_000)}!`],
    ['a dash run', `a${'-'.repeat(50_000)}!`],
    ['slashes and =', `${'a/'.repeat(25_000)}=`],
    ['only =', '='.repeat(50_000)],
    ['a dirname that never ends', `${'a.'.repeat(25_000)}=m@v1.0.0x`],
    ['a long dirname and name', `${'a'.repeat(50_000)}=${'b'.repeat(50_000)}@v1.0.0#`],
    ['a long pre-release', `m@v1.0.0-${'a-'.repeat(25_000)}!x`],
    ['many numeric pre-release parts', `m@v1.0.0-${'1.'.repeat(25_000)}x`],
    ['leading zeros in a pre-release', `m@v1.0.0-${'0'.repeat(50_000)}.!`],
    ['a long build', `m@v1.0.0+${'a.'.repeat(25_000)}!`],
    ['a long major version', `m@v${'1'.repeat(50_000)}.0.0x`],
    ['a long stage', `m#${'a/'.repeat(25_000)}!#x`],
    ['a long counter', `m#prod#${'1'.repeat(50_000)}x`],
  ])('stays linear on %s', (_case, tag) => {
    bounded(() => {
      parseGtoTag(tag);
      isValidGtoName(tag);
      isValidGtoFullName(tag);
    }, 100);
  });
});

describe('inputs that used to take quadratic time', () => {
  it('reads 40,000 params keys in seconds (yaml uniqueKeys compares every pair)', () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `key_${i}: ${i}`).join('\n');
    expect(bounded(() => parseParams(text, 'params.yaml'), 5000).value).toHaveLength(40_000);
  });

  it('still reports a duplicate key with both lines', () => {
    expect(parseParams('a: 1\nb: 2\na: 3\n', 'params.yaml').problems).toEqual([
      { file: 'params.yaml', line: 3, message: "YAML syntax error: Map keys must be unique, and 'a' is already a key on line 1; fix the file so that it parses" },
    ]);
  });

  it('reports 20,000 broken stages in seconds', () => {
    const text = `stages:\n${Array.from({ length: 20_000 }, (_, i) => `  s${i}: 1`).join('\n')}\n`;
    expect(bounded(() => parseDvcYaml(text, 'dvc.yaml'), 5000).problems).toHaveLength(20_000);
  });

  it.each([
    ['spaces inside a key', `[core]\na${' '.repeat(500_000)}b\n`],
    ['spaces inside a section header', `[${' '.repeat(500_000)}x\n`],
    ['] runs in a section header', `[${'] '.repeat(250_000)}x\n`],
  ])('reads a .dvc/config line with %s in linear time', (_case, text) => {
    expect(bounded(() => parseDvcConfig(text, '.dvc/config')).problems).toHaveLength(1);
  });

  it('strips trailing slashes of a remote url with 100,000 slashes in linear time', () => {
    const url = `s3://${'/'.repeat(100_000)}b///`;
    const got = bounded(() => storageUrl({ name: 's', url, versionAware: false, worktree: false }, { md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true, repoPath: 'm' }), 100);
    expect(got).toBe(`s3://${'/'.repeat(100_000)}b/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4`);
  });

  it('reads a 500,000-digit CSV cell in linear time', () => {
    const { value } = bounded(() => parsePlotData(`a\n${'1'.repeat(500_000)}x\n`, 'p.csv'));
    expect((value[0]?.a as string).length).toBe(500_001);
  });
});
