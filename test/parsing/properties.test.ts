import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify as toToml, parse as tomlOracle } from 'smol-toml';
import { parseDocument, stringify as toYaml } from 'yaml';
import {
  MAX_PLOT_POINTS,
  checkText,
  explainNoStorage,
  gtoTagArtifactName,
  parseDataFile,
  parseDvcConfig,
  parseDvcFile,
  parseDvcLock,
  parseDvcYaml,
  parseGtoTag,
  parseMetrics,
  parseParams,
  parsePlotData,
  pickRemote,
  storageUrl,
} from '../../src/parsing/index.js';
import type { DvcConfig, DvcEntry, DvcRemote, Parsed, Problem } from '../../src/parsing/index.js';
import { bounded } from './bounded.js';
import { DVC_ADD, DVC_CONFIG, DVC_IMPORT, GET_STARTED, LOCK_V2, LOCK_V3, LOSS_TSV, METRICS_JSON, METRICS_YAML, PARAMS, PARAMS_TOML, PRC_CSV, ROC_JSON } from './fixtures.js';

/*
 * Properties every parser keeps on any input: it returns (never throws), within a time
 * bound, a value of the documented shape, and problems that name the file; input that is
 * decidably broken (text the YAML/JSON/TOML library rejects, binary text) gives problems.
 * The seed is fixed so CI is deterministic; on a failure fast-check prints the seed and the
 * path of the shrunk counterexample, which `fc.assert(…, { seed, path })` replays.
 */
const SEED = 0x6d6f646c;
fc.configureGlobal({ seed: SEED, numRuns: 100 });

/** Each call on small input must finish within `bounded`'s default second; real files take milliseconds. */
const timed = <T>(call: () => T): T => bounded(call);

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const lineCount = (text: string): number => text.split(/\r\n|\r|\n/).length;

function expectProblems(problems: Problem[], file: string, text: string): void {
  expect(Array.isArray(problems)).toBe(true);
  for (const problem of problems) {
    expect(problem.file).toBe(file);
    expect(typeof problem.message).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
    if (problem.line !== undefined) {
      expect(Number.isInteger(problem.line)).toBe(true);
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual(lineCount(text));
    }
  }
}

function expectEntry(entry: DvcEntry): void {
  expect(typeof entry.path).toBe('string');
  expect(typeof entry.repoPath).toBe('string');
  expect(typeof entry.dvc3).toBe('boolean');
  expect(typeof entry.isDir).toBe('boolean');
  if (entry.md5 !== undefined) expect(entry.md5).toMatch(/^[0-9a-f]{32}(\.dir)?$/);
  for (const count of [entry.size, entry.nfiles]) if (count !== undefined) expect(Number.isSafeInteger(count) && count >= 0).toBe(true);
}

const expectStrings = (list: unknown): void => {
  expect(Array.isArray(list)).toBe(true);
  for (const item of list as unknown[]) expect(typeof item).toBe('string');
};

