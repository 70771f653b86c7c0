import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { configSecrets, loadConfig, parseConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const DIR = mkdtempSync(join(tmpdir(), 'modelgate-config-'));
for (const folder of ['repos', 'a', 'b', 'x', 'srv']) mkdirSync(join(DIR, folder));
const FILE = join(DIR, 'modelgate.yaml');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(text, FILE, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('reads the design example with defaults filled in and local paths made absolute', () => {
    const config = parseConfig(
      `listen: { host: 127.0.0.1, port: 4100 }\nrefresh: { interval: 30s }\nsources:\n  - kind: local\n    path: ./repos\n  - kind: local\n    name: mirror\n    path: ${join(DIR, 'srv')}\n`,
      FILE,
      {},
    );
    expect(config).toMatchObject({
      demo: false,
      file: FILE,
      listen: { host: '127.0.0.1', port: 4100 },
      refresh: { intervalMs: 30000 },
      sources: [
        { kind: 'local', name: 'local', path: join(DIR, 'repos') },
        { kind: 'local', name: 'mirror', path: join(DIR, 'srv') },
      ],
    });
    expect(config.redis).toBeUndefined();
  });

  it('replaces ${VAR} from the environment and lets PORT and REDIS_URL override', () => {
    const config = parseConfig(
      'listen: { port: 1 }\nredis: redis://from-file:6379\nsources:\n  - kind: github\n    token: ${GH}\n    repos: [iterative/example-gto]\n',
      FILE,
      { GH: 'ghp_secret', PORT: '4200', REDIS_URL: 'redis://env:6379/2' },
    );
    expect(config.listen.port).toBe(4200);
    expect(config.redis).toBe('redis://env:6379/2');
    expect(config.sources[0]).toMatchObject({ kind: 'github', name: 'github', url: 'https://api.github.com', token: 'ghp_secret', repos: ['iterative/example-gto'], orgs: [] });
  });

  it.each([
    ['an unset variable', 'sources:\n  - kind: local\n    path: ${NOPE}\n', 'sources[0].path', /environment variable NOPE is not set/],
    ['a bad duration', 'refresh: { interval: soon }\nsources: [{kind: local, path: x}]\n', 'refresh.interval', /must be a duration like 30s, 10m or 1h, got "soon"/],
    ['an unknown kind', 'sources: [{kind: bitbucket, path: x}]\n', 'sources[0].kind', /must be one of local, github, gitlab, got "bitbucket"/],
    ['a missing path', 'sources: [{kind: local}]\n', 'sources[0].path', /must be a non-empty string, got nothing/],
    ['no sources', 'listen: { port: 4000 }\n', 'sources', /non-empty list of sources/],
    ['two sources with one name', 'sources: [{kind: local, path: a}, {kind: local, path: b}]\n', 'sources[1].name', /must be unique/],
    ['an unknown setting', 'sources: [{kind: local, path: a}]\nlisten_port: 1\n', 'listen_port', /unknown setting/],
    ['an unknown source setting', 'sources: [{kind: local, path: a, repos: [x]}]\n', 'sources[0].repos', /unknown setting for a local source/],
    ['a port out of range', 'listen: { port: 70000 }\nsources: [{kind: local, path: a}]\n', 'listen.port', /must be a port number/],
    ['a redis URL without scheme', 'redis: localhost:6379\nsources: [{kind: local, path: a}]\n', 'redis', /redis:\/\/ or rediss:\/\//],
    ['a typo under listen', 'listen: { prot: 5000 }\nsources: [{kind: local, path: a}]\n', 'listen.prot', /unknown setting/],
    ['a typo under refresh', 'refresh: { intervall: 1s }\nsources: [{kind: local, path: a}]\n', 'refresh.intervall', /unknown setting/],
    ['too few events kept', 'events: { keep: 5 }\nsources: [{kind: local, path: a}]\n', 'events.keep', /must be a whole number of events from 100 to 10,000,000, got 5/],
    ['a typo under events', 'events: { kept: 500 }\nsources: [{kind: local, path: a}]\n', 'events.kept', /unknown setting/],
    ['an unknown refsCheck', 'sources: [{kind: github, repos: [a/b], refsCheck: sometimes}]\n', 'sources[0].refsCheck', /must be graphql or etag, got "sometimes"/],
    ['a folder that does not exist', 'sources: [{kind: local, path: ./nowhere}]\n', 'sources[0].path', /must be an existing folder/],
    ['a depth that is not a whole number', 'limits: { depth: deep }\nsources: [{kind: local, path: a}]\n', 'limits.depth', /must be a whole number from 1, got "deep"/],
    ['a page size above the ceiling', 'limits: { pageSize: 20000 }\nsources: [{kind: local, path: a}]\n', 'limits.pageSize', /must be a whole number from 1 to 10000, got 20000/],
    ['a document size without unit', 'limits: { documentBytes: lots }\nsources: [{kind: local, path: a}]\n', 'limits.documentBytes', /must be a size like 100kb, 1mb or a number of bytes, got "lots"/],
    ['a bad timeout', 'limits: { timeout: forever }\nsources: [{kind: local, path: a}]\n', 'limits.timeout', /must be a duration like 30s or 500ms, got "forever"/],
    ['a typo under limits', 'limits: { alias: 3 }\nsources: [{kind: local, path: a}]\n', 'limits.alias', /unknown setting/],
    ['introspection that is not a boolean', 'introspection: sometimes\nsources: [{kind: local, path: a}]\n', 'introspection', /must be true or false, got "sometimes"/],
  ])('reports %s with the file, the key and what was expected', (_name, text, key, message) => {
    const error = errorOf(text);
    expect(error.file).toBe(FILE);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(FILE);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', /the environment: `PORT` must be a port number/],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', /the environment: `REDIS_URL` must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('blames a bad environment variable on the environment, not the file: %j', (env, key, message) => {
    const error = errorOf('sources: [{kind: local, path: a}]\n', env);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
    expect(() => loadConfig({ env: { ...env, MODELGATE_CACHE_DIR: DIR }, cwd: '/nonexistent-dir-for-test' })).toThrow(message);
  });

  it('fills in the default limits and allows introspection when the config says nothing about them', () => {
    const config = parseConfig('sources: [{kind: local, path: a}]\n', FILE, {});
    expect(config.limits).toEqual({ depth: 15, cost: 50000, pageSize: 500, documentBytes: 102400, timeoutMs: 30000, aliases: 50, batch: 0, introspection: true });
  });

  it('keeps 10,000 registry events for `since` unless events.keep says otherwise', () => {
    expect(parseConfig('sources: [{kind: local, path: a}]\n', FILE, {}).events).toEqual({ keep: 10000 });
    expect(parseConfig('events: { keep: 250000 }\nsources: [{kind: local, path: a}]\n', FILE, {}).events).toEqual({ keep: 250000 });
  });

  it('reads every limit and introspection: false', () => {
    const config = parseConfig('introspection: false\nlimits: { depth: 8, cost: 1000, pageSize: 50, documentBytes: 16kb, timeout: 2s, aliases: 5, batch: 4 }\nsources: [{kind: local, path: a}]\n', FILE, {});
    expect(config.limits).toEqual({ depth: 8, cost: 1000, pageSize: 50, documentBytes: 16384, timeoutMs: 2000, aliases: 5, batch: 4, introspection: false });
  });

  it('collects every source token, webhook secret and the Redis password as secrets the logs must never show', () => {
    const config = parseConfig(
      'redis: redis://gw:r%40dis-pass@127.0.0.1:6379/0\nsources:\n  - kind: github\n    token: gh-token-1\n    webhookSecret: hook-1\n    repos: [a/b]\n  - kind: gitlab\n    token: gl-token-2\n    projects: [g/p]\n  - kind: local\n    path: a\n',
      FILE,
      {},
    );
    expect(configSecrets(config)).toEqual(['gh-token-1', 'hook-1', 'gl-token-2', 'r@dis-pass']);
  });

  it('reports YAML syntax errors with the line', () => {
    const error = errorOf('sources:\n  - kind: local\n    path: [unclosed\n');
    expect(error.message).toMatch(/modelgate\.yaml:\d+: not valid YAML/);
  });

  it('runs the demo when there is no config anywhere', () => {
    const config = loadConfig({ env: { MODELGATE_CACHE_DIR: '/tmp/mg-cache' }, cwd: '/nonexistent-dir-for-test' });
    expect(config).toMatchObject({ demo: true, listen: { host: '127.0.0.1', port: 4000 }, sources: [{ kind: 'local', name: 'local', path: '/tmp/mg-cache/demo' }] });
  });

  it('says which file it could not read', () => {
    expect(() => loadConfig({ file: 'missing.yaml', env: {}, cwd: '/tmp' })).toThrow(/Cannot read the configuration file \/tmp\/missing\.yaml/);
  });
});
