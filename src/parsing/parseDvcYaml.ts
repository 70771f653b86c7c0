import { checkText } from './checkText.js';
import type { DvcYamlScope, YamlPath } from './dvcYamlScope.js';
import { formatYamlPath } from './dvcYamlScope.js';
import { findPlaceholder, interpolate } from './interpolate.js';
import { loadYaml } from './loadYaml.js';
import { isValidGtoFullName } from './parseGtoTag.js';
import { dirOf, joinRepoPath } from './paths.js';
import { readDvcYamlStages } from './readDvcYamlStages.js';
import { readPlotOptions } from './readPlotOptions.js';
import { clip, entriesOf, isMapping, kindOf } from './shapes.js';
import type { ArtifactDeclaration, DvcYaml, Parsed, PlotDeclaration, Problem } from './types.js';
import { DEFAULT_VARS_FILE, loadVarsFile, mergeVars } from './varsFiles.js';
import type { VarsFiles } from './varsFiles.js';

/** How to parse a `dvc.yaml`. */
export interface ParseDvcYamlOptions {
  /**
   * The files `${…}` may read (`varsFilesOf` lists them): `params.yaml` next to the file and
   * `vars:` file entries. Without it only inline `vars:` mappings are used.
   */
  varsFiles?: VarsFiles;
}

const ARTIFACT_KEYS = new Set(['path', 'type', 'desc', 'labels', 'meta']);
const TOP_LEVEL_KEYS = new Set(['stages', 'vars', 'params', 'metrics', 'plots', 'artifacts', 'datasets']);

/**
 * Reads a `dvc.yaml` (research §1 and §3): `artifacts`, `stages` (with `foreach`/`matrix`
 * expanded), and the top-level `metrics`, `params` and `plots`. `file` is its path from the
 * repository root; every path in the result is from the repository root too. `${…}` is
 * resolved from the file's own `vars:` mappings. Bad content becomes problems; what can
 * still be read is kept. Never throws.
 */
export function parseDvcYaml(text: string, file: string, options: ParseDvcYamlOptions = {}): Parsed<DvcYaml> {
  const dir = dirOf(file);
  const value: DvcYaml = { file, dir, artifacts: [], stages: [], metrics: [], params: [], plots: [] };
  const unreadable = checkText(text, file);
  if (unreadable) return { value, problems: [unreadable] };
  const loaded = loadYaml(text, file);
  if (loaded.problems.length > 0 || loaded.value === null) return { value, problems: loaded.problems };
  const doc = loaded.value;
  const problems: Problem[] = [];
  const reported = new Set<string>();
  if (!isMapping(doc)) {
    problems.push({ file, line: 1, message: `expected a mapping at the top level (artifacts:, stages:, …), got ${kindOf(doc)}` });
    return { value, problems };
  }
  const scope: DvcYamlScope = {
    dir,
    vars: {},
    ...(options.varsFiles ? { files: options.varsFiles } : {}),
    report(where, message) {
      const line = loaded.lineOf(where);
      const problem: Problem = { file, ...(line ? { line } : {}), message: `${formatYamlPath(where)}: ${message}` };
      // An expanded stage repeats its template's problems once per item; report them once.
      const key = `${problem.line ?? ''}\u0000${problem.message}`;
      if (reported.has(key)) return;
      reported.add(key);
      problems.push(problem);
    },
  };
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key)) scope.report([key], `unknown section '${key}' is ignored (DVC reads ${[...TOP_LEVEL_KEYS].join(', ')})`);
  }
  try {
    scope.vars = readVars(doc.vars, scope);
    value.artifacts = readArtifacts(doc.artifacts, scope);
    const { stages, plots } = readDvcYamlStages(doc.stages, scope);
    value.stages = stages;
    value.metrics = readPaths(doc.metrics, ['metrics'], scope);
    value.params = readPaths(doc.params, ['params'], scope);
    value.plots = [...plots, ...readTopLevelPlots(doc.plots, scope)];
  } catch (error) {
    // Only absurd nesting gets here (the call stack runs out); report it rather than throw.
    if (!(error instanceof RangeError)) throw error;
    problems.push({ file, message: `too deeply nested to read (${error.message})` });
  }
  return { value, problems };
}

