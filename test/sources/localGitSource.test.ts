import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InputError, UpstreamError } from '../../src/errors.js';
import { LocalGitSource, type RepositoryInfo } from '../../src/sources/index.js';
import { createRepo, makeTempDir, type TempDir } from '../support/gitRepo.js';

const ASHA = { name: 'Asha Verma', email: 'asha@example.com' };
const LEO = { name: 'Léo Martin', email: 'leo@example.org' };
const TAG_MESSAGE = 'Register model v1.0.0\n\nTrained on the March data.\nAUC 0.91';
const MANY = 200;
const DVC_V1 = 'artifacts:\n  churn:\n    path: model.pkl\n';
const DVC_V2 = 'artifacts:\n  churn:\n    path: model-v2.pkl\n';

let tmp: TempDir;
let source: LocalGitSource;
let alpha: RepositoryInfo;
let omega: RepositoryInfo;
let empty: RepositoryInfo;
let first: string;
let second: string;
let omegaHead: string;
let annotatedSha: string;

function manyFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < MANY; i += 1) files[`many/file-${String(i).padStart(3, '0')}.txt`] = `content of file ${i}\n`;
  return files;
}

beforeAll(async () => {
  tmp = await makeTempDir('modelgate-local-source');
  const root = tmp.path;

  // A repository inside alpha's work tree: alpha records it as a submodule entry, and the
  // listing must not report it as a repository of its own.
  const inner = await createRepo(root, 'team/alpha/vendor/inner');
  await inner.write({ 'inner.txt': 'inner\n' });
  await inner.commit('Inner', { date: '2024-01-01T00:00:00Z' });

  const writer = await createRepo(root, 'team/alpha');
  await writer.write({
    'dvc.yaml': DVC_V1,
    'dir/dvc.yaml': 'artifacts:\n  nested:\n    path: nested.pkl\n',
    'README.md': '# Alpha\n',
    'with space.txt': 'spaced\n',
    'colon:name.txt': 'colon\n',
    'big.bin': 'x'.repeat(2000),
  });
  await symlink('dvc.yaml', join(root, 'team/alpha/link.yaml'));
  first = await writer.commit('First version', { date: '2024-01-10T09:00:00+01:00', author: ASHA });
  annotatedSha = await writer.tag('model@v1.0.0', { message: TAG_MESSAGE, date: '2024-03-01T10:00:00+05:30', tagger: ASHA });
  await writer.lightweightTag('v0.1');
  await writer.tag('promoted', { message: 'Tag of a tag', date: '2024-03-02T10:00:00Z', tagger: LEO, commit: 'model@v1.0.0' });
  await writer.write({ 'dvc.yaml': DVC_V2, 'README.md': null, ...manyFiles() });
  second = await writer.commit('Second version\n\nWith a body.', {
    date: '2024-02-15T18:30:00-04:30',
    author: ASHA,
    committer: LEO,
  });

  const bare = await createRepo(root, 'bare/omega', { bare: true, defaultBranch: 'trunk' });
  await bare.write({ 'dvc.yaml': 'artifacts: {}\n' });
  omegaHead = await bare.commit('Omega', { date: '2024-05-05T05:05:05+02:00' });
  await bare.tag('omega@v0.1.0', { message: 'Omega', date: '2024-05-05T06:00:00+02:00' });
  await bare.close();

  await createRepo(root, 'team/empty');
  const gamma = await createRepo(root, 'group/sub/gamma');
  await gamma.write({ 'a.txt': 'a\n' });
  await gamma.commit('Gamma', { date: '2024-06-01T00:00:00Z' });
  const hidden = await createRepo(root, 'node_modules/pkg');
  await hidden.write({ 'a.txt': 'a\n' });
  await hidden.commit('Hidden', { date: '2024-06-01T00:00:00Z' });
  await mkdir(join(root, 'plain/notes'), { recursive: true });
  await writeFile(join(root, 'plain/notes/HEAD'), 'not a repository\n');

  source = LocalGitSource.create({ name: 'mine', root, maxFileBytes: 1024 });
  const repositories = await source.listRepositories();
  const byPath = (path: string): RepositoryInfo => {
    const found = repositories.find((repository) => repository.path === path);
    if (!found) throw new Error(`fixture: ${path} not listed`);
    return found;
  };
  alpha = byPath('team/alpha');
  omega = byPath('bare/omega');
  empty = byPath('team/empty');
});

