/** Text as both hosts decide it for raw files: no NUL byte in the first 8000 bytes (Git's own test) and valid UTF-8. */
export function isText(content: Buffer): boolean {
  if (content.subarray(0, 8000).includes(0)) return false;
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