/** Shape checks, one per kind of result. */
const SHAPES = {
  dvcYaml(value: unknown, file: string): void {
    const yaml = value as ReturnType<typeof parseDvcYaml>['value'];
    expect(yaml.file).toBe(file);
    expect(typeof yaml.dir).toBe('string');
    for (const artifact of yaml.artifacts) {
      for (const field of [artifact.fullName, artifact.name, artifact.dir, artifact.path, artifact.repoPath]) expect(typeof field).toBe('string');
      expectStrings(artifact.labels);
    }
    for (const stage of yaml.stages) {
      expect(typeof stage.name).toBe('string');
      expect(typeof stage.wdir).toBe('string');
      expectStrings(stage.deps);
      for (const ref of stage.params) {
        expect(typeof ref.file).toBe('string');
        if (ref.keys !== undefined) expectStrings(ref.keys);
      }
      for (const out of stage.outs) {
        expect(['out', 'metric', 'plot']).toContain(out.kind);
        expect(typeof out.repoPath).toBe('string');
        expect(typeof out.cache).toBe('boolean');
      }
    }
    expectStrings(yaml.metrics);
    expectStrings(yaml.params);
    for (const plot of yaml.plots) {
      expect(typeof plot.id).toBe('string');
      expectStrings(plot.files);
      if (plot.y !== undefined) expectStrings(plot.y);
    }
  },
  dvcLock(value: unknown, file: string): void {
    const lock = value as ReturnType<typeof parseDvcLock>['value'];
    expect(lock.file).toBe(file);
    for (const stage of lock.stages) {
      expect(typeof stage.name).toBe('string');
      stage.deps.forEach(expectEntry);
      stage.outs.forEach(expectEntry);
      for (const values of Object.values(stage.params)) {
        expect(isMapping(values)).toBe(true);
        // Flattened: no value is itself a mapping.
        for (const recorded of Object.values(values)) expect(isMapping(recorded) && !(recorded instanceof Date)).toBe(false);
      }
    }
  },
  dvcFile(value: unknown, file: string): void {
    const dvcFile = value as ReturnType<typeof parseDvcFile>['value'];
    expect(dvcFile.file).toBe(file);
    dvcFile.outs.forEach(expectEntry);
    dvcFile.deps.forEach(expectEntry);
    expect(typeof dvcFile.frozen).toBe('boolean');
  },
  dvcConfig(value: unknown): void {
    const config = value as DvcConfig;
    for (const remote of config.remotes) {
      expect(remote.name).toBe(remote.name.toLowerCase());
      expect(remote.url.length).toBeGreaterThan(0);
      expect(typeof remote.versionAware).toBe('boolean');
      expect(typeof remote.worktree).toBe('boolean');
    }
    if (config.defaultRemote !== undefined) expect(config.defaultRemote).toBe(config.defaultRemote.toLowerCase());
  },
  params(value: unknown): void {
    expect(Array.isArray(value)).toBe(true);
    for (const kv of value as { key: unknown }[]) expect(typeof kv.key).toBe('string');
  },
  metrics(value: unknown): void {
    expect(Array.isArray(value)).toBe(true);
    for (const kv of value as { key: unknown; value: unknown }[]) {
      expect(typeof kv.key).toBe('string');
      expect(['number', 'string', 'boolean']).toContain(typeof kv.value);
    }
  },
  dataFile(): void {
    // Any value: parseDataFile returns what the file holds.
  },
  plotData(value: unknown): void {
    expect(Array.isArray(value)).toBe(true);
    expect((value as unknown[]).length).toBeLessThanOrEqual(MAX_PLOT_POINTS);
    for (const row of value as unknown[]) expect(isMapping(row)).toBe(true);
  },
} as const;

type Format = 'yaml' | 'json' | 'toml' | 'ini' | 'csv' | 'tsv';

interface TextParser {
  name: string;
  file: string;
  format: Format;
  parse: (text: string, file: string) => Parsed<unknown>;
  shape: (value: unknown, file: string) => void;
  /** Valid inputs the existing tests use; mutated below. */
  seeds: string[];
  /** Fewer runs for a variant of a parser covered more fully above (keeps the file under ten seconds). */
  runs?: number;
}

const FOREACH_YAML = `vars:
  - models: [a, b]
    lr: 0.1
stages:
  train:
    foreach: \${models}
    do:
      cmd: python train.py \${item} --lr \${lr}
      outs:
      - models/\${item}.pkl
  grid:
    matrix:
      size: [s, m]
      seed: [1, 2]
    cmd: python grid.py \${item.size} \${item.seed}
`;

