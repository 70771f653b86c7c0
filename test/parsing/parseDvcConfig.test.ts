import { describe, expect, it } from '@jest/globals';
import { parseDvcConfig } from '../../src/parsing/index.js';

describe('parseDvcConfig', () => {
  it('reads example-get-started: a default remote in quoted-section form', () => {
    const text = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = https://remote.dvc.org/get-started\n";
    expect(parseDvcConfig(text, '.dvc/config')).toStrictEqual({
      value: {
        defaultRemote: 'storage',
        remotes: [{ name: 'storage', url: 'https://remote.dvc.org/get-started', versionAware: false, worktree: false }],
      },
      problems: [],
    });
  });

  it('treats [remote "name"] like [\'remote "name"\'] and lower-cases names and keys', () => {
    const text = '[CORE]\nRemote = MyStorage\n[remote "MyStorage"]\nURL = s3://Bucket/Path\nVersion_Aware = True\n[remote "backup"]\nurl = gs://bucket/dvc\nworktree = true\n';
    expect(parseDvcConfig(text, '.dvc/config').value).toStrictEqual({
      defaultRemote: 'mystorage',
      remotes: [
        { name: 'mystorage', url: 's3://Bucket/Path', versionAware: true, worktree: false },
        { name: 'backup', url: 'gs://bucket/dvc', versionAware: false, worktree: true },
      ],
    });
  });

  it.each([
    ['.dvc/config', '../../dvc-storage', '../dvc-storage'],
    ['.dvc/config', 'cache', '.dvc/cache'],
    ['.dvc/config', './../local remote/', 'local remote'],
    ['project_a/.dvc/config', '../../storage', 'storage'],
    ['.dvc/config', '/mnt/dvc-storage', '/mnt/dvc-storage'],
    ['.dvc/config', 'C:\\dvc\\storage', 'C:\\dvc\\storage'],
    ['.dvc/config', '~/dvc-storage', '~/dvc-storage'],
    ['.dvc/config', 'ssh://user@example.com/srv/dvc', 'ssh://user@example.com/srv/dvc'],
    ['.dvc/config', 'remote://storage/sub', 'remote://storage/sub'],
  ])('in %s resolves url %p to %p', (file, url, expected) => {
    const { value } = parseDvcConfig(`[remote "local"]\nurl = ${url}\n`, file);
    expect(value.remotes[0]?.url).toBe(expected);
  });

  it('reads quoted values and strips inline comments from unquoted ones', () => {
    const text = '[remote "a"]\nurl = s3://bucket/path # the main one\n[remote "b"]\nurl = "s3://bucket/#hash"\n';
    expect(parseDvcConfig(text, '.dvc/config').value.remotes.map((r) => r.url)).toEqual(['s3://bucket/path', 's3://bucket/#hash']);
  });

  it('skips comments, blank lines and unrelated sections', () => {
    const text = '# DVC config\n\n[core]\n  autostage = true\n[cache]\n  type = symlink\n[feature]\n  plots = true\n';
    expect(parseDvcConfig(text, '.dvc/config')).toStrictEqual({ value: { remotes: [] }, problems: [] });
  });

  it('reads CRLF line endings', () => {
    const text = '[core]\r\n    remote = s\r\n[remote "s"]\r\n    url = s3://b\r\n';
    expect(parseDvcConfig(text, '.dvc/config').value.remotes[0]?.url).toBe('s3://b');
  });

  it.each([
    ['a remote without url', '[remote "s"]\n  region = us-east-1\n', 1, 'has no url'],
    ['a default remote that is not defined', '[core]\n  remote = missing\n', 2, "core.remote names 'missing'"],
    ['a bad version_aware', '[remote "s"]\n  url = s3://b\n  version_aware = maybe\n', 3, 'version_aware of remote'],
    ['a line that is not key = value', '[core]\n  remote\n', 2, "cannot read 'remote'"],
    ['a key outside any section', 'remote = s\n', 1, 'outside any section'],
    ['a key set twice', '[remote "s"]\n  url = s3://a\n  url = s3://b\n', 3, "'url' is set twice"],
    ['a section given twice', '[remote "s"]\n  url = s3://a\n[remote "S"]\n  region = x\n', 3, 'appears twice'],
    ['an unterminated quote', '[remote "s"]\n  url = "s3://a\n', 2, 'unterminated'],
  ])('reports %s with its line', (_case, text, line, message) => {
    const { problems } = parseDvcConfig(text, '.dvc/config');
    expect(problems).toContainEqual({ file: '.dvc/config', line, message: expect.stringContaining(message) });
  });

  it('keeps the first url when a key is set twice', () => {
    const { value } = parseDvcConfig('[remote "s"]\n  url = s3://a\n  url = s3://b\n', '.dvc/config');
    expect(value.remotes[0]?.url).toBe('s3://a');
  });

  it('does not let __proto__ sections or keys pollute Object.prototype', () => {
    const text = '[__proto__]\npolluted = 1\n[remote "__proto__"]\nurl = s3://b\n__proto__ = x\n';
    const { value } = parseDvcConfig(text, '.dvc/config');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(value.remotes.map((r) => r.name)).toEqual(['__proto__']);
  });

  it('reads a 900 KB config line without trouble', () => {
    const url = `s3://bucket/${'x'.repeat(900 * 1024)}`;
    expect(parseDvcConfig(`[remote "s"]\nurl = ${url}\n`, '.dvc/config').value.remotes[0]?.url).toHaveLength(url.length);
  });
});
