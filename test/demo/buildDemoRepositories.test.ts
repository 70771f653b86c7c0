import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildDemoRepositories, DEMO_VERSION } from '../../src/demo/index.js';
import { LocalGitSource, type RawTag, type RepositoryInfo, type RepositoryRefs } from '../../src/sources/index.js';
import { makeTempDir, type TempDir } from '../support/gitRepo.js';

let tmp: TempDir;
let firstBuild: { built: boolean; repositories: string[] };
let firstBuildMs: number;
let source: LocalGitSource;
const repos: Record<string, RepositoryInfo> = {};
const refs: Record<string, RepositoryRefs> = {};

function tag(repository: string, name: string): RawTag {
  const found = refs[repository]?.tags.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no tag ${name} in ${repository}`);
  return found;
}

async function readAt(repository: string, commit: string, path: string): Promise<string | undefined> {
  const info = repos[repository];
  if (!info) throw new Error(`no repository ${repository}`);
  const [file] = await source.readFiles(info, [{ commit, path }]);
  return file?.found ? file.text : undefined;
}

beforeAll(async () => {
  tmp = await makeTempDir('modelgate-demo');
  const started = Date.now();
  firstBuild = await buildDemoRepositories(join(tmp.path, 'demo'));
  firstBuildMs = Date.now() - started;
  source = LocalGitSource.create({ root: join(tmp.path, 'demo') });
  for (const info of await source.listRepositories()) {
    repos[info.path] = info;
    refs[info.path] = await source.readRefs(info);
  }
});

afterAll(async () => {
  await source.close();
  await tmp.cleanup();
});

describe('buildDemoRepositories', () => {
  it('builds the four demo repositories in under ten seconds', () => {
    expect({ built: firstBuild.built, repositories: firstBuild.repositories, fast: firstBuildMs < 10_000 }).toEqual({
      built: true,
      repositories: ['acme/churn-model', 'acme/churn-serving', 'acme/vision', 'research/nlp-sentiment'],
      fast: true,
    });
  });

  it('makes repositories the local source lists', () => {
    expect(Object.values(repos).map((info) => info.ref)).toEqual([
      'local:acme/churn-model',
      'local:acme/churn-serving',
      'local:acme/vision',
      'local:research/nlp-sentiment',
    ]);
  });

  it('makes acme/vision a bare repository', async () => {
    const head = await stat(join(tmp.path, 'demo/acme/vision/HEAD'));
    await expect(stat(join(tmp.path, 'demo/acme/vision/.git'))).rejects.toThrow();
    expect(head.isFile()).toBe(true);
  });

  it('gives the churn model its GTO history and non-GTO tags', () => {
    expect(refs['acme/churn-model']?.tags.map((t) => t.name)).toEqual([
      'churn#prod#2',
      'churn#prod#6',
      'churn#staging#1',
      'churn#staging#3',
      'churn#staging#5',
      'churn@v1.0.0',
      'churn@v1.1.0',
      'churn@v1.2.0',
      'churn@v1.2.0!',
      'churn@v2.0.0',
      'churn@v2.0.0-rc.1',
      'release-2025-q4',
      'v0.1',
    ]);
  });

  it('keeps tagger identities and offsets on the churn tags', () => {
    const tagger = (name: string): string => {
      const t = tag('acme/churn-model', name).annotation?.tagger;
      return `${t?.name ?? '?'} ${t?.date ?? '?'}`;
    };
    expect([tagger('churn@v2.0.0'), tagger('churn#prod#6'), tagger('release-2025-q4')]).toEqual([
      'Priya Raman 2026-01-14T14:00:00+05:30',
      'Daniel Okafor 2026-01-20T16:00:00+00:00',
      'Sam Alvarez 2025-10-31T17:00:00-04:00',
    ]);
  });

  it('makes v0.1 a lightweight tag', () => {
    expect(tag('acme/churn-model', 'v0.1').annotation).toBeUndefined();
  });

  it('declares the churn artifact in dvc.yaml at its first version', async () => {
    const dvcYaml = await readAt('acme/churn-model', tag('acme/churn-model', 'churn@v1.0.0').commit, 'dvc.yaml');
    expect(dvcYaml).toContain('artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n');
  });

  it('tags the vision monorepo with nested artifact names and a deprecation', () => {
    const names = refs['acme/vision']?.tags.map((t) => t.name) ?? [];
    expect(names.filter((name) => name.startsWith('detector=yolo@') || name.startsWith('resnet-baseline@'))).toEqual([
      'detector=yolo@v0.1.0',
      'detector=yolo@v0.2.0',
      'detector=yolo@v1.0.0',
      'resnet-baseline@deprecated',
      'resnet-baseline@v1.0.0',
    ]);
  });

  it('keeps the detector dvc.yaml in its folder', async () => {
    const text = await readAt('acme/vision', tag('acme/vision', 'detector=yolo@v0.1.0').commit, 'detector/dvc.yaml');
    expect(text).toContain('  yolo:\n    path: models/yolo.pt\n');
  });

  it('unassigns sentiment from prod on the commit of the version it held', () => {
    expect(tag('research/nlp-sentiment', 'sentiment#prod!#4').commit).toBe(tag('research/nlp-sentiment', 'sentiment@v0.2.0').commit);
  });

  it('writes the first sentiment lock in the DVC 2.x form and later ones with hash: md5', async () => {
    const [legacy, current] = await Promise.all([
      readAt('research/nlp-sentiment', tag('research/nlp-sentiment', 'sentiment@v0.1.0').commit, 'dvc.lock'),
      readAt('research/nlp-sentiment', tag('research/nlp-sentiment', 'sentiment@v0.2.0').commit, 'dvc.lock'),
    ]);
    expect([legacy?.includes('hash: md5'), current?.includes('hash: md5')]).toEqual([false, true]);
  });

  it("makes acme/churn-serving import churn v2.0.0's model file by the churn repository's GitHub origin URL", async () => {
    expect(repos['acme/churn-model']?.remoteUrls).toEqual(['https://github.com/acme/churn-model.git']);
    const pinned = tag('acme/churn-model', 'churn@v2.0.0').commit;
    const serving = tag('acme/churn-serving', 'churn-scorer@v1.0.0').commit;
    const imported = await readAt('acme/churn-serving', serving, 'models/churn.pkl.dvc');
    expect(imported).toContain(`url: https://github.com/acme/churn-model.git\n    rev: churn@v2.0.0\n    rev_lock: ${pinned}\n`);
    const lock = await readAt('acme/churn-model', pinned, 'dvc.lock');
    const md5 = /- path: models\/churn\.pkl\n\s+hash: md5\n\s+md5: ([0-9a-f]{32})/.exec(lock ?? '')?.[1];
    expect(md5).toMatch(/^[0-9a-f]{32}$/);
    expect(imported).toContain(`- md5: ${md5}\n`);
  });

  it('reuses a finished build without rebuilding', async () => {
    const started = Date.now();
    const again = await buildDemoRepositories(join(tmp.path, 'demo'));
    expect({ built: again.built, fast: Date.now() - started < 1000 }).toEqual({ built: false, fast: true });
  });

  it('rebuilds a folder whose marker is missing, with the same SHAs', async () => {
    const demo = join(tmp.path, 'demo');
    await rm(join(demo, '.modelgate-demo.json'));
    await rm(join(demo, 'research'), { recursive: true });
    const again = await buildDemoRepositories(demo);
    const fresh = LocalGitSource.create({ root: demo });
    const [churn] = await fresh.listRepositories();
    const churnRefs = churn ? await fresh.readRefs(churn) : undefined;
    await fresh.close();
    expect({ built: again.built, refs: churnRefs }).toEqual({ built: true, refs: refs['acme/churn-model'] });
  });

  it('writes a marker naming the version and repositories', async () => {
    const marker = JSON.parse(await readFile(join(tmp.path, 'demo/.modelgate-demo.json'), 'utf8')) as unknown;
    expect(marker).toEqual({ version: DEMO_VERSION, repositories: ['acme/churn-model', 'acme/churn-serving', 'acme/vision', 'research/nlp-sentiment'] });
  });
});