const PARSERS: TextParser[] = [
  { name: 'parseDvcYaml', file: 'dvc.yaml', format: 'yaml', parse: parseDvcYaml, shape: SHAPES.dvcYaml, seeds: [GET_STARTED, FOREACH_YAML] },
  { name: 'parseDvcYaml (nested)', file: 'project_a/dvc.yaml', format: 'yaml', parse: parseDvcYaml, shape: SHAPES.dvcYaml, seeds: [GET_STARTED], runs: 40 },
  { name: 'parseDvcLock', file: 'dvc.lock', format: 'yaml', parse: parseDvcLock, shape: SHAPES.dvcLock, seeds: [LOCK_V3, LOCK_V2] },
  {
    name: 'parseDvcLock (with stage wdirs)',
    file: 'sub/dvc.lock',
    format: 'yaml',
    parse: (text, file) => parseDvcLock(text, file, new Map([['train', 'sub/src'], ['prepare', '']])),
    shape: SHAPES.dvcLock,
    seeds: [LOCK_V3],
    runs: 40,
  },
  { name: 'parseDvcFile', file: 'data/pool_data.dvc', format: 'yaml', parse: parseDvcFile, shape: SHAPES.dvcFile, seeds: [DVC_ADD, DVC_IMPORT] },
  { name: 'parseDvcConfig', file: '.dvc/config', format: 'ini', parse: parseDvcConfig, shape: SHAPES.dvcConfig, seeds: [DVC_CONFIG] },
  { name: 'parseParams (yaml)', file: 'params.yaml', format: 'yaml', parse: parseParams, shape: SHAPES.params, seeds: [PARAMS] },
  { name: 'parseParams (toml)', file: 'params.toml', format: 'toml', parse: parseParams, shape: SHAPES.params, seeds: [PARAMS_TOML] },
  { name: 'parseParams (json)', file: 'params.json', format: 'json', parse: parseParams, shape: SHAPES.params, seeds: [JSON.stringify(parseDocument(PARAMS).toJS())] },
  { name: 'parseMetrics (json)', file: 'eval/metrics.json', format: 'json', parse: parseMetrics, shape: SHAPES.metrics, seeds: [METRICS_JSON] },
  { name: 'parseMetrics (yaml)', file: 'metrics.yaml', format: 'yaml', parse: parseMetrics, shape: SHAPES.metrics, seeds: [METRICS_YAML] },
  { name: 'parseDataFile (toml)', file: 'data.toml', format: 'toml', parse: parseDataFile, shape: SHAPES.dataFile, seeds: [PARAMS_TOML] },
  { name: 'parsePlotData (tsv)', file: 'dvclive/plots/metrics/train/loss.tsv', format: 'tsv', parse: parsePlotData, shape: SHAPES.plotData, seeds: [LOSS_TSV] },
  { name: 'parsePlotData (csv)', file: 'eval/prc.csv', format: 'csv', parse: parsePlotData, shape: SHAPES.plotData, seeds: [PRC_CSV] },
  { name: 'parsePlotData (json)', file: 'eval/plots/roc.json', format: 'json', parse: parsePlotData, shape: SHAPES.plotData, seeds: [ROC_JSON] },
  { name: 'parsePlotData (yaml)', file: 'eval/plots/roc.yaml', format: 'yaml', parse: parsePlotData, shape: SHAPES.plotData, seeds: [toYaml(JSON.parse(ROC_JSON))] },
];

/**
 * Runs a parser on `text` and checks what holds for any input. `wellFormed` skips the
 * format oracle for text a serialiser wrote (it always parses, and the oracle is slow).
 */
function checkAnyInput(parser: TextParser, text: string, wellFormed = false): Parsed<unknown> {
  const result = timed(() => parser.parse(text, parser.file));
  expect(isMapping(result)).toBe(true);
  expectProblems(result.problems, parser.file, text);
  parser.shape(result.value, parser.file);
  if (checkText(text, parser.file)) {
    expect(result.problems.length).toBeGreaterThan(0);
  } else if (!wellFormed && brokenFor(parser.format, text)) {
    expect(result.problems.length).toBeGreaterThan(0);
  }
  return result;
}

/** Whether the format's own library rejects `text` (decidably broken), as an oracle independent of our loaders. */
function brokenFor(format: Format, text: string): boolean {
  switch (format) {
    case 'yaml':
      return parseDocument(text, { uniqueKeys: true }).errors.length > 0;
    case 'json':
      if (/NaN|Infinity/.test(text)) return false; // Python's extensions are read on purpose
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    case 'toml':
      try {
        tomlOracle(text);
        return false;
      } catch {
        return true;
      }
    case 'ini':
      // A non-blank, non-comment line that is neither `[section]` nor `key = value` cannot be read.
      return text.split(/\r\n|\r|\n/).some((line) => {
        const trimmed = line.trim();
        return trimmed !== '' && !trimmed.startsWith('#') && !trimmed.startsWith('[') && !trimmed.includes('=');
      });
    case 'csv':
    case 'tsv':
      return false; // csv reads any text
  }
}

