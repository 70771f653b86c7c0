import type { RepositoryRecord } from './snapshot.js';

/**
 * One spelling for a Git repository's address, so a DVC import's `repo.url` can be matched
 * to an indexed repository whatever form it was written in:
 *
 *   https://github.com/Acme/Churn.git, git@github.com:acme/churn, ssh://git@github.com/acme/churn/
 *     → github.com/acme/churn
 *   file:///srv/git/vision.git, /srv/git/vision → file/srv/git/vision
 *
 * Scheme, user, port, a trailing `.git` and slashes are dropped; the result is lower-cased
 * (GitHub and GitLab paths are case-insensitive). Returns undefined for a relative path,
 * which names no repository on its own.
 */
export function repositoryKey(url: string): string | undefined {
  const text = url.trim();
  if (text === '') return undefined;
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    if (parsed.protocol === 'file:') {
      host = 'file';
      path = decodeURIComponent(parsed.pathname);
    } else {
      host = parsed.hostname;
      path = decodeURIComponent(parsed.pathname);
    }
  } else if (text.startsWith('/')) {
    host = 'file';
    path = text;
  } else if (scp && !/^[a-z]:$/i.test(`${scp[1]}:`)) {
    // scp-like ssh: `git@github.com:acme/churn.git` (a Windows drive `C:\…` is not one).
    host = scp[1] ?? '';
    path = scp[2] ?? '';
  } else {
    return undefined;
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  const last = segments.length - 1;
  if (last < 0) return undefined;
  segments[last] = (segments[last] ?? '').replace(/\.git$/i, '');
  if (segments[last] === '') segments.pop();
  if (segments.length === 0) return undefined;
  return `${host}/${segments.join('/')}`.toLowerCase();
}

/**
 * Every key a DVC import may use for an indexed repository: its own URL, `host/fullName`
 * for a hosted one, and its other addresses (a local clone's remotes).
 */
export function repositoryKeysOf(record: Pick<RepositoryRecord, 'url' | 'kind' | 'host' | 'fullName' | 'aliases'>): string[] {
  const keys = [repositoryKey(record.url), ...(record.kind === 'local' ? [] : [`${record.host}/${record.fullName}`.toLowerCase()]), ...(record.aliases ?? [])];
  return [...new Set(keys.filter((k): k is string => k !== undefined))];
}
