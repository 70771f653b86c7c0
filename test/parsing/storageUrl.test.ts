import { describe, expect, it } from '@jest/globals';
import { parseDvcConfig, pickRemote, storageUrl } from '../../src/parsing/index.js';
import type { DvcRemote } from '../../src/parsing/index.js';

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
