import { posix } from 'node:path';
import { explainNoStorage, pickRemote, storageUrl } from '../parsing/index.js';
import type { DvcEntry, DvcFile } from '../parsing/index.js';
import { repositoryKey } from '../registry/index.js';
import type { DataFileRecord, ImportRecord, StorageRecord } from '../registry/index.js';
import type { CommitFiles, FileKind, TrackedBy } from './commitFiles.js';

/** A storage URL, or why there is none. */
export type StorageAnswer = { storage: StorageRecord; storageMessage?: undefined } | { storage?: undefined; storageMessage: string };

/**
 * Where DVC keeps an output on its remote (research §6): the output's own `remote:` (in
 * `dvc.lock`, `dvc.yaml` or the `.dvc` file) over `core.remote` of the nearest
 * `.dvc/config`; `cache: false` and `push: false` outputs are never uploaded. When there is
 * no URL the answer says why (`explainNoStorage`), in words a user can act on.
 */
export function storageOf(files: CommitFiles, commit: string, tracked: TrackedBy): StorageAnswer {
  const { entry } = tracked;
  const dir = tracked.file.includes('/') ? posix.dirname(tracked.file) : '';
  // `remote`, `cache` and `push` of a stage output are written in dvc.yaml, not in dvc.lock.
  const declared = tracked.stage ? files.dvcYaml(commit, dir)?.stages.flatMap((s) => s.outs).find((o) => o.repoPath === entry.repoPath) : undefined;
  const found = files.dvcConfig(commit, dir);
  const configFile = found?.file;
  const config = found?.config;
  if (configFile && !config) return { storageMessage: `${entry.repoPath}: ${configFile} could not be read (see the repository's problems), so its remote is unknown.` };
  const subject = { ...entry, cache: entry.cache ?? declared?.cache, push: entry.push ?? declared?.push };
  const why = explainNoStorage(config, subject, declared?.remote, configFile ?? '.dvc/config');
  const remote = why === undefined && config ? pickRemote(config, entry.remote ?? declared?.remote) : undefined;
  const url = remote && storageUrl(remote, entry);
  if (!remote || !url) return { storageMessage: `${entry.repoPath}: ${why ?? 'no remote holds it'}.` };
  return { storage: { remote: remote.name, url } };
}

/** The import a `.dvc` file records (`dvc import`), if it is one. */
export function importOf(dvcFile: DvcFile | undefined): ImportRecord | undefined {
  const dep = dvcFile?.deps.find((d) => d.repo);
  if (!dep?.repo) return undefined;
  const key = repositoryKey(dep.repo.url);
  return {
    url: dep.repo.url,
    ...(key !== undefined ? { key } : {}),
    path: dep.path,
    ...(dep.repo.rev !== undefined ? { rev: dep.repo.rev } : {}),
    ...(dep.repo.revLock !== undefined ? { revLock: dep.repo.revLock } : {}),
    ...(dvcFile?.outs[0]?.md5 !== undefined ? { md5: dvcFile.outs[0].md5 } : {}),
  };
}

/** `dvc import-url`: the external URL a `.dvc` file's dep names, if it is one. */
export function importUrlOf(dvcFile: DvcFile | undefined): string | undefined {
  const dep = dvcFile?.deps.find((d) => !d.repo);
  return dep?.repoPath;
}

/**
 * Where a metrics, params or plots file of a version is: read from Git (or unreadable), a
 * DVC output kept only in storage (with its URL), or missing. Never silently absent.
 */
export function locateDataFile(files: CommitFiles, commit: string, path: string, kind: FileKind, declaredIn: string): DataFileRecord {
  const state = files.stateOf(commit, path, kind);
  if (state.state === 'git') return { path, location: 'git' };
  if (state.state === 'unreadable') return { path, location: 'unreadable', message: state.message };
  const tracked = files.trackedBy(commit, path);
  if (!tracked) {
    return {
      path,
      location: 'missing',
      message: `${path} is declared in ${declaredIn} but is neither in Git nor a DVC output at this commit.`,
    };
  }
  const answer = storageOf(files, commit, tracked);
  const where = answer.storage ? ` at ${answer.storage.url}` : '';
  const message = tracked.inside
    ? `${path} is not in Git: it lies inside ${tracked.entry.repoPath}, a directory DVC tracks (${tracked.file}); its own md5 is in that directory's .dir manifest${where}.`
    : `${path} is not in Git: it is a DVC-tracked output (${tracked.file}), kept in DVC storage${where}.`;
  return {
    path,
    location: 'dvc',
    ...(tracked.entry.md5 !== undefined ? { md5: tracked.entry.md5 } : {}),
    ...(answer.storage ? { storage: answer.storage } : {}),
    message: answer.storageMessage ? `${message} ${answer.storageMessage}` : message,
  };
}

/** Size fields of an entry, when recorded. */
export function sizeOf(entry: DvcEntry): { md5?: string; size?: number; nfiles?: number } {
  return {
    ...(entry.md5 !== undefined ? { md5: entry.md5 } : {}),
    ...(entry.size !== undefined ? { size: entry.size } : {}),
    ...(entry.nfiles !== undefined ? { nfiles: entry.nfiles } : {}),
  };
}
