import { isExternal } from '../parsing/index.js';
import type { DvcLockStage } from '../parsing/index.js';
import type { LineageFileRecord, LineageRecord, LineageSourceRecord, LineageStageRecord } from '../registry/index.js';
import type { CommitFiles } from './commitFiles.js';
import { importOf, importUrlOf, sizeOf, storageOf } from './dvcLocations.js';

/** At most this many stages are followed upstream (a pipeline larger than this is cut, not looped). */
const MAX_STAGES = 1000;

/**
 * How a version's file was made: the `dvc.lock` stage that produced it and, recursively,
 * every stage upstream of it down to the sources (inputs no stage produces), across every
 * `dvc.lock` of the commit. An input whose recorded md5 differs from what its producer (or
 * its `.dvc` file) records now is stale. Cycles and huge pipelines are cut, never looped.
 */
export function lineageOf(files: CommitFiles, commit: string, lockFile: string, producer: DvcLockStage): LineageRecord {
  // Versions on one commit share their pipeline: walk it once.
  return files.memo(`lineage\0${commit}\0${lockFile}\0${producer.name}`, () => walkLineage(files, commit, lockFile, producer));
}

function walkLineage(files: CommitFiles, commit: string, lockFile: string, producer: DvcLockStage): LineageRecord {
  let truncated = false;
  const visited = new Set<string>([`${lockFile}:${producer.name}`]);
  const queue: { lockFile: string; stage: DvcLockStage }[] = [];
  const sources = new Map<string, LineageSourceRecord>();
  let stale = false;

  const describe = (file: string, stage: DvcLockStage): LineageStageRecord => {
    const deps = stage.deps.map((dep): LineageFileRecord => {
      const record: LineageFileRecord = { path: dep.repoPath, ...sizeOf(dep), stale: false };
      const tracked = isExternal(dep.repoPath) ? undefined : files.trackedBy(commit, dep.repoPath);
      const compare = (recorded: string | undefined): boolean => !tracked?.inside && dep.md5 !== undefined && recorded !== undefined && dep.md5 !== recorded;
      if (tracked?.stage) {
        record.producedBy = `${tracked.file}:${tracked.stage.name}`;
        record.stale = compare(tracked.entry.md5);
        follow(tracked.file, tracked.stage);
      } else if (tracked?.dvcFile) {
        const imported = importOf(tracked.dvcFile);
        const url = imported ? undefined : importUrlOf(tracked.dvcFile);
        const answer = storageOf(files, commit, tracked);
        record.source = {
          path: dep.repoPath,
          kind: imported ? 'import' : url ? 'import-url' : 'dvc',
          file: tracked.file,
          ...(tracked.entry.md5 !== undefined ? { md5: tracked.entry.md5 } : {}),
          ...(url !== undefined ? { url } : {}),
          ...(imported ? { import: imported } : {}),
          ...(answer.storage ? { storage: answer.storage } : {}),
        };
        record.stale = compare(tracked.entry.md5);
      } else {
        // A directory holding outputs of other stages: each of them is upstream.
        const inner = files.outputsAt(commit).byDir.get(dep.repoPath) ?? [];
        if (inner.length > 0) {
          const first = inner[0] as (typeof inner)[number];
          record.producedBy = `${first.file}:${first.stage.name}`;
          for (const { file: f, stage: s } of inner) follow(f, s);
        } else if (isExternal(dep.repoPath)) {
          record.source = { path: dep.repoPath, kind: 'url', url: dep.repoPath };
        } else {
          record.source = { path: dep.repoPath, kind: files.has(commit, dep.repoPath) || files.hasDir(commit, dep.repoPath) ? 'git' : 'untracked' };
        }
      }
      if (record.source && !sources.has(record.path)) sources.set(record.path, record.source);
      stale ||= record.stale;
      return record;
    });
    return {
      lockFile: file,
      stage: stage.name,
      ...(stage.cmd !== undefined ? { cmd: Array.isArray(stage.cmd) ? stage.cmd.join(' && ') : stage.cmd } : {}),
      deps,
      params: Object.entries(stage.params).flatMap(([path, values]) => Object.entries(values).map(([key, value]) => ({ path, key, value }))),
      outs: stage.outs.map((o) => ({ path: o.repoPath, ...sizeOf(o) })),
    };
  };
  const follow = (file: string, stage: DvcLockStage): void => {
    const id = `${file}:${stage.name}`;
    if (visited.has(id)) return;
    if (visited.size >= MAX_STAGES) {
      truncated = true;
      return;
    }
    visited.add(id);
    queue.push({ lockFile: file, stage });
  };

  const head = describe(lockFile, producer);
  const upstream: LineageStageRecord[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) upstream.push(describe(next.lockFile, next.stage));
  return {
    ...head,
    upstream,
    sources: [...sources.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    stale,
    truncated,
  };
}