// ---------------------------------------------------------------------------------------
// Arbitraries

/** Characters that mean something to YAML, JSON, TOML, INI, CSV or DVC's interpolation. */
const STRUCTURAL = [':', '-', ' ', '  ', '\n', '\r\n', '\t', '[', ']', '{', '}', ',', '"', "'", '&', '*', '!', '#', '%', '@', '`', '|', '>', '?', '=', '.', '/', '\\', '$', '${', '}', '~', '0', '1', 'a', 'é', '\u2028', '\uFEFF'];
const structuralText = fc.string({ unit: fc.constantFrom(...STRUCTURAL), maxLength: 80 });
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), structuralText);

/** Keys and values DVC files use, so random documents reach past the top-level checks. */
const VOCABULARY = [
  'stages', 'cmd', 'deps', 'outs', 'params', 'metrics', 'plots', 'artifacts', 'vars', 'foreach', 'do', 'matrix', 'wdir',
  'path', 'md5', 'hash', 'size', 'nfiles', 'cache', 'push', 'remote', 'schema', 'repo', 'url', 'rev', 'rev_lock', 'frozen',
  'type', 'desc', 'labels', 'meta', 'x', 'y', 'template', 'title', 'header', 'train', 'n_est', 'item', 'key', '__proto__', 'params.yaml',
];
const scalarValue = fc.oneof(
  fc.constantFrom('2.0', 'md5', '22a1a2931c8370d3aeedd7183606fd7f', '153aad06d376b6595932470e459ef42a.dir', 'model.pkl', '../x', 's3://b/x', 'python train.py', '${item}', '${missing}', '${', 'a ${item.x} b', '\\${literal}'),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
);
const { value: dvcShaped } = fc.letrec<{ value: unknown; list: unknown[]; map: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarValue, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...VOCABULARY), fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 5 }),
}));
const name = fc.oneof(fc.constantFrom('train', 'prepare', 'evaluate', 'train@us', '__proto__'), fc.string({ minLength: 1, maxLength: 8 }));
const pathText = fc.oneof(fc.constantFrom('model.pkl', 'data/features', '../shared/x.csv', 's3://bucket/m.pkl', '/abs/p', 'eval/metrics.json', ''), fc.string({ maxLength: 12 }));
const md5 = fc.oneof(fc.stringMatching(/^[0-9a-f]{32}(\.dir)?$/), fc.string({ maxLength: 40 }));
const entry = fc.record(
  {
    path: fc.oneof(pathText, dvcShaped),
    md5: fc.oneof(md5, dvcShaped),
    hash: fc.oneof(fc.constant('md5'), dvcShaped),
    size: fc.oneof(fc.nat(), dvcShaped),
    nfiles: fc.oneof(fc.nat(), dvcShaped),
    cache: fc.oneof(fc.boolean(), dvcShaped),
    push: fc.oneof(fc.boolean(), dvcShaped),
    remote: fc.oneof(name, dvcShaped),
    repo: fc.oneof(fc.record({ url: fc.webUrl(), rev: fc.string({ maxLength: 6 }), rev_lock: fc.stringMatching(/^[0-9a-f]{40}$/) }, { requiredKeys: ['url'] }), dvcShaped),
  },
  { requiredKeys: [] },
);
const oneOrShaped = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: dvcShaped });
const paramsFileKeys = fc.dictionary(pathText, fc.oneof(fc.constant(null), fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 })), { maxKeys: 2 });
const outputWithOptions = fc.dictionary(pathText, fc.record({ cache: fc.boolean(), remote: name, push: fc.boolean() }, { requiredKeys: [] }), { maxKeys: 1 });
const plotWithOptions = fc.dictionary(pathText, fc.record({ x: fc.string({ maxLength: 5 }), y: fc.string({ maxLength: 5 }), header: fc.boolean() }, { requiredKeys: [] }), { maxKeys: 1 });
const stageDefinition = fc.record(
  {
    cmd: oneOrShaped(fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }))),
    wdir: oneOrShaped(pathText),
    deps: oneOrShaped(fc.array(pathText, { maxLength: 3 })),
    params: oneOrShaped(fc.array(fc.oneof(fc.string({ maxLength: 8 }), paramsFileKeys), { maxLength: 3 })),
    outs: oneOrShaped(fc.array(fc.oneof(pathText, outputWithOptions), { maxLength: 3 })),
    metrics: oneOrShaped(fc.array(pathText, { maxLength: 2 })),
    plots: oneOrShaped(fc.array(fc.oneof(pathText, plotWithOptions), { maxLength: 2 })),
    foreach: dvcShaped,
    do: dvcShaped,
    matrix: oneOrShaped(fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.array(scalarValue, { minLength: 1, maxLength: 3 }), { maxKeys: 3 })),
    vars: dvcShaped,
  },
  { requiredKeys: [] },
);
const dvcYamlDocument = fc.record(
  {
    vars: oneOrShaped(fc.array(fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), scalarValue, { maxKeys: 3 }), { maxLength: 2 })),
    stages: oneOrShaped(fc.dictionary(name, oneOrShaped(stageDefinition), { maxKeys: 3 })),
    artifacts: oneOrShaped(
      fc.dictionary(name, oneOrShaped(fc.record({ path: pathText, type: fc.string({ maxLength: 5 }), desc: fc.string({ maxLength: 8 }), labels: fc.array(fc.string({ maxLength: 5 })), meta: dvcShaped }, { requiredKeys: [] })), { maxKeys: 3 }),
    ),
    metrics: oneOrShaped(fc.array(pathText, { maxLength: 3 })),
    params: oneOrShaped(fc.array(pathText, { maxLength: 3 })),
    plots: oneOrShaped(fc.array(fc.oneof(pathText, fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.constant(null), dvcShaped), { maxKeys: 2 })), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);
