import type { CommitInfo } from '../types.js';
import { parseObjectHeaders } from './parseObjectHeaders.js';
import { parseSignature } from './parseSignature.js';

/** Parses a raw commit object into `CommitInfo`; the message is kept as stored. */
export function parseCommitObject(sha: string, raw: string): CommitInfo {
  const { headers, message } = parseObjectHeaders(raw);
  const author = headers.find(([key]) => key === 'author')?.[1] ?? '';
  const committer = headers.find(([key]) => key === 'committer')?.[1] ?? author;
  return {
    sha,
    author: parseSignature(author),
    committer: parseSignature(committer),
    message,
    parents: headers.filter(([key]) => key === 'parent').map(([, value]) => value),
  };
}
