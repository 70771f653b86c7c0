import { isExternal } from './paths.js';
import type { DvcConfig, DvcRemote } from './types.js';

/**
 * Where DVC keeps an entry's data on a remote, as `dvc.api.get_url` computes it (research §6):
 * - DVC 3 entries (`hash: md5`): `<url>/files/md5/<md5[0:2]>/<md5[2:]>`;
 * - legacy 2.x entries: `<url>/<md5[0:2]>/<md5[2:]>`;
 * - a `worktree` remote keeps DVC 3 objects under `<url>/.dvc/files/md5/…`;
 * - a `version_aware` remote keeps the file itself at `<url>/<repoPath>`.
 * A directory's `<md5>.dir` points at its JSON manifest. `undefined` when there is no md5
 * (or, for a version-aware remote, when the entry is outside the repository). The object's
 * existence is not checked, as DVC does not check it either.
 */
export function storageUrl(remote: DvcRemote, entry: { md5?: string; dvc3: boolean; repoPath: string }): string | undefined {
  // Not `replace(/\/+$/, '')`: that backtracks quadratically on a long run of '/' inside the URL.
  let end = remote.url.length;
  while (end > 0 && remote.url[end - 1] === '/') end--;
  const base = remote.url.slice(0, end);
  if (remote.versionAware) {
    if (isExternal(entry.repoPath) || entry.repoPath === '' || entry.repoPath.startsWith('../')) return undefined;
    return `${base}/${entry.repoPath}`;
  }
  const { md5 } = entry;
  if (!md5 || md5.length < 3) return undefined;
  const object = `${md5.slice(0, 2)}/${md5.slice(2)}`;
  if (!entry.dvc3) return `${base}/${object}`;
  return remote.worktree ? `${base}/.dvc/files/md5/${object}` : `${base}/files/md5/${object}`;
}

/**
 * The remote an entry is pushed to: its own `remote:` when it names one (DVC compares the
 * lower-cased config names), else `core.remote`, else `undefined`. An entry that names a
 * remote the config does not have gets `undefined`, as DVC would fail there too.
 */
export function pickRemote(config: DvcConfig, entryRemote?: string): DvcRemote | undefined {
  const name = entryRemote ?? config.defaultRemote;
  if (name === undefined) return undefined;
  const wanted = name.toLowerCase();
  return config.remotes.find((remote) => remote.name === wanted);
}