const dvcLockDocument = fc.record(
  {
    schema: fc.oneof({ weight: 4, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: dvcShaped }),
    stages: oneOrShaped(
      fc.dictionary(
        name,
        oneOrShaped(
          fc.record(
            {
              cmd: oneOrShaped(fc.string({ maxLength: 20 })),
              deps: oneOrShaped(fc.array(entry, { maxLength: 3 })),
              outs: oneOrShaped(fc.array(entry, { maxLength: 3 })),
              params: oneOrShaped(fc.dictionary(pathText, dvcShaped, { maxKeys: 2 })),
            },
            { requiredKeys: [] },
          ),
        ),
        { maxKeys: 3 },
      ),
    ),
  },
  { requiredKeys: [] },
);
const dvcFileDocument = fc.record(
  { outs: oneOrShaped(fc.array(entry, { maxLength: 3 })), deps: oneOrShaped(fc.array(entry, { maxLength: 2 })), md5: oneOrShaped(md5), frozen: oneOrShaped(fc.boolean()), wdir: oneOrShaped(pathText) },
  { requiredKeys: [] },
);

/** A random value for a parser, serialised in the parser's format (TOML only when it can be written). */
function documentsFor(parser: TextParser): fc.Arbitrary<string> {
  const shaped: fc.Arbitrary<unknown> = parser.parse === parseDvcYaml
    ? dvcYamlDocument
    : parser.parse === parseDvcFile
      ? dvcFileDocument
      : parser.name.startsWith('parseDvcLock')
        ? dvcLockDocument
        : fc.oneof(dvcShaped, fc.jsonValue({ maxDepth: 4 }));
  switch (parser.format) {
    case 'yaml':
      return shaped.map((value) => toYaml(value));
    case 'json':
      return shaped.map((value) => JSON.stringify(value) ?? 'null');
    case 'toml':
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), dvcShaped, { maxKeys: 4 }).map((value) => {
        try {
          return toToml(value);
        } catch {
          return ''; // null and mixed arrays have no TOML form
        }
      });
    case 'ini':
      return fc
        .array(fc.oneof(fc.constantFrom('[core]', '[remote "storage"]', "['remote \"Models\"']", 'remote = storage', 'url = s3://b/p', 'url = ../storage', 'version_aware = true', 'worktree = maybe', '# comment'), fc.string({ maxLength: 20 })), { maxLength: 8 })
        .map((lines) => lines.join('\n'));
    case 'csv':
    case 'tsv': {
      const delimiter = parser.format === 'csv' ? ',' : '\t';
      return fc.array(fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.double().map(String)), { maxLength: 4 }), { maxLength: 6 }).map((rows) => rows.map((row) => row.join(delimiter)).join('\n'));
    }
  }
}

