import type { DvcYamlScope, YamlPath } from './dvcYamlScope.js';
import { findPlaceholder, interpolate } from './interpolate.js';
import { joinRepoPath } from './paths.js';
import { readPlotOptions } from './readPlotOptions.js';
import { clip, entriesOf, isMapping, kindOf, setOwn } from './shapes.js';
import type { ParamsReference, PlotDeclaration, StageDefinition, StageOutput } from './types.js';
import { loadVarsFile } from './varsFiles.js';

/** `foreach`/`matrix` may not turn one stage into more than this many. */
const MAX_EXPANDED = 1000;

const STAGE_KEYS = new Set(['cmd', 'wdir', 'deps', 'params', 'outs', 'metrics', 'plots', 'frozen', 'always_changed', 'meta', 'desc', 'vars']);
const OUTPUT_KINDS = { outs: 'out', metrics: 'metric', plots: 'plot' } as const;

/** One concrete stage to read: its name, its definition, and the variables it sees. */
interface StageInstance {
  name: string;
  definition: Record<string, unknown>;
  vars: Record<string, unknown>;
  /** Where the definition is in the file (`stages.x.do` for `foreach`). */
  where: YamlPath;
}

/**
 * Reads `stages:` of a `dvc.yaml`. `foreach`/`do` and `matrix` stages become `name@key`
 * stages as DVC names them (`dvc/parsing` `JOIN`); a stage that cannot be read or expanded
 * is reported and left out. Plot outputs with options also give plot declarations.
 */
export function readDvcYamlStages(raw: unknown, scope: DvcYamlScope): { stages: StageDefinition[]; plots: PlotDeclaration[] } {
  const stages: StageDefinition[] = [];
  const plots: PlotDeclaration[] = [];
  if (raw === undefined || raw === null) return { stages, plots };
  if (!isMapping(raw)) {
    scope.report(['stages'], `expected a mapping of stage names to definitions, got ${kindOf(raw)}`);
    return { stages, plots };
  }
  const seen = new Set<string>();
  for (const [name, definition] of entriesOf(raw)) {
    const where = ['stages', name];
    if (!isMapping(definition)) {
      scope.report(where, `expected a stage definition (a mapping with cmd, deps, outs, …), got ${kindOf(definition)}`);
      continue;
    }
    for (const instance of expandStage(name, definition, scope, where)) {
      if (seen.has(instance.name)) {
        scope.report(where, `stage '${instance.name}' is defined twice; the second one is ignored`);
        continue;
      }
      seen.add(instance.name);
      stages.push(readStage(instance, scope, plots));
    }
  }
  return { stages, plots };
}

function expandStage(name: string, definition: Record<string, unknown>, scope: DvcYamlScope, where: YamlPath): StageInstance[] {
  if ('foreach' in definition) return expandForeach(name, definition, scope, where);
  if ('matrix' in definition) return expandMatrix(name, definition, scope, where);
  return [{ name, definition, vars: scope.vars, where }];
}

function expandForeach(name: string, definition: Record<string, unknown>, scope: DvcYamlScope, where: YamlPath): StageInstance[] {
  const { value: iterable, errors } = interpolate(definition.foreach, scope.vars);
  const body = definition.do;
  const extra = Object.keys(definition).filter((key) => key !== 'foreach' && key !== 'do');
  const skip = (why: string): StageInstance[] => {
    scope.report(where, `foreach: ${why}; the stage is skipped`);
    return [];
  };
  if (errors.length > 0) return skip(errors.join('; '));
  if (!Array.isArray(iterable) && !isMapping(iterable)) return skip(`expected a list or a mapping, got ${kindOf(iterable)}`);
  if (!isMapping(body)) return skip(`'do' must be a stage definition, got ${kindOf(body)}`);
  if (extra.length > 0) return skip(`only 'foreach' and 'do' may appear together, also found ${extra.join(', ')}`);
  // DVC's keys: a mapping's keys; a list of scalars' values; a list with composites' indexes.
  const items: [string, unknown][] = isMapping(iterable)
    ? entriesOf(iterable)
    : iterable.some((item) => Array.isArray(item) || isMapping(item))
      ? iterable.map((item, index) => [String(index), item])
      : iterable.map((item) => [scalarText(item), item]);
  if (items.length > MAX_EXPANDED) return skip(`${items.length} items is more than the ${MAX_EXPANDED} Modelgate expands`);
  return items.map(([key, item]) => {
    const vars = { ...scope.vars };
    setOwn(vars, 'item', item);
    if (isMapping(iterable)) setOwn(vars, 'key', key);
    return { name: `${name}@${key}`, definition: body, vars, where: [...where, 'do'] };
  });
}

