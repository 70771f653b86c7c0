/**
 * The repositories the simulator tests serve, built as real Git repositories:
 *
 * - `acme/churn`: a DVC project with nested files, a binary file, a file over 1 MB, two
 *   commits, annotated GTO tags (`churn@v1.0.0`, `churn#prod#1`) and a lightweight tag;
 * - `acme/vision`, `acme/secret`, `acme/r1`…`acme/r4`: small ones (GitHub org listing, access);
 * - `ml/top`, `ml/vision/detector`, `ml/vision/segmenter`, `ml/nlp/tagger`: GitLab groups
 *   nested two levels deep (`detector` carries tags too);
 * - `ml/empty`: no commit at all.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRepo } from '../support/gitRepo.js';

const run = promisify(execFile);

export interface SimRepos {
  root: string;
  churn: { first: string; head: string; v1Tag: string; prodTag: string; gitDir: string };
  detector: { head: string; v1Tag: string; gitDir: string };
}

export const DVC_YAML = 'artifacts:\n  churn:\n    path: models/churn.pkl\n    type: model\n';
export const NESTED_DVC_YAML = 'stages:\n  train:\n    cmd: python train.py\n';
/** Bytes a text decoder would mangle. */
export const BINARY = Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 0x80, 10]);
/** Over the contents API's 1 MB JSON limit. */
export const BIG = 'x'.repeat(1024 * 1024 + 10);

export async function buildSimRepos(root: string): Promise<SimRepos> {
  const churn = await createRepo(root, 'acme/churn');
  await churn.write({ 'dvc.yaml': DVC_YAML, 'params.yaml': 'lr: 0.1\n', 'models/dvc.yaml': NESTED_DVC_YAML, 'models/churn.pkl': BINARY });
  const first = await churn.commit('First model', { date: '2025-01-10T09:00:00+01:00' });
  const v1Tag = await churn.tag('churn@v1.0.0', { message: 'Churn v1', date: '2025-01-10T10:00:00+01:00', tagger: { name: 'Ada', email: 'ada@example.com' } });
  await churn.write({ 'params.yaml': 'lr: 0.2\n', 'data/big.txt': BIG });
  const head = await churn.commit('Tune and add data', { date: '2025-02-01T12:30:00-05:00' });
  const prodTag = await churn.tag('churn#prod#1', { message: 'Promote', date: '2025-02-02T08:00:00Z', commit: head });
  await churn.lightweightTag('light', first);

  for (const name of ['vision', 'secret', 'r1', 'r2', 'r3', 'r4']) {
    const repo = await createRepo(root, `acme/${name}`);
    await repo.write({ 'README.md': `# ${name}\n` });
    await repo.commit(`Start ${name}`, { date: '2025-01-01T00:00:00Z' });
  }

  const detector = await createRepo(root, 'ml/vision/detector', { bare: true });
  await detector.write({ 'dvc.yaml': DVC_YAML, 'models/dvc.yaml': NESTED_DVC_YAML, 'models/a.txt': 'a\n', 'models/b.txt': 'b\n', 'src/train.py': 'print(1)\n' });
  const detectorHead = await detector.commit('Detector', { date: '2025-03-01T10:00:00+02:00' });
  const detectorV1 = await detector.tag('det@v1.0.0', { message: 'Detector v1', date: '2025-03-02T10:00:00+02:00' });
  await detector.lightweightTag('det-light', detectorHead);
  await detector.close();

  for (const path of ['ml/top', 'ml/vision/segmenter', 'ml/nlp/tagger']) {
    const repo = await createRepo(root, path);
    await repo.write({ 'README.md': `# ${path}\n` });
    await repo.commit(`Start ${path}`, { date: '2025-01-01T00:00:00Z' });
  }
  await createRepo(root, 'ml/empty');

  return {
    root,
    churn: { first, head, v1Tag, prodTag, gitDir: churn.gitDir },
    detector: { head: detectorHead, v1Tag: detectorV1, gitDir: detector.gitDir },
  };
}

/** Runs git in a repository (no shell, no user config) and returns its trimmed output. */
export async function gitIn(gitDir: string, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  const { stdout } = await run('git', ['--git-dir', gitDir, ...args], { env: { ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  return stdout.trim();
}

/** Silences Octokit's warnings (deprecations, 304 notices) in test output. */
export const QUIET = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Hand-built paths must percent-encode what GitHub/GitLab paths cannot carry (`#`, `@`, `/` in an id). */
export function enc(value: string): string {
  return encodeURIComponent(value);
}