/**
 * `vars:` mappings, merged in order. File references (`params.yaml`, `f.json:key`) are not
 * read. DVC refuses `${…}` inside `vars` ("interpolating is not allowed"), which also rules
 * out variables defined through each other; such a value is reported and used as written,
 * never resolved again, so a self-reference cannot loop.
 */
function readVars(raw: unknown, scope: DvcYamlScope): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  // DVC loads params.yaml next to dvc.yaml first, when it exists.
  const defaults = scope.files?.get(joinRepoPath(scope.dir, DEFAULT_VARS_FILE));
  if (isMapping(defaults)) mergeVars(vars, defaults, () => undefined);
  if (raw === undefined || raw === null) return vars;
  if (!Array.isArray(raw)) {
    scope.report(['vars'], `expected a list of mappings or file names, got ${kindOf(raw)}`);
    return vars;
  }
  raw.forEach((entry, index) => {
    if (isMapping(entry)) {
      mergeVars(vars, entry, (key) => scope.report(['vars', index], `variable '${key}' is already defined (in params.yaml or an earlier vars entry); DVC refuses to merge it (MergeError), so the first definition is kept`));
      for (const [key, item] of entriesOf(entry)) {
        const placeholder = findPlaceholder(item);
        if (placeholder !== undefined) {
          scope.report(['vars', index, key], `'${clip(placeholder)}': DVC does not allow \${…} inside vars (interpolating is not allowed), so variables cannot refer to each other; the value is used as written. Write the value itself`);
        }
      }
    } else if (typeof entry !== 'string') scope.report(['vars', index], `expected a mapping or a file name, got ${kindOf(entry)}`);
    else if (findPlaceholder(entry) !== undefined) scope.report(['vars', index], `'${clip(entry)}': DVC does not allow \${…} inside vars (interpolating is not allowed)`);
    else if (scope.files) loadVarsFile(entry, scope.dir, scope.files, vars, ['vars', index], scope.report);
  });
  return vars;
}

