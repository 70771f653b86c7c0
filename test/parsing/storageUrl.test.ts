import { describe, expect, it } from '@jest/globals';
import { explainNoStorage, parseDvcConfig, parseDvcFile, parseDvcLock, pickRemote, storageUrl } from '../../src/parsing/index.js';
import type { DvcConfig, DvcEntry, DvcRemote } from '../../src/parsing/index.js';
import { DVC_IMPORT, LOCK_V2, LOCK_V3 } from './fixtures.js';

const remote = (url: string, flags: Partial<DvcRemote> = {}): DvcRemote => ({ name: 'storage', url, versionAware: false, worktree: false, ...flags });

describe('storageUrl', () => {
  it.each([
    ['DVC 3 file', remote('s3://dvc-public/remote/get-started'), { md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true }, 's3://dvc-public/remote/get-started/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4'],
    ['DVC 3 directory', remote('s3://bucket/dvc/'), { md5: '153aad06d376b6595932470e459ef42a.dir', dvc3: true }, 's3://bucket/dvc/files/md5/15/3aad06d376b6595932470e459ef42a.dir'],
    ['legacy file', remote('https://remote.dvc.org/get-started'), { md5: 'd1f6e05547bb5cec7cc6c4b6f0c3e04a', dvc3: false }, 'https://remote.dvc.org/get-started/d1/f6e05547bb5cec7cc6c4b6f0c3e04a'],
    ['legacy directory', remote('gs://b//'), { md5: 'f35d4cc2c552ac959ae602162b8543f3.dir', dvc3: false }, 'gs://b/f3/5d4cc2c552ac959ae602162b8543f3.dir'],
    ['worktree DVC 3 file', remote('s3://bucket/ws', { worktree: true }), { md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true }, 's3://bucket/ws/.dvc/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4'],
    ['worktree legacy file', remote('s3://bucket/ws', { worktree: true }), { md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: false }, 's3://bucket/ws/46/865edbf3d62fc5c039dd9d2b0567a4'],
    ['local remote', remote('../dvc-storage'), { md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true }, '../dvc-storage/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4'],
  ])('puts a %s where DVC does', (_case, r, entry, expected) => {
    expect(storageUrl(r, { ...entry, repoPath: 'model.pkl' })).toBe(expected);
  });

  it('puts a file of a version-aware remote at its workspace path', () => {
    const r = remote('s3://bucket/project/', { versionAware: true });
    expect(storageUrl(r, { md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true, repoPath: 'models/model.pkl' })).toBe('s3://bucket/project/models/model.pkl');
    expect(storageUrl(r, { dvc3: true, repoPath: 'models/model.pkl' })).toBe('s3://bucket/project/models/model.pkl');
  });

  it.each([
    ['no md5', remote('s3://b'), { dvc3: true, repoPath: 'model.pkl' }],
    ['a version-aware entry outside the repository', remote('s3://b', { versionAware: true }), { dvc3: true, repoPath: '../outside.pkl' }],
    ['a version-aware entry that is a URL', remote('s3://b', { versionAware: true }), { dvc3: true, repoPath: 's3://other/x' }],
  ])('has no URL for %s', (_case, r, entry) => {
    expect(storageUrl(r, entry)).toBeUndefined();
  });
});

describe('pickRemote', () => {
  const config = parseDvcConfig(
    '[core]\nremote = storage\n[remote "storage"]\nurl = s3://main\n[remote "Models"]\nurl = s3://models\n',
    '.dvc/config',
  ).value;

  it('uses the remote the entry names, compared case-insensitively', () => {
    expect(pickRemote(config, 'models')?.url).toBe('s3://models');
    expect(pickRemote(config, 'MODELS')?.url).toBe('s3://models');
  });

  it('falls back to core.remote', () => {
    expect(pickRemote(config)?.url).toBe('s3://main');
  });

  it('gives nothing when the entry names a remote the config lacks', () => {
    expect(pickRemote(config, 'elsewhere')).toBeUndefined();
  });

  it('gives nothing without a default remote', () => {
    expect(pickRemote({ remotes: config.remotes })).toBeUndefined();
  });
});

/** What the indexer does: the entry's remote (or core.remote) from the config, then the object URL. */
function urlOf(configText: string, configFile: string, entry: DvcEntry, requested?: string): string | undefined {
  const config = parseDvcConfig(configText, configFile).value;
  const remote = pickRemote(config, entry.remote ?? requested);
  return remote && storageUrl(remote, entry);
}

