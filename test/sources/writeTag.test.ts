import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HostSimulator } from '../../src/hosts/index.js';
import { GitHubSource, GitLabSource, LocalGitSource, createGitHubClient, createGitLabClient } from '../../src/sources/index.js';
import type { GitSource, RepositoryInfo } from '../../src/sources/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

/*
 * `writeTag` of each source against real parts: a real repository for `local`, and the host
 * simulator's GitHub and GitLab through the real Octokit and Gitbeaker for the hosted ones,
 * with tokens that may write, may only read, or see nothing.
 */

const run = promisify(execFile);
const MESSAGE = 'Assigning stage prod to artifact churn version v1.0.0';

/** git in a repository, without the user's config or inherited GIT_* variables. */
async function git(gitDir: string, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  const { stdout } = await run('git', ['--git-dir', gitDir, ...args], { env: { ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  return stdout.trim();
}

/** The tag as git stores it: object type, target, tagger and message; undefined when there is no such tag. */
async function storedTag(gitDir: string, name: string): Promise<{ type: string; commit: string; tagger: string; message: string } | undefined> {
  const line = await git(gitDir, ['for-each-ref', '--format=%(objecttype)%00%(*objectname)%00%(taggername) %(taggeremail)%00%(contents)', `refs/tags/${name}`]);
  if (line === '') return undefined;
  const [type = '', commit = '', tagger = '', message = ''] = line.split('\0');
  return { type, commit, tagger, message: message.trim() };
}

async function repoInfo(source: GitSource, path: string): Promise<RepositoryInfo> {
  const info = (await source.listRepositories()).find((r) => r.path === path);
  if (!info) throw new Error(`${source.name} does not list ${path}`);
  return info;
}

describe('writeTag', () => {
  const dir = useTempDir('modelgate-write-tag');
  let gitDir: string;
  let first: string;
  let sim: HostSimulator;

  beforeAll(async () => {
    const repo = await createRepo(join(dir.path, 'repos'), 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n' });
    first = await repo.commit('First model', { date: '2025-01-10T09:00:00+01:00' });
    await repo.tag('churn@v1.0.0', { message: 'Churn v1', date: '2025-01-10T10:00:00+01:00', commit: first });
    gitDir = repo.gitDir;
    sim = await HostSimulator.start({
      reposDir: join(dir.path, 'repos'),
      tokens: { indexer: {}, writer: { name: 'wanda' }, reader: { readOnly: true }, stranger: { repos: ['other/*'] } },
    });
  });

  afterAll(async () => {
    await sim?.close();
  });

  describe('local source', () => {
    let source: LocalGitSource;
    beforeAll(() => {
      source = LocalGitSource.create({ root: join(dir.path, 'repos'), tagger: { name: 'Gateway', email: 'gateway@example.com' } });
    });
    afterAll(async () => {
      await source.close();
    });

    it('creates an annotated tag with the message, by the configured tagger, and reads it back', async () => {
      const info = await repoInfo(source, 'acme/churn');
      await source.writeTag(info, { name: 'churn#prod#1', commit: first, message: MESSAGE }, {});
      expect(await storedTag(gitDir, 'churn#prod#1')).toEqual({ type: 'tag', commit: first, tagger: 'Gateway <gateway@example.com>', message: MESSAGE });
      const read = (await source.readRefs(info)).tags.find((t) => t.name === 'churn#prod#1');
      expect(read).toMatchObject({ commit: first, annotation: { tagger: { name: 'Gateway', email: 'gateway@example.com' } } });
      expect(read?.annotation?.message.trim()).toBe(MESSAGE);
    });

    it('writes the caller as tagger when one is given', async () => {
      const info = await repoInfo(source, 'acme/churn');
      await source.writeTag(info, { name: 'churn#dev#2', commit: first, message: 'dev' }, { tagger: { name: 'Carol', email: 'carol@example.com' } });
      expect((await storedTag(gitDir, 'churn#dev#2'))?.tagger).toBe('Carol <carol@example.com>');
    });

    it('refuses a tag that exists and leaves it where it was', async () => {
      const info = await repoInfo(source, 'acme/churn');
      const before = await git(gitDir, ['rev-parse', 'refs/tags/churn@v1.0.0']);
      await expect(source.writeTag(info, { name: 'churn@v1.0.0', commit: first, message: 'again' }, {})).rejects.toMatchObject({ name: 'ConflictError', message: expect.stringContaining('exists already') });
      expect(await git(gitDir, ['rev-parse', 'refs/tags/churn@v1.0.0'])).toBe(before);
    });

    it('refuses a SHA that is no commit of the repository', async () => {
      const info = await repoInfo(source, 'acme/churn');
      await expect(source.writeTag(info, { name: 'churn@v9.0.0', commit: 'f'.repeat(40), message: 'x' }, {})).rejects.toMatchObject({ name: 'InputError' });
      expect(await storedTag(gitDir, 'churn@v9.0.0')).toBeUndefined();
    });
  });

  describe.each(['github', 'gitlab'] as const)('%s source through the simulator', (kind) => {
    let source: GitHubSource | GitLabSource;
    beforeAll(() => {
      source =
        kind === 'github'
          ? GitHubSource.create({
              baseUrl: sim.githubUrl,
              repos: ['acme/churn'],
              client: (onRequest) => createGitHubClient({ baseUrl: sim.githubUrl, token: 'indexer', onRequest }),
              writeClient: (token) => createGitHubClient({ baseUrl: sim.githubUrl, token, minPostIntervalMs: 0, retries: 0 }),
            })
          : GitLabSource.create({
              client: createGitLabClient({ host: sim.url, token: 'indexer' }),
              writeClient: (token) => createGitLabClient({ host: sim.url, token }),
              projects: ['acme/churn'],
            });
    });

    it('creates the annotated tag with the message, with the caller\'s token', async () => {
      const name = `churn#${kind}#3`;
      const info = await repoInfo(source, 'acme/churn');
      await source.writeTag(info, { name, commit: first, message: MESSAGE }, { token: 'writer' });
      expect(await storedTag(gitDir, name)).toEqual({ type: 'tag', commit: first, tagger: expect.stringContaining('wanda') as unknown as string, message: MESSAGE });
      const read = (await source.readRefs(info)).tags.find((t) => t.name === name);
      expect(read?.annotation?.message.trim()).toBe(MESSAGE);
    });

    it('says which header to send when the caller sent no token, and writes nothing', async () => {
      const info = await repoInfo(source, 'acme/churn');
      await expect(source.writeTag(info, { name: 'churn#none#4', commit: first, message: 'x' }, {})).rejects.toMatchObject({
        name: 'UnauthenticatedError',
        message: expect.stringContaining(`send X-Modelgate-Token-${kind}`),
      });
      expect(await storedTag(gitDir, 'churn#none#4')).toBeUndefined();
    });

    it.each([
      ['may only read', 'reader'],
      ['cannot see the repository', 'stranger'],
    ])('refuses a token that %s with a clear error, and writes nothing', async (_what, token) => {
      const name = `churn#${token}#5`;
      const info = await repoInfo(source, 'acme/churn');
      await expect(source.writeTag(info, { name, commit: first, message: 'x' }, { token })).rejects.toMatchObject({
        name: 'ForbiddenError',
        message: expect.stringMatching(/^Your token may not create tags in acme\/churn/),
      });
      expect(await storedTag(gitDir, name)).toBeUndefined();
    });

    it('refuses a tag that exists', async () => {
      const info = await repoInfo(source, 'acme/churn');
      await expect(source.writeTag(info, { name: 'churn@v1.0.0', commit: first, message: 'again' }, { token: 'writer' })).rejects.toMatchObject({ name: 'ConflictError' });
      expect((await storedTag(gitDir, 'churn@v1.0.0'))?.message).toBe('Churn v1');
    });
  });
});