afterAll(async () => {
  await source.close();
  await tmp.cleanup();
});

describe('LocalGitSource.listRepositories', () => {
  it('finds bare and work-tree repositories in nested folders, sorted by path', async () => {
    const paths = (await source.listRepositories()).map((repository) => repository.path);
    expect(paths).toEqual(['bare/omega', 'group/sub/gamma', 'team/alpha', 'team/empty']);
  });

  it('describes a repository with the configured source name in its ref', () => {
    expect(alpha).toEqual({
      ref: 'mine:team/alpha',
      source: 'mine',
      kind: 'local',
      path: 'team/alpha',
      host: 'local',
      fullName: 'team/alpha',
      url: `file://${join(tmp.path, 'team/alpha')}`,
    });
  });

  it('lists a root that is itself a repository under its folder name', async () => {
    const single = LocalGitSource.create({ root: join(tmp.path, 'group/sub/gamma') });
    const repositories = await single.listRepositories();
    await single.close();
    expect(repositories.map((repository) => repository.ref)).toEqual(['local:gamma']);
  });

  it('fails with an UpstreamError when the root folder does not exist', async () => {
    const missing = LocalGitSource.create({ root: join(tmp.path, 'no-such-folder') });
    await expect(missing.listRepositories()).rejects.toThrow(UpstreamError);
  });
});

describe('LocalGitSource.readRefs', () => {
  it('reports the default branch and its head commit', async () => {
    const refs = await source.readRefs(alpha);
    expect({ defaultBranch: refs.defaultBranch, headCommit: refs.headCommit }).toEqual({ defaultBranch: 'main', headCommit: second });
  });

  it('reads the default branch of a bare repository', async () => {
    const refs = await source.readRefs(omega);
    expect({ defaultBranch: refs.defaultBranch, headCommit: refs.headCommit }).toEqual({ defaultBranch: 'trunk', headCommit: omegaHead });
  });

  it('reports no branch, head or tags for an empty repository', async () => {
    expect(await source.readRefs(empty)).toEqual({ tags: [] });
  });

  it('reads every field of an annotated tag, keeping the tagger offset', async () => {
    const tag = (await source.readRefs(alpha)).tags.find((candidate) => candidate.name === 'model@v1.0.0');
    expect(tag).toEqual({
      name: 'model@v1.0.0',
      commit: first,
      annotation: {
        sha: annotatedSha,
        tagger: {
          name: 'Asha Verma',
          email: 'asha@example.com',
          timestamp: Date.parse('2024-03-01T10:00:00+05:30') / 1000,
          offset: '+0530',
          date: '2024-03-01T10:00:00+05:30',
        },
        message: `${TAG_MESSAGE}\n`,
      },
    });
  });

  it('reports a lightweight tag without an annotation', async () => {
    const tag = (await source.readRefs(alpha)).tags.find((candidate) => candidate.name === 'v0.1');
    expect(tag).toEqual({ name: 'v0.1', commit: first });
  });

  it('peels a tag of a tag to the commit, keeping the outer tag annotation', async () => {
    const tag = (await source.readRefs(alpha)).tags.find((candidate) => candidate.name === 'promoted');
    expect({ commit: tag?.commit, tagger: tag?.annotation?.tagger.name, message: tag?.annotation?.message }).toEqual({
      commit: first,
      tagger: 'Léo Martin',
      message: 'Tag of a tag\n',
    });
  });

  it('starts exactly one git process per call once the batch process runs', async () => {
    await source.readRefs(alpha);
    const before = source.processesSpawned;
    await source.readRefs(alpha);
    expect(source.processesSpawned - before).toBe(1);
  });
});

