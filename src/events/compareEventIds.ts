import { InputError } from '../errors.js';

const EVENT_ID = /^(\d{1,16})-(\d{1,16})$/;

/** Splits `<ms>-<seq>`; an id without a sequence (`<ms>`) counts as `<ms>-0`, as Redis reads it. */
function partsOf(id: string): [bigint, bigint] {
  const match = EVENT_ID.exec(id) ?? /^(\d{1,16})()$/.exec(id);
  if (!match) throw new InputError(`"${id}" is not an event id: expected <milliseconds>-<sequence> as a RegistryEvent's id shows it, e.g. "1718000000000-0".`);
  return [BigInt(match[1] ?? '0'), BigInt(match[2] || '0')];
}

/** Returns `id` when it is an event id; throws InputError saying what one looks like otherwise (a client's `since`). */
export function checkEventId(id: string): string {
  partsOf(id);
  return id;
}

/**
 * Orders two event ids (`<ms>-<seq>`, Redis stream ids): negative when `a` is older.
 * Throws InputError for a malformed id.
 */
export function compareEventIds(a: string, b: string): number {
  const [msA, seqA] = partsOf(a);
  const [msB, seqB] = partsOf(b);
  if (msA !== msB) return msA < msB ? -1 : 1;
  return seqA === seqB ? 0 : seqA < seqB ? -1 : 1;
}
