import { checkText } from './checkText.js';
import { loadYaml } from './loadYaml.js';
import { dirOf, joinRepoPath } from './paths.js';
import { readDvcEntry } from './readDvcEntry.js';
import { isMapping, kindOf } from './shapes.js';
import type { DvcEntry, DvcFile, Parsed, Problem } from './types.js';

/**
 * Reads a `.dvc` file written by `dvc add`, `dvc import` or `dvc import-url` (research §5).
 * Entry paths are relative to the file's directory (or to its legacy `wdir:`); an import's
 * dep keeps its path inside the source repository, with `repo.url` and the pinned
 * `repo.revLock`. Never throws.
 */
export function parseDvcFile(text: string, file: string): Parsed<DvcFile> {
  const value: DvcFile = { file, outs: [], deps: [], frozen: false };
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
    report([], `expected a mapping with 'outs' at the top level, got ${kindOf(doc)}`);
    return { value, problems };
  }
  let base = dirOf(file);
  if (typeof doc.wdir === 'string') base = joinRepoPath(base, doc.wdir);
  else if (doc.wdir !== undefined) report(['wdir'], `wdir: expected a directory path, got ${kindOf(doc.wdir)}`);

  const read = (field: 'outs' | 'deps'): DvcEntry[] => {
    const raw = doc[field];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      report([field], `${field}: expected a list of {path, md5, …}, got ${kindOf(raw)}`);
      return [];
    }
    return raw.flatMap((item, index) => {
      const { entry, warnings } = readDvcEntry(item, base);
      for (const warning of warnings) report([field, index], `${field}[${index}]: ${warning}`);
      return entry ? [entry] : [];
    });
  };
  value.outs = read('outs');
  value.deps = read('deps');
  if (value.outs.length === 0 && doc.outs === undefined) report([], "no 'outs': this .dvc file tracks nothing");

  if (typeof doc.frozen === 'boolean') value.frozen = doc.frozen;
  else if (doc.frozen !== undefined) report(['frozen'], `frozen: expected true or false, got ${kindOf(doc.frozen)}`);
  if (typeof doc.md5 === 'string') value.md5 = doc.md5;
  else if (doc.md5 !== undefined) report(['md5'], `md5: expected a string, got ${kindOf(doc.md5)}`);
  return { value, problems };
}
