import { createHash } from 'node:crypto';

/**
 * A stable positive 31-bit id for something that has only a name (a GitLab group, a GitHub
 * owner or user), computed as `SimGit` computes repository ids but over `kind:name`, so a
 * group and a project with the same path get different ids.
 */
export function stableId(kind: string, name: string): number {
  return hashId(`${kind}:${name.toLowerCase()}`);
}

/** A positive 31-bit number from a text: the first 4 bytes of its SHA-256 (never 0). */
export function hashId(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) & 0x7fffffff || 1;
}
