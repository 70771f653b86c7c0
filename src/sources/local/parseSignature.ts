import type { Signature } from '../types.js';

/**
 * Parses the value of an `author`, `committer` or `tagger` header of a raw Git object:
 * `Name <email> 1712345678 +0530`.
 *
 * Git forbids `<` and `>` in names and emails, so the first `<` and the last `>` delimit the
 * email. Real repositories hold damaged idents (missing zone, absurd timestamps); those give
 * timestamp 0 or offset `+0000` rather than an exception, because one bad tag must not hide
 * a whole repository.
 */
export function parseSignature(value: string): Signature {
  const lt = value.indexOf('<');
  const gt = value.lastIndexOf('>');
  const hasEmail = lt >= 0 && gt > lt;
  const name = (hasEmail ? value.slice(0, lt) : value).trim();
  const email = hasEmail ? value.slice(lt + 1, gt) : '';
  const [rawTimestamp = '', rawOffset = ''] = (hasEmail ? value.slice(gt + 1) : '').trim().split(/\s+/);
  const parsed = Number.parseInt(rawTimestamp, 10);
  const timestamp = Number.isSafeInteger(parsed) ? parsed : 0;
  const offset = /^[+-]\d{4}$/.test(rawOffset) ? rawOffset : '+0000';
  return { name, email, timestamp, offset, date: isoDate(timestamp, offset) };
}

/** `2024-01-02T10:11:12+02:00`: the wall-clock time where it was signed, with that offset. */
function isoDate(timestamp: number, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
  const local = new Date((timestamp + minutes * 60) * 1000);
  // Git accepts timestamps no ISO date can show (past year 9999); epoch is a visible tell.
  const iso = Number.isNaN(local.getTime()) ? '' : local.toISOString();
  const wallClock = /^\d{4}-/.test(iso) ? iso.slice(0, 19) : '1970-01-01T00:00:00';
  return `${wallClock}${offset.slice(0, 3)}:${offset.slice(3, 5)}`;
}
