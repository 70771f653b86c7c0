import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSimGit, repositoryId } from '../../src/hosts/simGit.js';
import type { SimGit, SimRepository } from '../../src/hosts/types.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

describe('SimGit (the simulator reading real repositories)', () => {
  const dir = useTempDir('modelgate-simgit');
  let git: SimGit;
  let repo: SimRepository;
  const sha: Record<string, string> = {};

  beforeAll(async () => {
    const writer = await createRepo(dir.path, 'acme/Churn');
    await writer.write({ 'dvc.yaml': 'artifacts:\n  m: { path: m.pkl }\n', 'models/a.txt': 'a\n', 'bin.dat': new Uint8Array([0, 1, 2]) });
    sha.c1 = await writer.commit('one', { date: '2025-01-01T00:00:00+02:00' });
    await writer.tag('m@v1.0.0', { message: 'first release', date: '2025-01-01T01:00:00+02:00' });
    await writer.lightweightTag('light');
    await writer.write({ 'models/a.txt': 'b\n' });
    sha.c2 = await writer.commit('two', { date: '2025-01-02T00:00:00Z' });
    const bare = await createRepo(dir.path, 'ml/vision/detector', { bare: true });
    await bare.write({ 'x.txt': 'x\n' });
    await bare.commit('x', { date: '2025-01-01T00:00:00Z' });
    await bare.close();
    git = createSimGit(dir.path);
    const found = await git.find('ACME/churn');
    if (!found) throw new Error('not found');
    repo = found;
  });

  afterAll(async () => {
    await git?.close();
  });

  it('lists repositories with work trees and bare ones, with stable ids, and finds them case-insensitively', async () => {
    const repos = await git.repositories();
    expect(repos.map((r) => [r.path, r.bare])).toEqual([
      ['acme/Churn', false],
      ['ml/vision/detector', true],
    ]);
    expect(repos[0]?.id).toBe(repositoryId('acme/churn'));
    expect(await git.find('acme/nope')).toBeUndefined();
  });

  it('reads the default branch, branches, and tags with annotations', async () => {
    expect(await git.defaultBranch(repo)).toEqual({ name: 'main', commit: sha.c2 });
    expect(await git.branches(repo)).toEqual([{ name: 'main', commit: sha.c2 }]);
    const tags = await git.tags(repo);
    expect(tags.map((t) => [t.name, t.commit, t.annotation?.message ?? null])).toEqual([
      ['light', sha.c1, null],
      ['m@v1.0.0', sha.c1, 'first release\n'],
    ]);
    expect(tags[1]?.annotation?.tagger.date).toBe('2025-01-01T01:00:00+02:00');
    const object = await git.tagObject(repo, tags[1]?.sha ?? '');
    expect(object).toMatchObject({ name: 'm@v1.0.0', objectType: 'commit', object: sha.c1, commit: sha.c1 });
  });

  it('resolves branches, tag names with @ and #, full and short SHAs to commits', async () => {
    expect(await git.resolveCommit(repo, 'main')).toBe(sha.c2);
    expect(await git.resolveCommit(repo, 'm@v1.0.0')).toBe(sha.c1);
    expect(await git.resolveCommit(repo, sha.c1?.slice(0, 8) ?? '')).toBe(sha.c1);
    expect(await git.resolveCommit(repo, 'HEAD')).toBe(sha.c2);
    expect(await git.resolveCommit(repo, 'nope')).toBeUndefined();
    expect(await git.resolveCommit(repo, '--help')).toBeUndefined();
  });

  it('reads commits, recursive trees with sizes, blobs and files at a revision', async () => {
    const commit = await git.commit(repo, sha.c2 ?? '');
    expect(commit).toMatchObject({ sha: sha.c2, parents: [sha.c1], message: 'two\n', author: { date: '2025-01-02T00:00:00+00:00' } });
    const tree = await git.tree(repo, 'm@v1.0.0', true);
    expect(tree?.entries.map((e) => [e.path, e.type, e.mode, e.size ?? null])).toEqual([
      ['bin.dat', 'blob', '100644', 3],
      ['dvc.yaml', 'blob', '100644', 32],
      ['models', 'tree', '040000', null],
      ['models/a.txt', 'blob', '100644', 2],
    ]);
    expect((await git.tree(repo, commit?.tree ?? '', false))?.entries.map((e) => e.path)).toEqual(['bin.dat', 'dvc.yaml', 'models']);
    const file = await git.fileAt(repo, 'm@v1.0.0', 'models/a.txt');
    expect(file?.content.toString()).toBe('a\n');
    expect((await git.blob(repo, file?.sha ?? ''))?.content.toString()).toBe('a\n');
    expect(await git.fileAt(repo, 'main', 'models')).toBeUndefined();
    expect(await git.entryAt(repo, 'm@v1.0.0', 'models/a.txt')).toEqual({ path: 'models/a.txt', mode: '100644', type: 'blob', sha: file?.sha, size: 2 });
    expect(await git.entryAt(repo, 'main', 'models/')).toMatchObject({ path: 'models', type: 'tree', mode: '040000' });
    expect(await git.entryAt(repo, 'main', 'models/*')).toBeUndefined();
    expect(await git.entryAt(repo, 'main', 'nope')).toBeUndefined();
    expect((await git.tree(repo, `${sha.c1}:models`, false))?.entries.map((e) => e.path)).toEqual(['a.txt']);
    expect(await git.fileAt(repo, 'main', 'nope.txt')).toBeUndefined();
  });

  it('creates annotated and lightweight tags, and refuses an existing name or an unknown target', async () => {
    const created = await git.createTag(repo, { name: 'm#prod#1', target: sha.c2 ?? '', message: 'Promote', tagger: { name: 'Ann', email: 'ann@x.org', date: '2025-02-01T10:00:00+01:00' } });
    expect(created).toMatchObject({ name: 'm#prod#1', commit: sha.c2, annotation: { message: 'Promote', tagger: { name: 'Ann', date: '2025-02-01T10:00:00+01:00' } } });
    expect(await git.createTag(repo, { name: 'plain', target: 'main' })).toMatchObject({ name: 'plain', commit: sha.c2, sha: sha.c2 });
    await expect(git.createTag(repo, { name: 'plain', target: 'main' })).rejects.toThrow(/already exists/);
    await expect(git.createTag(repo, { name: 'x', target: 'nope' })).rejects.toThrow(/not a commit/);
    await expect(git.createTag(repo, { name: 'bad..name', target: 'main' })).rejects.toThrow(/not a valid tag name/);
  });
});