/** Edits that break real files the way hands and tools do: one to four of them, positions taken modulo the length. */
type Edit =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'replace'; at: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'duplicateLine'; at: number }
  | { op: 'swapLines'; at: number; other: number }
  | { op: 'indent'; at: number; by: string };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(structuralText, fc.string({ unit: 'binary', maxLength: 3 })) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...STRUCTURAL) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicateLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.constantFrom(' ', '  ', '\t', '') }),
);

function applyEdit(text: string, change: Edit): string {
  const at = text.length === 0 ? 0 : change.at % (text.length + 1);
  const lines = text.split('\n');
  const line = lines.length === 0 ? 0 : change.at % lines.length;
  switch (change.op) {
    case 'insert':
      return text.slice(0, at) + change.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + change.length);
    case 'replace':
      return text.slice(0, at) + change.text + text.slice(at + 1);
    case 'truncate':
      return text.slice(0, at);
    case 'duplicateLine':
      lines.splice(line, 0, lines[line] ?? '');
      return lines.join('\n');
    case 'swapLines': {
      const other = change.other % lines.length;
      [lines[line], lines[other]] = [lines[other] ?? '', lines[line] ?? ''];
      return lines.join('\n');
    }
    case 'indent':
      lines[line] = change.by === '' ? (lines[line] ?? '').replace(/^[ \t]/, '') : change.by + (lines[line] ?? '');
      return lines.join('\n');
  }
}

// ---------------------------------------------------------------------------------------

describe.each(PARSERS.map((parser) => [parser.name, parser] as const))('%s on any input', (_name, parser) => {
  it('returns problems, never throws, on random text and unicode', () => {
    fc.assert(fc.property(anyText, (text) => void checkAnyInput(parser, text)));
  });

  const runs = parser.runs === undefined ? {} : { numRuns: parser.runs };

  it('returns problems, never throws, on random documents in its format', () => {
    fc.assert(
      fc.property(documentsFor(parser), (text) => void checkAnyInput(parser, text, true)),
      runs,
    );
  });

  it('returns problems, never throws, on edited real files', () => {
    fc.assert(
      fc.property(fc.constantFrom(...parser.seeds), fc.array(edit, { minLength: 1, maxLength: 4 }), (seed, edits) => {
        void checkAnyInput(parser, edits.reduce(applyEdit, seed));
      }),
      runs,
    );
  });

  it('reports binary and badly decoded text', () => {
    const damage = fc.constantFrom('\u0000', '\uFFFD', '\uD800', '\uDFFF');
    fc.assert(
      fc.property(fc.constantFrom(...parser.seeds), fc.nat(), damage, (seed, at, bad) => {
        const position = at % (seed.length + 1);
        const result = checkAnyInput(parser, seed.slice(0, position) + bad + seed.slice(position));
        expect(result.problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/looks binary|not valid UTF-8|not valid Unicode/) })]);
      }),
      { numRuns: 40 },
    );
  });

  it('reads its real files without problems', () => {
    for (const seed of parser.seeds) expect(timed(() => parser.parse(seed, parser.file)).problems).toEqual([]);
  });
});