function readArtifacts(raw: unknown, scope: DvcYamlScope): ArtifactDeclaration[] {
  if (raw === undefined || raw === null) return [];
  if (!isMapping(raw)) {
    scope.report(['artifacts'], `expected a mapping of artifact names to {path, type, desc, labels, meta}, got ${kindOf(raw)}`);
    return [];
  }
  const artifacts: ArtifactDeclaration[] = [];
  for (const [rawName, rawDefinition] of entriesOf(raw)) {
    const where = ['artifacts', rawName];
    // Names are interpolated too (DVC resolves keys), so resolve the pair as one mapping.
    const { value, errors } = interpolate({ [rawName]: rawDefinition }, scope.vars);
    for (const error of errors) scope.report(where, error);
    const [[name, definition] = [rawName, undefined]] = entriesOf(value as Record<string, unknown>);
    if (!isMapping(definition)) {
      scope.report(where, `expected {path, type, desc, labels, meta}, got ${kindOf(definition)}; the artifact is skipped`);
      continue;
    }
    const unknown = Object.keys(definition).filter((key) => !ARTIFACT_KEYS.has(key));
    if (unknown.length > 0) {
      scope.report(where, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (allowed: path, type, desc, labels, meta); DVC rejects the declaration, so it is skipped`);
      continue;
    }
    const { path, type, desc, labels, meta } = definition;
    if (typeof path !== 'string' || path === '') {
      scope.report(where, `'path' is required (a path relative to the dvc.yaml directory, or a URL), got ${kindOf(path)}; the artifact is skipped`);
      continue;
    }
    const fullName = scope.dir ? `${scope.dir}:${name}` : name;
    if (!isValidGtoFullName(fullName)) {
      scope.report(where, `'${fullName}' is not a valid GTO artifact name (letters, digits, '-', '_', '/', starting and ending with a letter or digit); it is listed but cannot be tagged`);
    }
    const artifact: ArtifactDeclaration = { fullName, name, dir: scope.dir, path, repoPath: joinRepoPath(scope.dir, path), labels: [] };
    if (typeof type === 'string') artifact.type = type;
    else if (type !== undefined && type !== null) scope.report([...where, 'type'], `expected a string, got ${kindOf(type)}`);
    if (typeof desc === 'string') artifact.description = desc;
    else if (desc !== undefined && desc !== null) scope.report([...where, 'desc'], `expected a string, got ${kindOf(desc)}`);
    if (Array.isArray(labels)) {
      artifact.labels = labels.filter((label): label is string => typeof label === 'string');
      if (artifact.labels.length !== labels.length) scope.report([...where, 'labels'], 'expected a list of strings; other entries are ignored');
    } else if (labels !== undefined && labels !== null) scope.report([...where, 'labels'], `expected a list of strings, got ${kindOf(labels)}`);
    if (meta !== undefined) artifact.meta = meta;
    artifacts.push(artifact);
  }
  return artifacts;
}

/** Top-level `metrics:` or `params:`: a list of files relative to the `dvc.yaml` directory. */
function readPaths(raw: unknown, where: YamlPath, scope: DvcYamlScope): string[] {
  if (raw === undefined || raw === null) return [];
  const { value, errors } = interpolate(raw, scope.vars);
  for (const error of errors) scope.report(where, error);
  if (!Array.isArray(value)) {
    scope.report(where, `expected a list of file paths, got ${kindOf(value)}`);
    return [];
  }
  return value.flatMap((item, index) => {
    if (typeof item === 'string') return [joinRepoPath(scope.dir, item)];
    scope.report([...where, index], `expected a file path, got ${kindOf(item)}`);
    return [];
  });
}

/** Top-level `plots:`: paths, or `{id: {x, y, template, …} | null}` where a bare id is a path. */
function readTopLevelPlots(raw: unknown, scope: DvcYamlScope): PlotDeclaration[] {
  if (raw === undefined || raw === null) return [];
  const { value, errors } = interpolate(raw, scope.vars);
  for (const error of errors) scope.report(['plots'], error);
  if (!Array.isArray(value)) {
    scope.report(['plots'], `expected a list of paths or {id: {x, y, …}}, got ${kindOf(value)}`);
    return [];
  }
  const plots: PlotDeclaration[] = [];
  value.forEach((entry, index) => {
    const where = ['plots', index];
    if (typeof entry === 'string') {
      const repoPath = joinRepoPath(scope.dir, entry);
      plots.push({ id: repoPath, files: [repoPath] });
      return;
    }
    if (!isMapping(entry)) {
      scope.report(where, `expected a path or {id: {x, y, …}}, got ${kindOf(entry)}`);
      return;
    }
    for (const [id, options] of entriesOf(entry)) {
      if (options !== null && !isMapping(options)) {
        scope.report([...where, id], `expected {x, y, template, title, x_label, y_label}, got ${kindOf(options)}`);
        continue;
      }
      const read = readPlotOptions(options ?? {}, (field, expected, got) =>
        scope.report([...where, id, field], `${field}: expected ${expected}, got ${kindOf(got)}`),
      );
      const named = read.files.length > 0 ? [...new Set(read.files)] : [id];
      const fields = Object.entries(read.fields).map(([path, names]) => [joinRepoPath(scope.dir, path), names] as const);
      plots.push({ id, files: named.map((path) => joinRepoPath(scope.dir, path)), ...read.options, ...(fields.length > 0 ? { fields: Object.fromEntries(fields) } : {}) });
    }
  });
  return plots;
}
