import type { YamlPath } from './dvcYamlScope.js';
import { loadYaml } from './loadYaml.js';
import { dirOf, joinRepoPath } from './paths.js';
import { entriesOf, isMapping, setOwn } from './shapes.js';

/**
 * The data files a `dvc.yaml` interpolates from, as the caller read them: path from the
 * repository root → the file's parsed content (`parseDataFile`), or `undefined` when it is
 * not in Git or did not parse.
 */
export type VarsFiles = ReadonlyMap<string, unknown>;

/** DVC's default vars file, loaded when it exists next to `dvc.yaml` (dvc `DEFAULT_PARAMS_FILE`). */
export const DEFAULT_VARS_FILE = 'params.yaml';

/** `path` and selected keys of a `vars:` file entry (`config.json:train,data`). */
export function splitVarsEntry(entry: string): { path: string; keys: string[] } {
  const colon = entry.indexOf(':');
  if (colon < 0) return { path: entry, keys: [] };
  return {
    path: entry.slice(0, colon),
    keys: entry
      .slice(colon + 1)
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
  };
}

/**
 * Every file DVC would read to interpolate a `dvc.yaml` (dvc `Context.load_from_vars`):
 * `params.yaml` in its directory, the file entries of the top-level `vars:` (relative to
 * that directory) and of each stage's `vars:` (relative to the stage's `wdir` when it is
 * written plainly). Paths from the repository root; the caller reads those that exist.
 * Never throws.
 */
export function varsFilesOf(text: string, file: string): string[] {
  const dir = dirOf(file);
  const wanted = new Set<string>([joinRepoPath(dir, DEFAULT_VARS_FILE)]);
  const loaded = loadYaml(text, file);
  const doc = loaded.value;
  if (loaded.problems.length > 0 || !isMapping(doc)) return [...wanted];
  const addAll = (vars: unknown, base: string): void => {
    if (!Array.isArray(vars)) return;
    for (const entry of vars) if (typeof entry === 'string' && !entry.includes('${')) wanted.add(joinRepoPath(base, splitVarsEntry(entry).path));
  };
  addAll(doc.vars, dir);
  if (isMapping(doc.stages)) {
    for (const [, stage] of entriesOf(doc.stages)) {
      if (!isMapping(stage)) continue;
      const body = isMapping(stage.do) ? stage.do : stage;
      const wdir = typeof body.wdir === 'string' && !body.wdir.includes('${') ? joinRepoPath(dir, body.wdir) : dir;
      addAll(body.vars, wdir);
    }
  }
  return [...wanted];
}

/**
 * Merges `source` into `target` as DVC's `merge_update` does: mappings merge key by key;
 * the same leaf defined twice is a conflict DVC refuses (`MergeError`), reported through
 * `conflict` with the dotted key, and the first definition is kept.
 */
export function mergeVars(target: Record<string, unknown>, source: Record<string, unknown>, conflict: (key: string) => void, prefix = ''): void {
  for (const [key, value] of entriesOf(source)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    const existing = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
    if (!Object.prototype.hasOwnProperty.call(target, key)) {
      // A copy: later merges must never change the caller's parsed file.
      setOwn(target, key, structuredClone(value));
    } else if (isMapping(existing) && isMapping(value)) {
      mergeVars(existing, value, conflict, dotted);
    } else {
      conflict(dotted);
    }
  }
}

/**
 * Loads one `vars:` file entry (`file[:key,…]`) relative to `base` into `vars`, or
 * reports why it cannot: the file is not in Git, does not hold a mapping, lacks a selected
 * key, or redefines a variable.
 */
export function loadVarsFile(
  entry: string,
  base: string,
  files: VarsFiles,
  vars: Record<string, unknown>,
  where: YamlPath,
  report: (where: YamlPath, message: string) => void,
): void {
  const { path, keys } = splitVarsEntry(entry);
  const repoPath = joinRepoPath(base, path);
  const data = files.get(repoPath);
  if (!isMapping(data)) {
    report(where, `vars file '${repoPath}' ${files.has(repoPath) ? 'does not hold a mapping of variables' : 'is not in Git at this commit'}; DVC cannot interpolate from it`);
    return;
  }
  let selected: Record<string, unknown> = data;
  if (keys.length > 0) {
    selected = {};
    for (const key of keys) {
      if (Object.prototype.hasOwnProperty.call(data, key)) setOwn(selected, key, data[key]);
      else report(where, `vars file '${repoPath}' has no key '${key}'`);
    }
  }
  mergeVars(vars, selected, (key) => report(where, `variable '${key}' from '${repoPath}' is already defined; DVC refuses to merge it (MergeError), so the first definition is kept`));
}
