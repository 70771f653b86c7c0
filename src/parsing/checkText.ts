import { MAX_METADATA_FILE_BYTES, formatBytes } from './limits.js';
import type { Problem } from './types.js';

/** A UTF-16 code unit that is half of a surrogate pair on its own: not text any encoder writes. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Whether `text` is something a metadata parser should read at all. Every parser calls it
 * first and returns its problem with an empty value; the indexer may call it too. Refused:
 * - more than `MAX_METADATA_FILE_BYTES` of UTF-8;
 * - a NUL character (Git's own test for binary content);
 * - U+FFFD replacement characters, which a lenient UTF-8 decoder leaves where the bytes
 *   were not valid UTF-8 (DVC's `open(encoding="utf8")` fails on such files), and lone
 *   surrogates, which no UTF-8 text decodes to.
 * Linear in the length of `text`; never throws.
 */
export function checkText(text: string, file: string): Problem | undefined {
  const bytes = bytesOverLimit(text);
  if (bytes !== undefined) {
    return {
      file,
      message: `${file} is ${bytes} bytes, over the ${formatBytes(MAX_METADATA_FILE_BYTES)} limit for metadata files; it was not read (keep large data in DVC-tracked outputs, not in metadata files)`,
    };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return { file, line: lineAt(text, nul), message: `${file} contains NUL characters, so it looks binary, not like a text file; it was not read` };
  }
  const replacement = text.indexOf('\uFFFD');
  if (replacement >= 0) {
    return {
      file,
      line: lineAt(text, replacement),
      message: `${file} is not valid UTF-8 (it contains U+FFFD replacement characters where bytes could not be decoded); it was not read. Save it as UTF-8`,
    };
  }
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    return { file, line: lineAt(text, surrogate.index), message: `${file} is not valid Unicode text (it contains an unpaired surrogate); it was not read. Save it as UTF-8` };
  }
  return undefined;
}

/** The UTF-8 size of `text` when it is over the limit, else `undefined`. */
function bytesOverLimit(text: string): number | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4), so short text needs no count.
  if (text.length * 3 <= MAX_METADATA_FILE_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > MAX_METADATA_FILE_BYTES ? bytes : undefined;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
}
