import type { FileContent } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A file's bytes as text, the way every source answers: UTF-8 (a BOM is dropped), or
 * `not-text` when the bytes hold a NUL (binary) or are not valid UTF-8 — a metadata file
 * DVC would not read either. Never throws.
 */
export function decodeText(data: Uint8Array, size = data.byteLength): FileContent {
  if (data.includes(0)) return { found: false, reason: 'not-text', size, detail: 'it contains NUL bytes, so it looks binary' };
  try {
    return { found: true, text: utf8.decode(data), size };
  } catch {
    return { found: false, reason: 'not-text', size, detail: 'it is not valid UTF-8' };
  }
}
