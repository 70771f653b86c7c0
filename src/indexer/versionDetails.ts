import { isUrl, parseMetrics, parseParams, parsePlotData, selectParams } from '../parsing/index.js';
import type { DvcLock, DvcYaml, KeyValue, PlotDeclaration } from '../parsing/index.js';
import type {
  ArtifactFileRecord,
  DataFileRecord,
  DeclarationRecord,
  KeyValueRecord,
  LineageRecord,
  ParamRecord,
  PlotDataRecord,
  PlotRecord,
} from '../registry/index.js';
import type { FileRequest } from '../sources/index.js';
import { dirOfArtifact } from './commitFiles.js';
import type { CommitFiles } from './commitFiles.js';
import { importOf, locateDataFile, sizeOf, storageOf } from './dvcLocations.js';
import { lineageOf } from './lineage.js';

/** What a version shows beyond its tags: the model file, metrics, params, plots and lineage. */
export interface VersionDetails {
  artifact?: ArtifactFileRecord;
  metrics: KeyValueRecord[];
  metricFiles: DataFileRecord[];
  params: ParamRecord[];
  paramFiles: DataFileRecord[];
  plots: PlotRecord[];
  lineage?: LineageRecord;
}

/**
 * Reads, in one batch, the files versions need beyond `dvc.yaml`, `dvc.lock` and
 * `.dvc/config` (already loaded): metrics, params and plot data, and the `.dvc` files that
 * may track those, the model file or any pipeline input. The model file and the inputs
 * themselves are never read: only where they are matters.
 */
export async function prefetchVersionFiles(files: CommitFiles, versions: readonly { commit: string; artifact: string }[]): Promise<void> {
  const wanted: FileRequest[] = [];
  const depsSeen = new Set<string>();
  for (const { commit, artifact } of versions) {
    const yaml = files.dvcYaml(commit, dirOfArtifact(artifact));
    const read: string[] = [];
    const tracked: string[] = [];
    if (yaml) {
      read.push(...metricFilesOf(yaml), ...paramRefsOf(yaml).map((r) => r.file), ...yaml.plots.flatMap((p) => plotFiles(files, commit, p.files)));
      const declared = yaml.artifacts.find((a) => a.fullName === artifact);
      if (declared) tracked.push(declared.repoPath);
    }
    if (!depsSeen.has(commit)) {
      depsSeen.add(commit);
      for (const lock of files.locksAt(commit)) for (const stage of lock.stages) for (const dep of stage.deps) tracked.push(dep.repoPath);
    }
    wanted.push(...read.map((path) => ({ commit, path })), ...files.dvcFileRequests(commit, [...read, ...tracked]));
  }
  await files.read(wanted);
}

/** A plot's data files: each file named, a directory expanded to the files below it (as DVC does). */
function plotFiles(files: CommitFiles, commit: string, paths: readonly string[]): string[] {
  return [...new Set(paths.flatMap((path) => (!files.has(commit, path) && files.hasDir(commit, path) ? files.filesUnder(commit, path) : [path])))];
}

/** A version's details at its commit, from what `prefetchVersionFiles` read. */
export function versionDetails(files: CommitFiles, commit: string, artifactName: string, declaration: DeclarationRecord | undefined): VersionDetails {
  const dir = dirOfArtifact(artifactName);
  const yaml = files.dvcYaml(commit, dir);
  const lock = files.dvcLock(commit, dir);
  const details: VersionDetails = { metrics: [], metricFiles: [], params: [], paramFiles: [], plots: [] };
  if (declaration) Object.assign(details, locateArtifact(files, commit, declaration.path));
  if (yaml) {
    for (const file of metricFilesOf(yaml)) {
      for (const kv of files.parse(commit, file, 'metrics', parseMetrics) ?? []) details.metrics.push({ path: file, key: kv.key, value: kv.value });
      details.metricFiles.push(locateDataFile(files, commit, file, 'metrics', yaml.file));
    }
    readParams(files, commit, yaml, lock, details);
    details.plots = yaml.plots.map((plot) => readPlot(files, commit, yaml.file, plot));
  }
  return details;
}

/** A declared plot with the data points of each of its files that is in Git. */
function readPlot(files: CommitFiles, commit: string, declaredIn: string, plot: PlotDeclaration): PlotRecord {
  const data = plotFiles(files, commit, plot.files).map((path): PlotDataRecord => {
    // Each file is read for its own fields (`y: {a.json: precision, b.json: tpr}`) and the header option.
    const fields = plot.fields?.[path] ?? [...(plot.x !== undefined ? [plot.x] : []), ...(plot.y ?? [])];
    const options = { fields, ...(plot.header !== undefined ? { header: plot.header } : {}) };
    const kind = `plot:${JSON.stringify(options)}` as const;
    const rows = files.parse(commit, path, kind, (text, file) => parsePlotData(text, file, options));
    const located = locateDataFile(files, commit, path, kind, declaredIn);
    return located.location === 'git' && rows ? { ...located, rows } : located;
  });
  return {
    id: plot.id,
    file: declaredIn,
    ...(plot.title !== undefined ? { title: plot.title } : {}),
    ...(plot.template !== undefined ? { template: plot.template } : {}),
    ...(plot.x !== undefined ? { x: plot.x } : {}),
    y: plot.y ?? [],
    ...(plot.xLabel !== undefined ? { xLabel: plot.xLabel } : {}),
    ...(plot.yLabel !== undefined ? { yLabel: plot.yLabel } : {}),
    data,
  };
}

