import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import { HostSimulator } from '../../src/hosts/index.js';
import { refsFingerprint } from '../../src/hosts/refsFingerprint.js';
import { createSimGit } from '../../src/hosts/simGit.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { QUIET, gitIn } from './simRepos.js';

/**
 * Waits until the repository's refs fingerprint is settled, so that the next read is cached: what
 * follows then tests a cached answer, not a fresh read (a fingerprint younger than the racy window
 * is never trusted).
 */
async function settled(gitDir: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await refsFingerprint(gitDir)).settled) {
    if (Date.now() > deadline) throw new Error(`the refs of ${gitDir} did not settle`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the simulator\'s refs cache, against changes made outside it with the git CLI', () => {
  const dir = useTempDir('modelgate-sim-refs-cache');
  let sim: HostSimulator;
  let gitDir: string;
  const commits: string[] = [];
  const octokit = () => new Octokit({ baseUrl: sim.githubUrl, auth: 'tok', log: QUIET });
  const tagRefs = async () => (await octokit().rest.git.listMatchingRefs({ owner: 'acme', repo: 'cache', ref: 'tags/' })).data.map((r) => r.ref);
  /** Reads twice, so the answer is in the cache before the change under test. */
  const cacheTags = async () => {
    await settled(gitDir);
    const first = await tagRefs();
    expect(await tagRefs()).toEqual(first);
    return first;
  };

  beforeAll(async () => {
    const writer = await createRepo(dir.path, 'acme/cache');
    await writer.write({ 'a.txt': 'a\n' });
    commits.push(await writer.commit('one', { date: '2025-01-01T00:00:00Z' }));
    await writer.tag('m@v1.0.0', { message: 'one', date: '2025-01-01T01:00:00Z' });
    await writer.write({ 'a.txt': 'b\n' });
    commits.push(await writer.commit('two', { date: '2025-01-02T00:00:00Z' }));
    gitDir = writer.gitDir;
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { tok: { name: 'ada' } } });
  });
  beforeEach(async () => {
    // Every case starts from the same tags: only m@v1.0.0.
    const extra = (await gitIn(gitDir, ['tag', '-l'])).split('\n').filter((t) => t !== '' && t !== 'm@v1.0.0');
    if (extra.length > 0) await gitIn(gitDir, ['tag', '-d', ...extra]);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('shows a tag created with the git CLI on the next request, though the tag list was cached', async () => {
    expect(await cacheTags()).toEqual(['refs/tags/m@v1.0.0']);
    await gitIn(gitDir, ['tag', '-a', '-m', 'two', 'm@v2.0.0', commits[1] ?? '']);
    expect(await tagRefs()).toEqual(['refs/tags/m@v1.0.0', 'refs/tags/m@v2.0.0']);
  });

  it('stops showing a tag deleted with the git CLI, whether it was loose or packed', async () => {
    await gitIn(gitDir, ['tag', 'loose', commits[0] ?? '']);
    await gitIn(gitDir, ['tag', 'packed', commits[0] ?? '']);
    await gitIn(gitDir, ['pack-refs', '--all']);
    await gitIn(gitDir, ['tag', 'loose2', commits[0] ?? '']);
    expect(await cacheTags()).toEqual(['refs/tags/loose', 'refs/tags/loose2', 'refs/tags/m@v1.0.0', 'refs/tags/packed']);
    await gitIn(gitDir, ['tag', '-d', 'loose2']);
    expect(await tagRefs()).toEqual(['refs/tags/loose', 'refs/tags/m@v1.0.0', 'refs/tags/packed']);
    await cacheTags();
    await gitIn(gitDir, ['tag', '-d', 'packed']);
    expect(await tagRefs()).toEqual(['refs/tags/loose', 'refs/tags/m@v1.0.0']);
  });

  it('sees a tag added or removed in a nested folder (refs/tags/a/b), where only that folder changes', async () => {
    await gitIn(gitDir, ['tag', 'a/b/one', commits[0] ?? '']);
    expect(await cacheTags()).toEqual(['refs/tags/a/b/one', 'refs/tags/m@v1.0.0']);
    await gitIn(gitDir, ['tag', 'a/b/two', commits[1] ?? '']);
    expect(await tagRefs()).toEqual(['refs/tags/a/b/one', 'refs/tags/a/b/two', 'refs/tags/m@v1.0.0']);
    await cacheTags();
    await gitIn(gitDir, ['tag', '-d', 'a/b/one']);
    expect(await tagRefs()).toEqual(['refs/tags/a/b/two', 'refs/tags/m@v1.0.0']);
  });

  it('follows a branch moved with the git CLI, and the default branch\'s new commit', async () => {
    await gitIn(gitDir, ['branch', '-f', 'feature', commits[0] ?? '']);
    await settled(gitDir);
    const ref = async (name: string) => (await octokit().rest.git.getRef({ owner: 'acme', repo: 'cache', ref: `heads/${name}` })).data.object.sha;
    expect(await ref('feature')).toBe(commits[0]);
    expect(await ref('feature')).toBe(commits[0]);
    await gitIn(gitDir, ['branch', '-f', 'feature', commits[1] ?? '']);
    expect(await ref('feature')).toBe(commits[1]);

    await settled(gitDir);
    expect((await octokit().rest.repos.getBranch({ owner: 'acme', repo: 'cache', branch: 'main' })).data.commit.sha).toBe(commits[1]);
    await gitIn(gitDir, ['update-ref', 'refs/heads/main', commits[0] ?? '']);
    expect((await octokit().rest.repos.getBranch({ owner: 'acme', repo: 'cache', branch: 'main' })).data.commit.sha).toBe(commits[0]);
    await gitIn(gitDir, ['update-ref', 'refs/heads/main', commits[1] ?? '']);
  });
});

describe('SimGit\'s refs cache', () => {
  const dir = useTempDir('modelgate-simgit-cache');

  it('answers from the cache while the fingerprint holds (a hand edit inside a loose ref file is not seen) until refsChanged', async () => {
    const writer = await createRepo(dir.path, 'acme/edit');
    await writer.write({ 'a.txt': 'a\n' });
    const first = await writer.commit('one', { date: '2025-01-01T00:00:00Z' });
    await writer.write({ 'a.txt': 'b\n' });
    const second = await writer.commit('two', { date: '2025-01-02T00:00:00Z' });
    const git = createSimGit(dir.path);
    try {
      const repo = await git.find('acme/edit');
      if (!repo) throw new Error('acme/edit not found');
      await settled(repo.gitDir);
      expect(await git.branches(repo)).toEqual([{ name: 'main', commit: second }]);

      // Rewriting the file in place leaves every folder's mtime as it was: Git never does this.
      await writeFile(join(repo.gitDir, 'refs', 'heads', 'main'), `${first}\n`);
      expect(await git.branches(repo)).toEqual([{ name: 'main', commit: second }]);
      expect(await git.defaultBranch(repo)).toEqual({ name: 'main', commit: second });

      git.refsChanged(repo);
      expect(await git.branches(repo)).toEqual([{ name: 'main', commit: first }]);
      expect(await git.defaultBranch(repo)).toEqual({ name: 'main', commit: first });
    } finally {
      await git.close();
    }
  });
});
