import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';

/** A Git repository found below a folder. */
export interface FoundRepository {
  /** `/`-separated path below the root; the root's own folder name when the root is a repository. */
  path: string;
  /** Absolute folder of the repository (the work tree, or the bare repository itself). */
  dir: string;
  /** Absolute Git directory: `dir/.git` (or where a `.git` file points), or `dir` for a bare repository. */
  gitDir: string;
  bare: boolean;
}

/** Folders never searched: Git's own, and dependency trees that can hold thousands of folders. */
const SKIPPED = new Set(['.git', 'node_modules']);

/** Deep enough for `group/subgroup/…/project` layouts; stops runaway walks. */
const MAX_DEPTH = 16;

/**
 * Every Git repository (with a work tree or bare) below `root`, sorted by path.
 *
 * - A folder with a `.git` folder (or `.git` file, for worktrees and submodules) is a
 *   repository with a work tree; a folder with `HEAD`, `objects/` and `refs/` is bare.
 * - The walk does not descend into a repository once found (nested repositories are the
 *   outer one's business), nor into `.git` or `node_modules` folders.
 * - When `root` itself is a repository it is the only one, and its path is the root's folder
 *   name (`./repos/example-gto` as root gives `example-gto`), so refs stay readable.
 * - Symbolic links to folders are followed; each real folder is visited once.
 * - Unreadable folders below the root are skipped; an unreadable root throws the fs error.
 */
export async function findRepositories(root: string): Promise<FoundRepository[]> {
  const absoluteRoot = resolve(root);
  const rootEntries = await readdir(absoluteRoot, { withFileTypes: true });
  const own = await detectRepository(absoluteRoot, rootEntries);
  if (own) return [{ path: basename(absoluteRoot) || 'repository', dir: absoluteRoot, ...own }];

  const found: FoundRepository[] = [];
  const visited = new Set<string>([await realpath(absoluteRoot)]);
  const walk = async (dir: string, entries: Dirent[], depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return;
    await Promise.all(
      entries.map(async (entry) => {
        if (SKIPPED.has(entry.name)) return;
        const child = join(dir, entry.name);
        if (!(await isFolder(child, entry))) return;
        let real: string;
        let childEntries: Dirent[];
        try {
          real = await realpath(child);
          if (visited.has(real)) return;
          visited.add(real);
          childEntries = await readdir(child, { withFileTypes: true });
        } catch {
          return;
        }
        const repository = await detectRepository(child, childEntries);
        if (repository) {
          found.push({ path: relative(absoluteRoot, child).split(sep).join('/'), dir: child, ...repository });
          return;
        }
        await walk(child, childEntries, depth + 1);
      }),
    );
  };
  await walk(absoluteRoot, rootEntries, 1);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function isFolder(path: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Repository layout of `dir`, decided from its listing (no extra syscalls for plain folders). */
async function detectRepository(dir: string, entries: Dirent[]): Promise<Pick<FoundRepository, 'gitDir' | 'bare'> | undefined> {
  const names = new Map(entries.map((entry) => [entry.name, entry]));
  const dotGit = names.get('.git');
  if (dotGit) {
    const gitDir = await resolveDotGit(join(dir, '.git'), dotGit);
    if (gitDir) return { gitDir, bare: false };
  }
  const head = names.get('HEAD');
  const objects = names.get('objects');
  const refs = names.get('refs');
  if (head?.isFile() && objects?.isDirectory() && refs?.isDirectory()) return { gitDir: dir, bare: true };
  return undefined;
}

/** The Git directory a `.git` entry stands for: itself, or the target of a `gitdir: …` file. */
async function resolveDotGit(path: string, entry: Dirent): Promise<string | undefined> {
  try {
    const kind = entry.isSymbolicLink() ? await stat(path) : entry;
    if (kind.isDirectory()) return (await stat(join(path, 'HEAD'))).isFile() ? path : undefined;
    if (!kind.isFile()) return undefined;
    const match = /^gitdir: (.+)$/m.exec(await readFile(path, 'utf8'));
    return match?.[1] ? resolve(path, '..', match[1].trim()) : undefined;
  } catch {
    return undefined;
  }
}