describe('dvc.lock params', () => {
  it('flatten to the same dotted keys and values as parseParams gives for the file', () => {
    const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 6 }), fc.array(fc.integer(), { maxLength: 3 }));
    const { section } = fc.letrec<{ section: Record<string, unknown> }>((tie) => ({
      section: fc.dictionary(fc.stringMatching(/^[a-z_]{1,6}$/), fc.oneof({ depthSize: 'small' }, leaf, tie('section')), { minKeys: 1, maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(section, (values) => {
        const lock = toYaml({ schema: '2.0', stages: { train: { cmd: 'python train.py', params: { 'params.yaml': values } } } });
        const recorded = parseDvcLock(lock, 'dvc.lock').value.stages[0]?.params['params.yaml'];
        const expected: Record<string, unknown> = {};
        for (const { key, value } of parseParams(toYaml(values), 'params.yaml').value) if (!(key in expected)) expected[key] = value;
        expect(recorded).toEqual(expected);
      }),
    );
  });
});

describe('parsePlotData on CSV and TSV', () => {
  /** Quotes a cell the way Python's csv.writer does (QUOTE_MINIMAL), and empty cells so no row is blank. */
  const quote = (cell: string, delimiter: string): string =>
    cell === '' || /["\r\n]/.test(cell) || cell.includes(delimiter) || cell.startsWith(' ') ? `"${cell.replaceAll('"', '""')}"` : cell;
  const cellText = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }).filter((s) => !s.startsWith('\uFEFF') && checkText(s, 'x') === undefined),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.integer().map(String),
  );

  it.each([
    ['csv', ','],
    ['tsv', '\t'],
  ])('reads back every %s row Python csv.writer could have written', (suffix, delimiter) => {
    fc.assert(
      fc.property(
        fc.uniqueArray(cellText, { minLength: 1, maxLength: 4 }).chain((header) =>
          fc.tuple(fc.constant(header), fc.array(fc.array(cellText, { minLength: header.length, maxLength: header.length }), { maxLength: 6 }), fc.constantFrom('\n', '\r\n')),
        ),
        ([header, rows, newline]) => {
          const text = [header, ...rows].map((row) => row.map((cell) => quote(cell, delimiter)).join(delimiter)).join(newline) + newline;
          const { value, problems } = timed(() => parsePlotData(text, `plot.${suffix}`));
          expect(problems).toEqual([]);
          const numeric = (cell: string): unknown => (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(cell) && Number.isFinite(Number(cell)) ? Number(cell) : cell);
          expect(value).toEqual(rows.map((row) => Object.fromEntries(header.map((name, index) => [name, numeric(row[index] as string)]))));
        },
      ),
    );
  });
});

describe('parseGtoTag on any name', () => {
  const gtoName = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9\-/_]{0,10}[a-zA-Z0-9])?$/);
  const gtoDir = fc.stringMatching(/^[a-zA-Z0-9\-_./]{1,12}$/);
  const identifier = fc.oneof(fc.stringMatching(/^(?:0|[1-9]\d{0,3})$/), fc.stringMatching(/^\d{0,2}[a-zA-Z-][0-9a-zA-Z-]{0,4}$/));
  const semver = fc
    .tuple(fc.nat(99), fc.nat(99), fc.nat(99), fc.option(fc.array(identifier, { minLength: 1, maxLength: 3 })), fc.option(fc.array(fc.stringMatching(/^[0-9a-zA-Z-]{1,5}$/), { minLength: 1, maxLength: 2 })))
    .map(([major, minor, patch, pre, build]) => `v${major}.${minor}.${patch}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build.join('.')}` : ''}`);

  it('never throws, stays fast, and gives a parse consistent with the name', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ unit: fc.constantFrom('a', '1', '-', '/', '=', '.', '_', '@', '#', '!', 'v', ':'), maxLength: 60 })), (tag) => {
        const parsed = timed(() => parseGtoTag(tag));
        if (parsed === undefined) return;
        expect(parsed.tag).toBe(tag);
        expect(['register', 'deregister', 'assign', 'unassign', 'deprecate']).toContain(parsed.action);
        expect(tag.startsWith(gtoTagArtifactName(parsed.artifact))).toBe(true);
        if (parsed.counter !== undefined) expect(tag.endsWith(`#${tag.slice(tag.lastIndexOf('#') + 1)}`)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('reads every tag GTO writes back into its parts', () => {
    const tag = fc.record({
      dir: fc.option(gtoDir),
      name: gtoName,
      kind: fc.constantFrom('register', 'deregister', 'assign', 'unassign', 'deprecate'),
      version: semver,
      stage: gtoName,
      counter: fc.option(fc.nat(10_000)),
    });
    fc.assert(
      fc.property(tag, ({ dir, name, kind, version, stage, counter }) => {
        const artifact = dir === null ? name : `${dir}:${name}`;
        const middle = { register: `@${version}`, deregister: `@${version}!`, assign: `#${stage}`, unassign: `#${stage}!`, deprecate: '@deprecated' }[kind];
        const text = `${gtoTagArtifactName(artifact)}${middle}${counter === null ? '' : `#${counter}`}`;
        expect(timed(() => parseGtoTag(text))).toStrictEqual({
          tag: text,
          action: kind,
          artifact,
          ...(kind === 'register' || kind === 'deregister' ? { version } : {}),
          ...(kind === 'assign' || kind === 'unassign' ? { stage } : {}),
          ...(counter === null ? {} : { counter }),
        });
      }),
    );
  });
});