const MAIN = '[core]\n    remote = storage\n[\'remote "storage"\']\n    url = s3://acme/dvcstore\n';

describe('storage URLs of real entries', () => {
  it('puts a DVC 3 entry (hash: md5) at files/md5/<first two hex digits>/<the rest>', () => {
    const out = parseDvcFile(DVC_IMPORT, 'data/data.xml.dvc').value.outs[0] as DvcEntry;
    expect(out.dvc3).toBe(true);
    expect(urlOf(MAIN, '.dvc/config', out)).toBe('s3://acme/dvcstore/files/md5/22/a1a2931c8370d3aeedd7183606fd7f');
  });

  it('puts a legacy DVC 2.x entry (no hash: md5) at <url>/<first two>/<the rest>, without files/md5', () => {
    const out = parseDvcLock(LOCK_V2, 'dvc.lock').value.stages[0]?.outs[0] as DvcEntry;
    expect(out.dvc3).toBe(false);
    expect(urlOf(MAIN, '.dvc/config', out)).toBe('s3://acme/dvcstore/d1/f6e05547bb5cec7cc6c4b6f0c3e04a');
  });

  it("gives a directory output's URL as its .dir manifest", () => {
    const out = parseDvcLock(LOCK_V3, 'dvc.lock').value.stages[0]?.outs[0] as DvcEntry;
    expect(out).toMatchObject({ isDir: true, md5: '153aad06d376b6595932470e459ef42a.dir' });
    expect(urlOf(MAIN, '.dvc/config', out)).toBe('s3://acme/dvcstore/files/md5/15/3aad06d376b6595932470e459ef42a.dir');
  });

  it("lets an output's own remote: beat core.remote", () => {
    const config = `${MAIN}[remote "backup"]\n    url = gs://acme-backup\n`;
    const out = parseDvcFile('outs:\n- md5: 46865edbf3d62fc5c039dd9d2b0567a4\n  hash: md5\n  path: model.pkl\n  remote: backup\n', 'model.pkl.dvc').value.outs[0] as DvcEntry;
    expect(urlOf(config, '.dvc/config', out)).toBe('gs://acme-backup/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4');
    expect(urlOf(config, '.dvc/config', { ...out, remote: undefined } as DvcEntry)).toBe('s3://acme/dvcstore/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4');
  });

  it('uses the remote a stage output names in dvc.yaml when its lock entry names none', () => {
    const config = `${MAIN}[remote "models"]\n    url = s3://acme-models\n`;
    const out = parseDvcLock(LOCK_V3, 'dvc.lock').value.stages[1]?.outs[0] as DvcEntry;
    expect(urlOf(config, '.dvc/config', out, 'models')).toBe('s3://acme-models/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4');
  });

  it.each([
    ['[remote "MyRemote"]', 'myremote'],
    ['[remote "myremote"]', 'MyRemote'],
    ['[\'remote "MYREMOTE"\']', 'myRemote'],
  ])('finds %s when the output says remote: %s (names are case-insensitive)', (section, named) => {
    const entry: DvcEntry = { path: 'm', repoPath: 'm', md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true, isDir: false, remote: named };
    expect(urlOf(`${section}\nurl = s3://mine\n`, '.dvc/config', entry)).toBe('s3://mine/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4');
  });

  it('finds core.remote = MYREMOTE among [remote "MyRemote"]', () => {
    expect(pickRemote(parseDvcConfig('[core]\nremote = MYREMOTE\n[remote "MyRemote"]\nurl = s3://mine\n', '.dvc/config').value)?.url).toBe('s3://mine');
  });

  it.each([
    ['.dvc/config', '../../dvc-storage', '../dvc-storage'],
    ['.dvc/config', '../storage', 'storage'],
    ['.dvc/config', 'cache', '.dvc/cache'],
    ['sub/.dvc/config', '../../storage', 'storage'],
    ['sub/.dvc/config', '../storage', 'sub/storage'],
    ['sub/.dvc/config', 'cache', 'sub/.dvc/cache'],
    ['sub/.dvc/config', '/srv/dvc', '/srv/dvc'],
  ])('in %s resolves the local url %p against that .dvc/ directory, to %p', (file, url, resolved) => {
    const entry: DvcEntry = { path: 'm', repoPath: 'm', md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true, isDir: false };
    expect(urlOf(`[core]\nremote = local\n[remote "local"]\nurl = ${url}\n`, file, entry)).toBe(`${resolved}/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4`);
  });

  it('puts objects of a worktree remote under .dvc/files/md5', () => {
    const entry: DvcEntry = { path: 'm', repoPath: 'models/m.pkl', md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true, isDir: false };
    expect(urlOf('[core]\nremote = ws\n[remote "ws"]\nurl = s3://b/ws\nworktree = true\n', '.dvc/config', entry)).toBe('s3://b/ws/.dvc/files/md5/46/865edbf3d62fc5c039dd9d2b0567a4');
  });

  it('puts a file of a version_aware remote at its workspace path', () => {
    const entry: DvcEntry = { path: 'm.pkl', repoPath: 'models/m.pkl', md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true, isDir: false };
    expect(urlOf('[core]\nremote = va\n[remote "va"]\nurl = s3://b/project/\nversion_aware = true\n', '.dvc/config', entry)).toBe('s3://b/project/models/m.pkl');
  });

  it.each([
    ['an empty config', ''],
    ['remotes but no core.remote', '[remote "storage"]\nurl = s3://b\n'],
    ['a core.remote naming a remote without a url', '[core]\nremote = storage\n[remote "storage"]\n'],
  ])('picks no remote from %s', (_case, text) => {
    expect(pickRemote(parseDvcConfig(text, '.dvc/config').value)).toBeUndefined();
  });
});

