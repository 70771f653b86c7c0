import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeChurnRepository } from './writeChurnRepository.js';
import { writeSentimentRepository } from './writeSentimentRepository.js';
import { writeServingRepository } from './writeServingRepository.js';
import { writeVisionRepository } from './writeVisionRepository.js';

/**
 * Bump when the demo content changes: a cache folder built by another version is rebuilt.
 */
export const DEMO_VERSION = 2;

/** Written last, so its presence means the build finished. */
const MARKER = '.modelgate-demo.json';

/** The demo repositories, by path below the demo folder, and whether each is bare. */
const REPOSITORIES: readonly { path: string; bare: boolean }[] = [
  { path: 'acme/churn-model', bare: false },
  { path: 'acme/churn-serving', bare: false },
  { path: 'acme/vision', bare: true },
  { path: 'research/nlp-sentiment', bare: false },
];

/** Writes every demo repository below `root`; acme/churn-serving imports the churn model, so it follows acme/churn-model. */
async function writeAll(root: string): Promise<void> {
  const at = (path: string): string => join(root, path);
  await Promise.all([
    writeChurnRepository(at('acme/churn-model')).then((pinned) => writeServingRepository(at('acme/churn-serving'), pinned)),
    writeVisionRepository(at('acme/vision')),
    writeSentimentRepository(at('research/nlp-sentiment')),
  ]);
}

interface Marker {
  version: number;
  repositories: string[];
}

/**
 * Builds the demo DVC repositories (real Git repositories with GTO tags) under `dir`, for
 * `modelgate serve` without a config.
 *
 * Guarantees: if `dir` holds a finished build of this `DEMO_VERSION` it is reused
 * (`built: false`); otherwise the demo repositories (and any listed by an older marker) are
 * removed and written again, and the marker is written last, so an interrupted build is
 * never mistaken for a finished one. Nothing else in `dir` is touched. Content, identities
 * and dates are fixed, so every build has the same commit and tag SHAs.
 *
 * @returns `repositories`: the repository paths below `dir`, sorted.
 */
export async function buildDemoRepositories(dir: string): Promise<{ built: boolean; repositories: string[] }> {
  const root = resolve(dir);
  const repositories = REPOSITORIES.map((repository) => repository.path);
  const previous = await readMarker(root);
  if (previous?.version === DEMO_VERSION && (await allPresent(root))) return { built: false, repositories };

  await rm(join(root, MARKER), { force: true });
  const stale = new Set([...(previous?.repositories ?? []), ...repositories]);
  await Promise.all([...stale].filter(isInside).map((path) => rm(join(root, path), { recursive: true, force: true })));
  await mkdir(root, { recursive: true });
  await writeAll(root);
  const marker: Marker = { version: DEMO_VERSION, repositories };
  await writeFile(join(root, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return { built: true, repositories };
}

async function readMarker(root: string): Promise<Marker | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(root, MARKER), 'utf8')) as Partial<Marker>;
    if (typeof parsed.version !== 'number' || !Array.isArray(parsed.repositories)) return undefined;
    return { version: parsed.version, repositories: parsed.repositories.filter((path): path is string => typeof path === 'string') };
  } catch {
    return undefined;
  }
}

/** A marker can outlive a repository someone deleted by hand; check each is still there. */
async function allPresent(root: string): Promise<boolean> {
  const checks = REPOSITORIES.map(async ({ path, bare }) => {
    try {
      return (await stat(join(root, path, bare ? 'HEAD' : '.git/HEAD'))).isFile();
    } catch {
      return false;
    }
  });
  return (await Promise.all(checks)).every(Boolean);
}

/** Paths from an old marker are removed only if they stay inside the demo folder. */
function isInside(path: string): boolean {
  return path !== '' && !path.startsWith('/') && path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
