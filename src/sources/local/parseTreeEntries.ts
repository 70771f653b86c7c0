/** One entry of a Git tree object. */
export interface TreeEntry {
  /** Octal mode as Git writes it: `40000` tree, `100644`/`100755` file, `120000` symlink, `160000` submodule. */
  mode: string;
  name: string;
  /** Hex SHA of the entry's object. */
  sha: string;
}

/**
 * Parses a binary tree object: repeated `<mode> <name>\0<raw sha>`. The raw SHA is 20 bytes
 * (SHA-1) or 32 (SHA-256): `hashBytes` says which, from the length of the tree's own SHA.
 * Names are decoded as UTF-8 (Git stores bytes; non-UTF-8 names come back lossy).
 * A truncated object ends the list instead of throwing.
 */
export function parseTreeEntries(data: Buffer, hashBytes = 20): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const nul = space < 0 ? -1 : data.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + hashBytes > data.length) break;
    entries.push({
      mode: data.toString('latin1', at, space),
      name: data.toString('utf8', space + 1, nul),
      sha: data.toString('hex', nul + 1, nul + 1 + hashBytes),
    });
    at = nul + 1 + hashBytes;
  }
  return entries;
}
