import { access, readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { LocalGitSource } from '../../src/sources/index.js';
import { createRepo, makeTempDir, type TempDir } from '../support/gitRepo.js';

let tmp: TempDir;

beforeAll(async () => {
  tmp = await makeTempDir('modelgate-repo-writer');
});

afterAll(async () => {
  await tmp.cleanup();
});

describe('RepoWriter', () => {
  it('gives the same commit SHA for the same files, message, identity and date', async () => {
    const shas = await Promise.all(
      ['same/one', 'same/two'].map(async (path) => {
        const writer = await createRepo(tmp.path, path);
        await writer.write({ 'a.txt': 'a\n' });
        return writer.commit('Same', { date: '2025-03-01T10:00:00+02:00', author: { name: 'A', email: 'a@example.com' } });
      }),
    );
    expect(shas[0]).toBe(shas[1]);
  });

  it('leaves a bare repository without an index and removes its temporary work tree on close', async () => {
    const writer = await createRepo(tmp.path, 'bare/repo', { bare: true });
    await writer.write({ 'a.txt': 'a\n' });
    await writer.commit('Bare', { date: '2025-03-01T10:00:00Z' });
    await writer.close();
    const entries = (await readdir(writer.dir)).sort();
    const workTreeGone = await access(writer.workTree).then(
      () => false,
      () => true,
    );
    expect({ index: entries.includes('index'), workTreeGone }).toEqual({ index: false, workTreeGone: true });
  });

  it('drops a file written as null from the next commit', async () => {
    const writer = await createRepo(tmp.path, 'deletes/repo');
    await writer.write({ 'keep.txt': 'k\n', 'drop.txt': 'd\n' });
    await writer.commit('Both', { date: '2025-03-01T10:00:00Z' });
    await writer.write({ 'drop.txt': null });
    const sha = await writer.commit('One', { date: '2025-03-02T10:00:00Z' });
    const source = LocalGitSource.create({ root: writer.dir });
    const [info] = await source.listRepositories();
    const files = info ? await source.listFiles(info, [sha]) : [];
    await source.close();
    expect(files).toEqual([['keep.txt']]);
  });

  it('rejects a date without an offset', async () => {
    const writer = await createRepo(tmp.path, 'dates/repo');
    await writer.write({ 'a.txt': 'a\n' });
    await expect(writer.commit('No offset', { date: '2025-03-01T10:00:00' })).rejects.toThrow(InputError);
  });
});
