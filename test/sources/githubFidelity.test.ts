import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HostSimulator } from '../../src/hosts/index.js';
import { GitHubSource, LocalGitSource, createGitHubClient } from '../../src/sources/index.js';
import type { GitHubSourceOptions, RepositoryInfo } from '../../src/sources/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

/*
 * The GitHub source answers exactly as the local source (the oracle) where it is easy to get
 * wrong: symbolic links (followed, also through folders; leaving the repository, dangling,
 * looping) and caches that fill up in the middle of a call.
 */

describe('GitHubSource fidelity', () => {
  const dir = useTempDir('modelgate-github-fidelity');
  let sim: HostSimulator;
  let local: LocalGitSource;
  const commits: string[] = [];

  beforeAll(async () => {
    const links = await createRepo(dir.path, 'acme/links');
    await links.write({
      'shared/models/dvc.yaml': 'artifacts:\n  churn:\n    path: churn.pkl\n',
      'shared/conf/params.yaml': 'lr: 0.1\n',
      'plain.txt': 'plain\n',
    });
    const work = join(dir.path, 'acme/links');
    await symlink('shared/models/dvc.yaml', join(work, 'dvc.yaml'));
    await symlink('shared/conf', join(work, 'conf'));
    await symlink('../models/dvc.yaml', join(work, 'shared/conf/up.yaml'));
    await symlink('../../../etc/passwd', join(work, 'outside'));
    await symlink('nowhere.txt', join(work, 'dangling'));
    await symlink('loop-b', join(work, 'loop-a'));
    await symlink('loop-a', join(work, 'loop-b'));
    await symlink('plain.txt/x', join(work, 'through-file'));
    await links.commit('links', { date: '2025-01-01T00:00:00Z' });

    const many = await createRepo(dir.path, 'acme/many');
    for (let c = 0; c < 5; c++) {
      const files: Record<string, string> = {};
      for (let f = 0; f < 12; f++) files[`d${f % 4}/sub${f % 2}/file-${f}.txt`] = `commit ${c < 2 ? 0 : c} file ${f}\n`;
      await many.write(files);
      commits.push(await many.commit(`c${c}`, { date: `2025-01-0${c + 1}T00:00:00Z`, allowEmpty: true }));
    }
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { t: {} } });
    local = LocalGitSource.create({ root: dir.path });
  }, 60_000);

  afterAll(async () => {
    await local?.close();
    await sim?.close();
  });

  function github(options: Partial<GitHubSourceOptions> = {}): GitHubSource {
    return GitHubSource.create({ baseUrl: sim.githubUrl, client: (onRequest) => createGitHubClient({ baseUrl: sim.githubUrl, token: 't', onRequest, minPostIntervalMs: 0 }), ...options });
  }

  async function pair(source: GitHubSource, path: string): Promise<[RepositoryInfo, RepositoryInfo]> {
    const remote = (await source.listRepositories()).find((r) => r.path === path);
    const mine = (await local.listRepositories()).find((r) => r.path === path);
    if (!remote || !mine) throw new Error(`${path} not listed`);
    return [remote, mine];
  }

  it('follows symbolic links as git cat-file --follow-symlinks does: files, folders, relative targets, and the broken kinds', async () => {
    const source = github({ repos: ['acme/links'] });
    const [remote, mine] = await pair(source, 'acme/links');
    const head = (await local.readRefs(mine)).headCommit as string;
    const paths = ['dvc.yaml', 'conf/params.yaml', 'conf/up.yaml', 'outside', 'dangling', 'loop-a', 'through-file', 'conf', 'plain.txt', 'conf/missing.yaml'];
    const files = paths.map((path) => ({ commit: head, path }));
    const expected = await local.readFiles(mine, files);
    expect(await source.readFiles(remote, files)).toEqual(expected);
    // The cases are what they claim to be.
    expect(expected[0]).toEqual({ found: true, text: 'artifacts:\n  churn:\n    path: churn.pkl\n', size: 40 });
    expect(expected[1]).toMatchObject({ found: true, text: 'lr: 0.1\n' });
    expect(expected[2]).toMatchObject({ found: true, text: 'artifacts:\n  churn:\n    path: churn.pkl\n' });
    expect(expected.slice(3, 7).map((f) => !f?.found && f?.reason)).toEqual(['not-a-file', 'missing', 'not-a-file', 'missing']);
    // Links are listed as files, as git ls-tree lists them.
    expect(await source.listFiles(remote, [head])).toEqual(await local.listFiles(mine, [head]));
  });

  it('answers every file and listing even when its caches fill up in the middle of a call', async () => {
    // Caches of 12 entries, each evicting its oldest tenth: far fewer than the trees and blobs of five commits.
    const source = github({ repos: ['acme/many'], cacheEntries: 12 });
    const [remote, mine] = await pair(source, 'acme/many');
    expect(await source.listFiles(remote, commits)).toEqual(await local.listFiles(mine, commits));
    const files = commits.flatMap((commit) => Array.from({ length: 12 }, (_, f) => ({ commit, path: `d${f % 4}/sub${f % 2}/file-${f}.txt` })));
    const got = await source.readFiles(remote, files);
    expect(got).toEqual(await local.readFiles(mine, files));
    expect(got.every((f) => f.found)).toBe(true);
    // Commits too (GraphQL gives messages without Git's final newline, which the registry trims anyway).
    const shape = (c: { sha: string; parents: string[]; message: string }) => ({ sha: c.sha, parents: c.parents, message: c.message.trim() });
    expect((await source.readCommits(remote, commits)).map(shape)).toEqual((await local.readCommits(mine, commits)).map(shape));
  });
});