describe('explainNoStorage', () => {
  const entry: DvcEntry = { path: 'model.pkl', repoPath: 'model.pkl', md5: '46865edbf3d62fc5c039dd9d2b0567a4', dvc3: true, isDir: false };
  const config = (text: string): DvcConfig => parseDvcConfig(text, '.dvc/config').value;

  it('says nothing when there is a storage URL', () => {
    expect(explainNoStorage(config(MAIN), entry)).toBeUndefined();
  });

  it.each([
    ['cache: false', undefined, { cache: false }, 'output has cache: false (kept in Git), so DVC never puts it in a remote'],
    ['push: false', MAIN, { push: false }, 'output has push: false, so `dvc push` never uploads it to a remote'],
    ['no config', undefined, {}, 'no remote is configured: there is no .dvc/config (add a remote with `dvc remote add -d <name> <url>`)'],
    ['a config without remotes', '[core]\nautostage = true\n', {}, 'no remote is configured in .dvc/config (add one with `dvc remote add -d <name> <url>`)'],
    ['remotes but no default', '[remote "a"]\nurl = s3://a\n[remote "b"]\nurl = s3://b\n', {}, ".dvc/config defines 'a', 'b' but no default remote (core.remote); set one with `dvc remote default <name>` or name one with remote: on the output"],
    ['a default that is not defined', '[core]\nremote = gone\n[remote "a"]\nurl = s3://a\n', {}, "the default remote 'gone' (core.remote) is not defined in .dvc/config (it defines 'a')"],
    ['an output naming an undefined remote', MAIN, { remote: 'X' }, "remote 'X' named by the output is not defined in .dvc/config (it defines 'storage'); add it with `dvc remote add x <url>`"],
    ['no md5 yet', MAIN, { md5: undefined }, 'no md5 is recorded for the output yet (run `dvc repro` or `dvc commit` to record it)'],
    [
      'a version-aware remote and an output outside the repository',
      '[core]\nremote = va\n[remote "va"]\nurl = s3://b\nversion_aware = true\n',
      { repoPath: '../outside.pkl' },
      "remote 'va' is version-aware and the output lies outside the repository, so the remote has no copy of it",
    ],
  ])('explains %s', (_case, text, change, message) => {
    expect(explainNoStorage(text === undefined ? undefined : config(text), { ...entry, ...change } as DvcEntry)).toBe(message);
  });

  it('uses the remote requested for the output when its entry names none', () => {
    expect(explainNoStorage(config(MAIN), entry, 'models')).toBe("remote 'models' named by the output is not defined in .dvc/config (it defines 'storage'); add it with `dvc remote add models <url>`");
    expect(explainNoStorage(config(`${MAIN}[remote "models"]\nurl = s3://m\n`), entry, 'Models')).toBeUndefined();
  });

  it('names the config file it was given', () => {
    expect(explainNoStorage(config('[core]\n'), entry, undefined, 'sub/.dvc/config')).toContain('in sub/.dvc/config');
  });

  it('needs no md5 for a version-aware remote', () => {
    expect(explainNoStorage(config('[core]\nremote = va\n[remote "va"]\nurl = s3://b\nversion_aware = true\n'), { ...entry, md5: undefined } as DvcEntry)).toBeUndefined();
  });
});