/** Where the model file is, and the stage that produced it. */
function locateArtifact(files: CommitFiles, commit: string, path: string): { artifact: ArtifactFileRecord; lineage?: LineageRecord } {
  if (isUrl(path)) return { artifact: { path, trackedBy: 'url' } };
  const tracked = files.trackedBy(commit, path);
  if (tracked?.stage) {
    const lineage = lineageOf(files, commit, tracked.file, tracked.stage);
    if (tracked.inside) {
      // A file inside a directory output: its own md5 is only in the `.dir` manifest in storage.
      const answer = storageOf(files, commit, tracked);
      const where = answer.storage ? ` at ${answer.storage.url}` : '';
      return {
        artifact: { path, trackedBy: 'dvc.lock', storageMessage: `${path} lies inside ${tracked.entry.repoPath}, a directory output; its md5 is in the directory's .dir manifest${where}.` },
        lineage,
      };
    }
    return { artifact: { path, ...sizeOf(tracked.entry), ...storageOf(files, commit, tracked), trackedBy: 'dvc.lock' }, lineage };
  }
  if (tracked?.dvcFile) {
    const imported = importOf(tracked.dvcFile);
    const entry = tracked.inside ? undefined : tracked.entry;
    return {
      artifact: {
        path,
        ...(entry ? sizeOf(entry) : {}),
        ...storageOf(files, commit, tracked),
        trackedBy: '.dvc',
        ...(imported ? { importedFrom: imported } : {}),
      },
    };
  }
  // A file or a whole directory (the repository itself, for `path: .`) in Git.
  if (path === '' || files.has(commit, path) || files.hasDir(commit, path)) return { artifact: { path, trackedBy: 'git' } };
  return { artifact: { path, trackedBy: 'unknown' } };
}

/**
 * Params as DVC merges them: every params reference of the pipeline (stage `params:` and
 * top-level `params:`; the default `params.yaml`, whole files, sections, other files), the
 * values of the files in Git, and what `dvc.lock` recorded when the stages last ran. A file
 * that is not in Git falls back to the recorded values.
 */
function readParams(files: CommitFiles, commit: string, yaml: DvcYaml, lock: DvcLock | undefined, details: VersionDetails): void {
  const result = new Map<string, ParamRecord>();
  // Several stages may record one key (from runs at different times): the stage that made the
  // model file speaks first, then the stages upstream of it, then the rest.
  const lineage = details.lineage;
  const rank = (name: string): number => {
    if (!lineage || lineage.lockFile !== lock?.file) return 2;
    if (lineage.stage === name) return 0;
    return lineage.upstream.some((s) => s.lockFile === lock.file && s.stage === name) ? 1 : 2;
  };
  const stages = [...(lock?.stages ?? [])].sort((a, b) => rank(a.name) - rank(b.name));
  for (const ref of paramRefsOf(yaml)) {
    const locked = new Map<string, unknown>();
    for (const stage of stages) for (const [key, value] of Object.entries(stage.params[ref.file] ?? {})) if (!locked.has(key)) locked.set(key, value);
    const values: KeyValue[] | undefined = files.parse(commit, ref.file, 'params', parseParams);
    const lockedPicked = selectParams(
      [...locked.entries()].map(([key, value]) => ({ key, value })),
      ref.keys,
    );
    const picked = values ? selectParams(values, ref.keys) : lockedPicked;
    for (const kv of picked) {
      result.set(`${ref.file}\0${kv.key}`, {
        path: ref.file,
        key: kv.key,
        value: kv.value,
        source: values ? 'file' : 'dvc.lock',
        locked: locked.has(kv.key),
        ...(locked.has(kv.key) ? { lockedValue: locked.get(kv.key) } : {}),
      });
    }
    // Keys dvc.lock recorded that the file no longer has.
    if (values) {
      for (const kv of lockedPicked) {
        const k = `${ref.file}\0${kv.key}`;
        if (!result.has(k)) result.set(k, { path: ref.file, key: kv.key, value: null, source: 'dvc.lock', locked: true, lockedValue: kv.value });
      }
    }
    const located = locateDataFile(files, commit, ref.file, 'params', yaml.file);
    details.paramFiles.push(
      located.location === 'missing' && locked.size > 0 ? { ...located, message: `${ref.file} is not in Git at this commit; the values shown are those dvc.lock recorded.` } : located,
    );
  }
  details.params = [...result.values()].sort((a, b) => (a.path + '\0' + a.key < b.path + '\0' + b.key ? -1 : 1));
}

/** Params references of every stage plus the top-level `params:` files, merged per file. */
function paramRefsOf(yaml: DvcYaml): { file: string; keys?: string[] }[] {
  const byFile = new Map<string, Set<string> | undefined>();
  const add = (file: string, keys?: string[]): void => {
    if (byFile.has(file) && byFile.get(file) === undefined) return;
    if (!keys) return void byFile.set(file, undefined);
    const set = byFile.get(file) ?? new Set<string>();
    for (const k of keys) set.add(k);
    byFile.set(file, set);
  };
  for (const stage of yaml.stages) for (const ref of stage.params) add(ref.file, ref.keys);
  for (const file of yaml.params) add(file);
  return [...byFile.entries()].map(([file, keys]) => (keys ? { file, keys: [...keys].sort() } : { file }));
}

/** Top-level `metrics:` files and stage metric outputs. */
function metricFilesOf(yaml: DvcYaml): string[] {
  return [...new Set([...yaml.metrics, ...yaml.stages.flatMap((s) => s.outs.filter((o) => o.kind === 'metric').map((o) => o.repoPath))])];
}
