/** The header lines and message of a raw commit or tag object. */
export interface ObjectHeaders {
  /** Headers in object order; a key may repeat (`parent`). Continuation lines are joined with `\n`. */
  headers: [key: string, value: string][];
  /** Everything after the first empty line, exactly as stored. */
  message: string;
}

/**
 * Splits a raw commit or tag object (as `git cat-file` prints it) into headers and message.
 * Multi-line headers (`gpgsig`, `mergetag`) continue on lines that start with a space.
 */
export function parseObjectHeaders(raw: string): ObjectHeaders {
  const end = raw.indexOf('\n\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const message = end < 0 ? '' : raw.slice(end + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    const last = headers[headers.length - 1];
    if (line.startsWith(' ') && last) {
      last[1] += `\n${line.slice(1)}`;
      continue;
    }
    const space = line.indexOf(' ');
    if (space < 0) headers.push([line, '']);
    else headers.push([line.slice(0, space), line.slice(space + 1)]);
  }
  return { headers, message };
}