function expandMatrix(name: string, definition: Record<string, unknown>, scope: DvcYamlScope, where: YamlPath): StageInstance[] {
  const { value: matrix, errors } = interpolate(definition.matrix, scope.vars);
  const skip = (why: string): StageInstance[] => {
    scope.report(where, `matrix: ${why}; the stage is skipped`);
    return [];
  };
  if (errors.length > 0) return skip(errors.join('; '));
  if (!isMapping(matrix) || Object.keys(matrix).length === 0) return skip(`expected a mapping of names to lists, got ${kindOf(matrix)}`);
  const axes = entriesOf(matrix);
  let size = 1;
  for (const [axis, values] of axes) {
    if (!Array.isArray(values) || values.length === 0) return skip(`'${axis}' must be a non-empty list, got ${kindOf(values)}`);
    size *= values.length;
  }
  if (size > MAX_EXPANDED) return skip(`${size} combinations is more than the ${MAX_EXPANDED} Modelgate expands`);
  const body: Record<string, unknown> = {};
  for (const [key, value] of entriesOf(definition)) if (key !== 'matrix') setOwn(body, key, value);
  // Cartesian product in axis order; a composite value is named `<axis><index>` as DVC does.
  let combos: { item: Record<string, unknown>; parts: string[] }[] = [{ item: {}, parts: [] }];
  for (const [axis, values] of axes) {
    combos = combos.flatMap((combo) =>
      (values as unknown[]).map((value, index) => {
        const item = { ...combo.item };
        setOwn(item, axis, value);
        const part = Array.isArray(value) || isMapping(value) ? `${axis}${index}` : scalarText(value);
        return { item, parts: [...combo.parts, part] };
      }),
    );
  }
  return combos.map(({ item, parts }) => {
    const vars = { ...scope.vars };
    setOwn(vars, 'item', item);
    return { name: `${name}@${parts.join('-')}`, definition: body, vars, where };
  });
}

function readStage(instance: StageInstance, scope: DvcYamlScope, plots: PlotDeclaration[]): StageDefinition {
  const { where } = instance;
  const vars = withStageVars(instance, scope);
  const { value, errors } = interpolate(instance.definition, vars);
  for (const error of errors) scope.report(where, error);
  const definition = value as Record<string, unknown>;

  for (const key of Object.keys(definition)) {
    if (!STAGE_KEYS.has(key)) scope.report([...where, key], `unknown stage field '${key}' is ignored`);
  }
  let wdir = scope.dir;
  if (definition.wdir !== undefined) {
    if (typeof definition.wdir === 'string') wdir = joinRepoPath(scope.dir, definition.wdir);
    else scope.report([...where, 'wdir'], `wdir: expected a directory path, got ${kindOf(definition.wdir)}`);
  }
  const stage: StageDefinition = { name: instance.name, wdir, deps: [], params: [], outs: [] };

  const cmd = definition.cmd;
  if (typeof cmd === 'string' || (Array.isArray(cmd) && cmd.every((part) => typeof part === 'string'))) stage.cmd = cmd;
  else if (cmd === undefined) scope.report(where, 'cmd is required (the command that runs the stage)');
  else scope.report([...where, 'cmd'], `cmd: expected a string or a list of strings, got ${kindOf(cmd)}`);

  stage.deps = stringList(definition.deps, [...where, 'deps'], scope).map((dep) => joinRepoPath(wdir, dep));
  stage.params = readStageParams(definition.params, wdir, [...where, 'params'], scope);
  for (const [field, kind] of Object.entries(OUTPUT_KINDS)) {
    const list = definition[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      scope.report([...where, field], `${field}: expected a list, got ${kindOf(list)}`);
      continue;
    }
    list.forEach((entry, index) => {
      const output = readOutput(entry, kind, wdir, [...where, field, index], scope, plots);
      if (output) stage.outs.push(output);
    });
  }
  return stage;
}

/** Stage-level `vars:` mappings are added to the file's variables for that stage. */
function withStageVars(instance: StageInstance, scope: DvcYamlScope): Record<string, unknown> {
  const { where } = instance;
  const local = instance.definition.vars;
  if (local === undefined) return instance.vars;
  const vars = { ...instance.vars };
  if (!Array.isArray(local)) {
    scope.report([...where, 'vars'], `vars: expected a list, got ${kindOf(local)}`);
    return vars;
  }
  local.forEach((entry, index) => {
    if (typeof entry === 'string' && scope.files && findPlaceholder(entry) === undefined) {
      loadVarsFile(entry, stageBase(instance, scope), scope.files, vars, [...where, 'vars', index], scope.report);
      return;
    }
    if (!isMapping(entry)) return;
    for (const [key, value] of entriesOf(entry)) {
      setOwn(vars, key, value);
      const placeholder = findPlaceholder(value);
      if (placeholder !== undefined) {
        scope.report([...where, 'vars', index, key], `'${clip(placeholder)}': DVC does not allow \${…} inside vars (interpolating is not allowed); the value is used as written`);
      }
    }
  });
  return vars;
}

/** Where a stage's `vars:` files are relative to: its plainly written `wdir`, else the `dvc.yaml`'s directory. */
function stageBase(instance: StageInstance, scope: DvcYamlScope): string {
  const { wdir } = instance.definition;
  return typeof wdir === 'string' && findPlaceholder(wdir) === undefined ? joinRepoPath(scope.dir, wdir) : scope.dir;
}