describe('LocalGitSource.readFiles', () => {
  it('reads a file as it was at an older commit', async () => {
    const [old, current] = await source.readFiles(alpha, [
      { commit: first, path: 'dvc.yaml' },
      { commit: second, path: 'dvc.yaml' },
    ]);
    expect([old, current]).toEqual([
      { found: true, text: DVC_V1, size: DVC_V1.length },
      { found: true, text: DVC_V2, size: DVC_V2.length },
    ]);
  });

  it('answers missing for a path that does not exist at that commit', async () => {
    expect(await source.readFiles(alpha, [{ commit: second, path: 'README.md' }])).toEqual([{ found: false, reason: 'missing' }]);
  });

  it('answers not-a-file for a directory', async () => {
    expect(await source.readFiles(alpha, [{ commit: first, path: 'dir' }])).toEqual([{ found: false, reason: 'not-a-file' }]);
  });

  it('answers too-large with the size for a file over the limit', async () => {
    expect(await source.readFiles(alpha, [{ commit: first, path: 'big.bin' }])).toEqual([{ found: false, reason: 'too-large', size: 2000 }]);
  });

  it('keeps reading correctly after skipping a too-large file', async () => {
    const [, after] = await source.readFiles(alpha, [
      { commit: first, path: 'big.bin' },
      { commit: first, path: 'README.md' },
    ]);
    expect(after).toEqual({ found: true, text: '# Alpha\n', size: 8 });
  });

  it('reads paths with spaces and colons', async () => {
    const replies = await source.readFiles(alpha, [
      { commit: first, path: 'with space.txt' },
      { commit: first, path: 'colon:name.txt' },
    ]);
    expect(replies.map((reply) => (reply.found ? reply.text : reply.reason))).toEqual(['spaced\n', 'colon\n']);
  });

  it('answers missing for a path with a newline without disturbing the other reads', async () => {
    const replies = await source.readFiles(alpha, [
      { commit: first, path: 'README.md\nREADME.md' },
      { commit: first, path: 'README.md' },
    ]);
    expect(replies).toEqual([{ found: false, reason: 'missing' }, { found: true, text: '# Alpha\n', size: 8 }]);
  });

  it('reads through a symbolic link inside the repository', async () => {
    const [link] = await source.readFiles(alpha, [{ commit: first, path: 'link.yaml' }]);
    expect(link).toEqual({ found: true, text: DVC_V1, size: DVC_V1.length });
  });

  it('reads 200 files without starting another process once warm', async () => {
    await source.readFiles(alpha, [{ commit: second, path: 'dvc.yaml' }]);
    const before = source.processesSpawned;
    const replies = await source.readFiles(
      alpha,
      Array.from({ length: MANY }, (_, i) => ({ commit: second, path: `many/file-${String(i).padStart(3, '0')}.txt` })),
    );
    expect({ spawned: source.processesSpawned - before, found: replies.filter((reply) => reply.found).length }).toEqual({
      spawned: 0,
      found: MANY,
    });
  });

  it('gives each of many concurrent callers its own contents', async () => {
    const indexes = Array.from({ length: 60 }, (_, i) => (i * 7) % MANY);
    const results = await Promise.all(
      indexes.map((i) =>
        source.readFiles(alpha, [
          { commit: first, path: 'big.bin' },
          { commit: second, path: `many/file-${String(i).padStart(3, '0')}.txt` },
        ]),
      ),
    );
    expect(results.map(([, file]) => (file?.found ? file.text : '?'))).toEqual(indexes.map((i) => `content of file ${i}\n`));
  });

  it('fails with an UpstreamError naming the repository for an unknown commit', async () => {
    await expect(source.readFiles(alpha, [{ commit: 'f'.repeat(40), path: 'dvc.yaml' }])).rejects.toThrow(
      new UpstreamError(`mine:team/alpha: commit ${'f'.repeat(40)} does not exist in the repository (rewritten history, or a SHA from another repository?)`, 'mine'),
    );
  });

  it('rejects a revision expression in place of a commit SHA with an InputError', async () => {
    await expect(source.readFiles(alpha, [{ commit: 'HEAD', path: 'dvc.yaml' }])).rejects.toThrow(InputError);
  });
});