describe('storageUrl, pickRemote and explainNoStorage on any config and entry', () => {
  const remoteName = fc.oneof(fc.constantFrom('storage', 'models', 'backup'), fc.string({ minLength: 1, maxLength: 6 }));
  const remote: fc.Arbitrary<DvcRemote> = fc.record({
    name: remoteName.map((n) => n.toLowerCase()),
    url: fc.oneof(fc.constantFrom('s3://b/p', 's3://b/p///', '../storage', '/mnt/dvc', 'gs://b', '///'), fc.string({ maxLength: 20 })),
    versionAware: fc.boolean(),
    worktree: fc.boolean(),
  });
  const config: fc.Arbitrary<DvcConfig> = fc.record({ defaultRemote: remoteName.map((n) => n.toLowerCase()), remotes: fc.array(remote, { maxLength: 3 }) }, { requiredKeys: ['remotes'] });
  const storageEntry = fc.record(
    {
      repoPath: pathText,
      dvc3: fc.boolean(),
      md5: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}(\.dir)?$/), fc.string({ maxLength: 4 })),
      cache: fc.boolean(),
      push: fc.boolean(),
      remote: fc.oneof(remoteName, remoteName.map((n) => n.toUpperCase())),
    },
    { requiredKeys: ['repoPath', 'dvc3'] },
  );

  it('storageUrl puts a DVC object under the remote url, or gives nothing', () => {
    fc.assert(
      fc.property(remote, storageEntry, (r, e) => {
        const url = timed(() => storageUrl(r, e));
        if (url === undefined) return;
        expect(url.startsWith(r.url.replace(/\/+$/, ''))).toBe(true);
        if (!r.versionAware && e.md5) expect(url.endsWith(`/${e.md5.slice(0, 2)}/${e.md5.slice(2)}`)).toBe(true);
      }),
    );
  });

  it('pickRemote finds the named remote in any case, else the default, else nothing', () => {
    fc.assert(
      fc.property(config, fc.option(remoteName), (c, wanted) => {
        const picked = timed(() => pickRemote(c, wanted ?? undefined));
        const name = (wanted ?? c.defaultRemote)?.toLowerCase();
        if (name === undefined) expect(picked).toBeUndefined();
        else expect(picked).toBe(c.remotes.find((r) => r.name === name));
      }),
    );
  });

  it('explainNoStorage explains exactly the entries without a storage URL', () => {
    fc.assert(
      fc.property(fc.option(config), storageEntry, fc.option(remoteName), (c, e, requested) => {
        const why = timed(() => explainNoStorage(c ?? undefined, e, requested ?? undefined));
        const chosen = c ? pickRemote(c, e.remote ?? requested ?? undefined) : undefined;
        const stored = e.cache !== false && e.push !== false && chosen !== undefined && storageUrl(chosen, e) !== undefined;
        expect(why === undefined).toBe(stored);
      }),
    );
  });

  it('finds a remote parsed from a config by any spelling of its name', () => {
    const configName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/);
    fc.assert(
      fc.property(configName, fc.boolean(), (written, quoted) => {
        const header = quoted ? `['remote "${written}"']` : `[remote "${written}"]`;
        const parsed = parseDvcConfig(`[core]\nremote = ${written.toUpperCase()}\n${header}\nurl = s3://bucket/${written}\n`, '.dvc/config').value;
        for (const spelling of [written, written.toLowerCase(), written.toUpperCase(), undefined]) {
          expect(pickRemote(parsed, spelling)?.url).toBe(`s3://bucket/${written}`);
        }
      }),
    );
  });
});
