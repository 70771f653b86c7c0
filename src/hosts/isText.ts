/** Git's own test for binary content: a NUL byte in the first 8,000 bytes. */
export function looksBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

/** Text as both hosts decide it for raw files: not binary by Git's test, and valid UTF-8. */
export function isText(content: Buffer): boolean {
  if (looksBinary(content)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return true;
  } catch {
    return false;
  }
}

/** The content type of a raw file: `text/plain; charset=utf-8` for text (clients then return a string), octet-stream otherwise. */
export function rawContentType(content: Buffer): string {
  return isText(content) ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}
