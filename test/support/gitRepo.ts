/**
 * Real Git repositories for tests, made with the demo's `RepoWriter` in temporary folders.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { RepoWriter, type RepoWriterInitOptions } from '../../src/demo/repoWriter.js';

/** A temporary folder and the function that removes it. */
export interface TempDir {
  path: string;
  cleanup(): Promise<void>;
}

/** Makes a fresh folder under the OS temp folder (`<tmp>/<prefix>-XXXXXX`); `cleanup` removes it. */
export async function makeTempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A temporary folder for a whole test file or `describe`: made in `beforeAll`, removed in
 * `afterAll`. Call it where hooks may be registered (module top level or a `describe` body)
 * and read `.path` inside tests or later hooks.
 */
export function useTempDir(prefix: string): { readonly path: string } {
  let dir: TempDir | undefined;
  beforeAll(async () => {
    dir = await makeTempDir(prefix);
  });
  afterAll(async () => {
    await dir?.cleanup();
  });
  return {
    get path(): string {
      if (!dir) throw new Error(`useTempDir(${prefix}): the folder exists only from beforeAll on`);
      return dir.path;
    },
  };
}

/**
 * Creates an empty repository at `root/relPath` (parents included) and returns its writer.
 * Remember `await writer.close()` for bare repositories (it removes their temporary work tree).
 */
export function createRepo(root: string, relPath: string, opts: RepoWriterInitOptions = {}): Promise<RepoWriter> {
  return RepoWriter.init(join(root, ...relPath.split('/')), opts);
}