/** DVC's `_merge_params`: bare keys go to `params.yaml`; `{file: null}` or `{file: []}` tracks the whole file. */
function readStageParams(
  raw: unknown,
  wdir: string,
  where: YamlPath,
  scope: DvcYamlScope,
): ParamsReference[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    scope.report(where, `params: expected a list of keys or {file: [keys]}, got ${kindOf(raw)}`);
    return [];
  }
  const whole = new Set<string>();
  for (const entry of raw) {
    if (!isMapping(entry)) continue;
    for (const [file, keys] of entriesOf(entry)) {
      if (keys === null || keys === undefined || (Array.isArray(keys) && keys.length === 0)) whole.add(joinRepoPath(wdir, file));
    }
  }
  const byFile = new Map<string, Set<string> | undefined>();
  const add = (file: string, keys: unknown[], at: YamlPath): void => {
    if (whole.has(file)) {
      byFile.set(file, undefined);
      return;
    }
    const set = byFile.get(file) ?? new Set<string>();
    byFile.set(file, set);
    for (const key of keys) {
      if (typeof key === 'string') set.add(key);
      else scope.report(at, `params: expected a key name, got ${kindOf(key)}`);
    }
  };
  raw.forEach((entry, index) => {
    if (typeof entry === 'string') add(joinRepoPath(wdir, 'params.yaml'), [entry], [...where, index]);
    else if (isMapping(entry)) {
      for (const [file, keys] of entriesOf(entry)) {
        const path = joinRepoPath(wdir, file);
        if (Array.isArray(keys) || whole.has(path)) add(path, Array.isArray(keys) ? keys : [], [...where, index]);
        else scope.report([...where, index], `params: expected a list of keys (or nothing) for '${file}', got ${kindOf(keys)}`);
      }
    } else scope.report([...where, index], `params: expected a key or {file: [keys]}, got ${kindOf(entry)}`);
  });
  return [...byFile].map(([file, keys]) => (keys ? { file, keys: [...keys] } : { file }));
}

function readOutput(
  entry: unknown,
  kind: StageOutput['kind'],
  wdir: string,
  where: YamlPath,
  scope: DvcYamlScope,
  plots: PlotDeclaration[],
): StageOutput | undefined {
  if (typeof entry === 'string') {
    const repoPath = joinRepoPath(wdir, entry);
    if (kind === 'plot') plots.push({ id: repoPath, files: [repoPath] });
    return { repoPath, kind, cache: true };
  }
  const pairs = isMapping(entry) ? entriesOf(entry) : [];
  const [pair] = pairs;
  if (!pair || pairs.length !== 1) {
    scope.report(where, `expected a path or {path: {cache, remote, push, …}}, got ${kindOf(entry)}`);
    return undefined;
  }
  const [path, options = {}] = pair;
  const repoPath = joinRepoPath(wdir, path);
  const output: StageOutput = { repoPath, kind, cache: true };
  if (options === null) {
    if (kind === 'plot') plots.push({ id: repoPath, files: [repoPath] });
    return output;
  }
  if (!isMapping(options)) {
    scope.report(where, `options of '${path}': expected a mapping, got ${kindOf(options)}`);
    return output;
  }
  const bad = (field: string, expected: string, value: unknown): void =>
    scope.report([...where, path, field], `${field} of '${path}': expected ${expected}, got ${kindOf(value)}`);
  if (options.cache !== undefined) {
    if (typeof options.cache === 'boolean') output.cache = options.cache;
    else bad('cache', 'true or false', options.cache);
  }
  if (options.push !== undefined) {
    if (typeof options.push === 'boolean') output.push = options.push;
    else bad('push', 'true or false', options.push);
  }
  if (options.remote !== undefined) {
    if (typeof options.remote === 'string') output.remote = options.remote;
    else bad('remote', 'a remote name', options.remote);
  }
  if (kind === 'plot') {
    const plot = readPlotOptions(options, (field, expected, value) => bad(field, expected, value));
    // `header` (CSV/TSV only) is an output plot property; top-level plots have none in DVC's schema.
    const { header } = options;
    if (header !== undefined && header !== null && typeof header !== 'boolean') bad('header', 'true or false', header);
    plots.push({ id: repoPath, files: [repoPath], ...plot.options, ...(typeof header === 'boolean' ? { header } : {}) });
  }
  return output;
}

function stringList(raw: unknown, where: YamlPath, scope: DvcYamlScope): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    scope.report(where, `${String(where[where.length - 1])}: expected a list of paths, got ${kindOf(raw)}`);
    return [];
  }
  return raw.filter((item, index): item is string => {
    if (typeof item === 'string') return true;
    scope.report([...where, index], `expected a path, got ${kindOf(item)}`);
    return false;
  });
}

/** DVC's `to_str` for keys: booleans as `true`/`false`, `None` for null. */
function scalarText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'None';
  return String(value);
}
