import { pickRemote, storageUrl } from './storageUrl.js';
import type { DvcConfig } from './types.js';

/** What `explainNoStorage` needs of an output: a `DvcEntry`, or a `StageOutput` plus its lock entry's md5. */
export interface StorageEntry {
  repoPath: string;
  dvc3: boolean;
  md5?: string;
  cache?: boolean;
  push?: boolean;
  remote?: string;
}

/**
 * Why DVC has no copy of `entry` in remote storage, in words a user can act on, or
 * `undefined` when there is one: exactly when `pickRemote(config, entry.remote ??
 * requestedRemote)` finds a remote, `storageUrl` gives a URL for it, and the output is
 * neither `cache: false` nor `push: false`. `requestedRemote` is the `remote:` written for
 * the output elsewhere (a stage output's `dvc.yaml` entry; its `dvc.lock` entry has none);
 * `configFile` names the config in messages.
 */
export function explainNoStorage(
  config: DvcConfig | undefined,
  entry: StorageEntry,
  requestedRemote?: string,
  configFile = '.dvc/config',
): string | undefined {
  if (entry.cache === false) return 'output has cache: false (kept in Git), so DVC never puts it in a remote';
  if (entry.push === false) return 'output has push: false, so `dvc push` never uploads it to a remote';
  if (!config) return `no remote is configured: there is no ${configFile} (add a remote with \`dvc remote add -d <name> <url>\`)`;
  const wanted = entry.remote ?? requestedRemote;
  const defined = config.remotes.map((remote) => `'${remote.name}'`).join(', ');
  const remote = pickRemote(config, wanted);
  if (!remote) {
    if (wanted !== undefined) {
      return `remote '${wanted}' named by the output is not defined in ${configFile} (${defined ? `it defines ${defined}` : 'it defines no remotes'}); add it with \`dvc remote add ${wanted.toLowerCase()} <url>\``;
    }
    if (config.remotes.length === 0) return `no remote is configured in ${configFile} (add one with \`dvc remote add -d <name> <url>\`)`;
    if (config.defaultRemote === undefined) {
      return `${configFile} defines ${defined} but no default remote (core.remote); set one with \`dvc remote default <name>\` or name one with remote: on the output`;
    }
    return `the default remote '${config.defaultRemote}' (core.remote) is not defined in ${configFile} (it defines ${defined})`;
  }
  if (storageUrl(remote, entry) !== undefined) return undefined;
  if (remote.versionAware) return `remote '${remote.name}' is version-aware and the output lies outside the repository, so the remote has no copy of it`;
  if (!entry.md5) return 'no md5 is recorded for the output yet (run `dvc repro` or `dvc commit` to record it)';
  return `the recorded md5 '${entry.md5}' is too short to name an object in remote '${remote.name}'`;
}
