import { execFile } from 'node:child_process';
import { gitEnvironment } from './gitEnvironment.js';

/** What a finished git command printed. */
export interface GitOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs one git command without a shell and resolves with its output; rejects with an
 * `Error` carrying git's stderr on a non-zero exit. Output up to 512 MiB is accepted
 * (`for-each-ref` of a repository with a very large number of tags stays far below).
 * `env` adds variables (a tagger identity) on top of `gitEnvironment`.
 */
export function runGit(args: readonly string[], env: Record<string, string> = {}): Promise<GitOutput> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'git',
      [...args],
      { env: gitEnvironment(env), maxBuffer: 512 * 1024 * 1024, encoding: 'utf8', windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(new Error(detail, { cause: error }));
          return;
        }
        resolvePromise({ stdout, stderr });
      },
    );
  });
}
