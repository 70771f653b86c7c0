import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { ObjectCache } from './ObjectCache.js';

/**
 * What a hosted source keeps in its `ObjectCache`. `commit`, `tree`, `blob` and `tag` are
 * GitHub's objects by SHA (commits per repository: a SHA read through one repository is not
 * known to exist in another); `files`, `file` and `commit` of GitLab are per project and commit,
 * as GitLab's REST API reads them.
 */
export type ObjectKind = 'commit' | 'tree' | 'blob' | 'tag' | 'files' | 'file';

/** One value to keep: its kind, its id within the kind, and the value (kept as JSON). */
export type ObjectEntry = readonly [kind: ObjectKind, id: string, value: unknown];

/**
 * A source's view of its `ObjectCache`: builds the keys, turns values to and from JSON, and
 * makes sure the cache can only ever cost a host request, never fail one.
 *
 * Keys are `<namespace>:<kind>:<id>`. The namespace names the host (`github@github.com`,
 * `gitlab@gitlab.example.com%3A8443`): a SHA names the same content anywhere, but a GitHub
 * Enterprise server and github.com (or two GitLabs) are kept apart all the same, so nothing
 * read with one host's token is ever answered to a source of another. Within a host, objects
 * are only reached from refs the host itself answered to the source's own token.
 */
export class CachedObjects {
  private broken = false;

  constructor(
    private readonly cache: ObjectCache,
    private readonly namespace: string,
    private readonly log?: Logger,
  ) {}

  /**
   * The values held for `ids` that `parse` accepts, in one `get`. A read that fails, a value
   * that is not JSON and one `parse` rejects (`undefined`) are all misses: the host is asked and
   * the answer written over the bad value.
   */
  async lookup<T>(kind: ObjectKind, ids: readonly string[], parse: (value: unknown) => T | undefined): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    if (ids.length === 0) return found;
    let texts: readonly (string | undefined)[];
    try {
      texts = await this.cache.get(ids.map((id) => this.key(kind, id)));
    } catch (error) {
      this.failed('read from', error);
      return found;
    }
    this.broken = false;
    ids.forEach((id, index) => {
      const text = texts[index];
      if (typeof text !== 'string') return;
      let value: T | undefined;
      try {
        value = parse(JSON.parse(text));
      } catch {
        value = undefined;
      }
      if (value !== undefined) found.set(id, value);
    });
    return found;
  }

  /** Keeps what the host answered, in one `set`; a failure is logged (once until the cache works again) and dropped. */
  async store(entries: readonly ObjectEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.cache.set(entries.map(([kind, id, value]) => [this.key(kind, id), JSON.stringify(value)] as const));
      this.broken = false;
    } catch (error) {
      this.failed('write to', error);
    }
  }

  private key(kind: ObjectKind, id: string): string {
    return `${this.namespace}:${kind}:${id}`;
  }

  private failed(what: string, error: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.log?.error(`${this.namespace}: could not ${what} the object cache (${messageOf(error)}); reading from the host instead.`);
  }
}

/** The namespace of a host's objects: `<kind>@<host[:port]>`, the host escaped so it holds no colon. */
export function hostNamespace(kind: 'github' | 'gitlab', host: string): string {
  return `${kind}@${encodeURIComponent(host.toLowerCase())}`;
}
