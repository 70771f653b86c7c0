import { checkText } from './checkText.js';
import { flattenLeaves } from './flattenLeaves.js';
import { loadYaml } from './loadYaml.js';
import { dirOf, joinRepoPath } from './paths.js';
import { readDvcEntry } from './readDvcEntry.js';
import { entriesOf, isMapping, kindOf, setOwn } from './shapes.js';
import type { DvcEntry, DvcLock, DvcLockStage, Parsed, Problem } from './types.js';

/**
 * Reads a `dvc.lock` (research §4). Only `schema: '2.0'` (DVC 2 and 3) is read; anything
 * else is one problem and no stages. Entry paths are relative to the stage's `wdir`, which
 * the lock file does not record: pass `stageWdirs` (stage name → wdir from the repository
 * root, from the matching `dvc.yaml`) to honour it; otherwise the lock's directory is used.
 * Params files become paths from the repository root, and their recorded values are
 * flattened to dotted keys exactly as `parseParams` flattens a params file (a whole section
 * `train: {n_est: 50}` becomes `train.n_est`; lists and nulls stay values), so both can be
 * compared key by key. Never throws.
 */
export function parseDvcLock(text: string, file: string, stageWdirs?: ReadonlyMap<string, string>): Parsed<DvcLock> {
  const dir = dirOf(file);
  const value: DvcLock = { file, dir, stages: [] };
  const unreadable = checkText(text, file);
  if (unreadable) return { value, problems: [unreadable] };
  const loaded = loadYaml(text, file);
  if (loaded.problems.length > 0 || loaded.value === null) return { value, problems: loaded.problems };
  const doc = loaded.value;
  const problems: Problem[] = [];
  const report = (where: (string | number)[], message: string): void => {
    const line = loaded.lineOf(where);
    problems.push({ file, ...(line ? { line } : {}), message });
  };
  if (!isMapping(doc)) {
    report([], `expected a mapping with 'schema' and 'stages' at the top level, got ${kindOf(doc)}`);
    return { value, problems };
  }
  if (doc.schema !== '2.0') {
    const found =
      doc.schema === undefined ? 'none (a DVC 1.x lock file?)' : typeof doc.schema === 'string' ? `'${doc.schema}'` : JSON.stringify(doc.schema);
    report(
      doc.schema === undefined ? [] : ['schema'],
      `unsupported dvc.lock schema ${found}; expected '2.0', the schema DVC 2 and 3 write (DVC 3 reads no other), so no stages were read. Run 'dvc repro' with DVC 3 to rewrite the file`,
    );
    return { value, problems };
  }
  const stages = doc.stages;
  if (stages === undefined || stages === null) return { value, problems };
  if (!isMapping(stages)) {
    report(['stages'], `expected a mapping of stage names to their locked state, got ${kindOf(stages)}`);
    return { value, problems };
  }
  for (const [name, raw] of entriesOf(stages)) {
    const where = ['stages', name];
    if (!isMapping(raw)) {
      report(where, `stages.${name}: expected {cmd, deps, params, outs}, got ${kindOf(raw)}`);
      continue;
    }
    const wdir = stageWdirs?.get(name) ?? dir;
    const stage: DvcLockStage = { name, deps: [], params: {}, outs: [] };
    const { cmd } = raw;
    if (typeof cmd === 'string' || (Array.isArray(cmd) && cmd.every((part) => typeof part === 'string'))) stage.cmd = cmd;
    else if (cmd !== undefined) report([...where, 'cmd'], `stages.${name}.cmd: expected a string or a list of strings, got ${kindOf(cmd)}`);
    stage.deps = readEntries(raw.deps, wdir, [...where, 'deps'], `stages.${name}.deps`, report);
    stage.outs = readEntries(raw.outs, wdir, [...where, 'outs'], `stages.${name}.outs`, report);

    const params = raw.params;
    if (isMapping(params)) {
      for (const [paramsFile, values] of entriesOf(params)) {
        if (isMapping(values)) setOwn(stage.params, joinRepoPath(wdir, paramsFile), flatParams(values));
        else report([...where, 'params', paramsFile], `stages.${name}.params.${paramsFile}: expected a mapping of keys to values, got ${kindOf(values)}`);
      }
    } else if (params !== undefined && params !== null) {
      report([...where, 'params'], `stages.${name}.params: expected a mapping of params files to values, got ${kindOf(params)}`);
    }
    value.stages.push(stage);
  }
  return { value, problems };
}

function readEntries(
  raw: unknown,
  base: string,
  where: (string | number)[],
  label: string,
  report: (where: (string | number)[], message: string) => void,
): DvcEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    report(where, `${label}: expected a list of {path, md5, …}, got ${kindOf(raw)}`);
    return [];
  }
  return raw.flatMap((item, index) => {
    const { entry, warnings } = readDvcEntry(item, base);
    for (const warning of warnings) report([...where, index], `${label}[${index}]: ${warning}`);
    return entry ? [entry] : [];
  });
}

/** Recorded params as dotted keys, the way `parseParams` flattens a file; a repeated key keeps its first value. */
function flatParams(values: Record<string, unknown>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const { key, value } of flattenLeaves(values)) if (!Object.prototype.hasOwnProperty.call(flat, key)) setOwn(flat, key, value);
  return flat;
}