describe('LocalGitSource.listFiles', () => {
  it('lists every file of each commit, nested dvc.yaml included and submodules left out', async () => {
    const [files] = await source.listFiles(alpha, [first]);
    expect(files).toEqual(['README.md', 'big.bin', 'colon:name.txt', 'dir/dvc.yaml', 'dvc.yaml', 'link.yaml', 'with space.txt']);
  });

  it('answers in the order the commits were asked', async () => {
    const lists = await source.listFiles(alpha, [second, first]);
    expect(lists.map((files) => files.length)).toEqual([6 + MANY, 7]);
  });

  it('fails with an UpstreamError for an unknown commit', async () => {
    await expect(source.listFiles(alpha, ['e'.repeat(40)])).rejects.toThrow(UpstreamError);
  });
});

describe('LocalGitSource.readCommits', () => {
  it('reads author, committer, message and parents', async () => {
    const [commit] = await source.readCommits(alpha, [second]);
    expect(commit).toEqual({
      sha: second,
      author: {
        name: 'Asha Verma',
        email: 'asha@example.com',
        timestamp: Date.parse('2024-02-15T18:30:00-04:30') / 1000,
        offset: '-0430',
        date: '2024-02-15T18:30:00-04:30',
      },
      committer: {
        name: 'Léo Martin',
        email: 'leo@example.org',
        timestamp: Date.parse('2024-02-15T18:30:00-04:30') / 1000,
        offset: '-0430',
        date: '2024-02-15T18:30:00-04:30',
      },
      message: 'Second version\n\nWith a body.\n',
      parents: [first],
    });
  });

  it('fails with an UpstreamError for an unknown commit', async () => {
    await expect(source.readCommits(alpha, ['0'.repeat(40)])).rejects.toThrow(UpstreamError);
  });
});

describe('LocalGitSource lifecycle', () => {
  it('starts a new batch process after close', async () => {
    await source.readCommits(alpha, [first]);
    await source.close();
    const before = source.processesSpawned;
    const [commit] = await source.readCommits(alpha, [first]);
    expect({ spawned: source.processesSpawned - before, sha: commit?.sha }).toEqual({ spawned: 1, sha: first });
  });

  it('fails with an UpstreamError naming the repository once it has been removed', async () => {
    const own = await makeTempDir('modelgate-local-removed');
    const writer = await createRepo(own.path, 'doomed');
    await writer.write({ 'a.txt': 'a\n' });
    const sha = await writer.commit('Doomed', { date: '2024-01-01T00:00:00Z' });
    const doomedSource = LocalGitSource.create({ root: own.path });
    const [doomed] = await doomedSource.listRepositories();
    if (!doomed) throw new Error('fixture: doomed not listed');
    await doomedSource.readFiles(doomed, [{ commit: sha, path: 'a.txt' }]);
    await own.cleanup();
    const failure = doomedSource.readFiles(doomed, [{ commit: sha, path: 'a.txt' }]);
    await expect(failure).rejects.toThrow(UpstreamError);
    await expect(failure).rejects.toThrow(/local:doomed/);
    await doomedSource.close();
  });

  it('fails with an UpstreamError when git cannot read the repository', async () => {
    const own = await makeTempDir('modelgate-local-broken');
    const writer = await createRepo(own.path, 'broken');
    await writer.write({ 'a.txt': 'a\n' });
    await writer.commit('Broken', { date: '2024-01-01T00:00:00Z' });
    const brokenSource = LocalGitSource.create({ root: own.path });
    const [broken] = await brokenSource.listRepositories();
    if (!broken) throw new Error('fixture: broken not listed');
    await rm(join(own.path, 'broken/.git/objects'), { recursive: true });
    await expect(brokenSource.readRefs(broken)).rejects.toThrow(/local:broken/);
    await brokenSource.close();
    await own.cleanup();
  });
});
