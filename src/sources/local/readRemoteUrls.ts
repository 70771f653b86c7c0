import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * The URLs of a local repository's remotes (`[remote "origin"] url = …` in its Git config),
 * read from the file without running `git`: a local clone of `github.com/acme/churn` is the
 * repository a DVC import of that URL means. Worktrees read their common directory's
 * config. Unreadable or absent config → no URLs; never throws.
 */
export async function readRemoteUrls(gitDir: string): Promise<string[]> {
  let dir = gitDir;
  try {
    const common = (await readFile(resolve(gitDir, 'commondir'), 'utf8')).trim();
    if (common) dir = resolve(gitDir, common);
  } catch {
    // Not a worktree.
  }
  let text: string;
  try {
    text = await readFile(resolve(dir, 'config'), 'utf8');
  } catch {
    return [];
  }
  return parseRemoteUrls(text);
}

/** `url` values of `[remote "…"]` sections; section and key names compared case-insensitively, as Git does. */
export function parseRemoteUrls(config: string): string[] {
  const urls: string[] = [];
  let inRemote = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"(?:[^"\\]|\\.)*")?\s*\]/.exec(line);
    if (section) {
      inRemote = (section[1] ?? '').toLowerCase() === 'remote';
      continue;
    }
    if (!inRemote) continue;
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/.exec(line);
    if (!entry || (entry[1] ?? '').toLowerCase() !== 'url') continue;
    let value = (entry[2] ?? '').replace(/\s+[#;].*$/, '').trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (value !== '') urls.push(value);
  }
  return urls;
}
