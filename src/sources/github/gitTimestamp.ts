import type { Signature } from '../types.js';

/** A GraphQL `GitActor`: `date` is a `GitTimestamp`, ISO 8601 with the signer's own offset. */
export interface GitActor {
  name: string | null;
  email: string | null;
  date: string | null;
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The `Signature` the local source reads from the raw object, rebuilt from a `GitActor`:
 * GitHub keeps the offset in `GitTimestamp` (unlike `DateTime`), so nothing is lost. A missing
 * or unreadable date gives timestamp 0 and `+0000`, as a damaged ident does locally.
 */
export function signatureOf(actor: GitActor | null | undefined): Signature {
  const name = actor?.name ?? '';
  const email = actor?.email ?? '';
  const match = ISO.exec(actor?.date ?? '');
  const millis = match ? Date.parse(`${match[1]}${match[2]}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) return { name, email, timestamp: 0, offset: '+0000', date: '1970-01-01T00:00:00+00:00' };
  const zone = match[2] ?? 'Z';
  const offset = zone === 'Z' ? '+0000' : zone.replace(':', '');
  return { name, email, timestamp: Math.floor(millis / 1000), offset, date: `${match[1]}${offset.slice(0, 3)}:${offset.slice(3, 5)}` };
}
