/** GTO tags as the indexer hands them to the fold, made up for table tests. */
import { parseGtoTag } from '../../src/parsing/index.js';
import type { RegistryTag } from '../../src/registry/index.js';

export interface GtoTagOptions {
  /** Tagger name; the email is derived from it. Default `Alice`. */
  tagger?: string;
  /** Default: the tag name. */
  message?: string;
  /** Keep the `#N` counter the name carries (the fold ignores it; tag writing counts it). Default false. */
  counter?: boolean;
}

/** The annotated GTO tag `name` at `commit`, made at `timestamp` (Unix seconds, UTC). Throws for a name that is no GTO tag. */
export function gtoTag(name: string, commit: string, timestamp: number, options: GtoTagOptions = {}): RegistryTag {
  const parsed = parseGtoTag(name);
  if (!parsed) throw new Error(`not a GTO tag: ${name}`);
  const tagger = options.tagger ?? 'Alice';
  return {
    tag: name,
    action: parsed.action,
    artifact: parsed.artifact,
    ...(parsed.version !== undefined ? { version: parsed.version } : {}),
    ...(parsed.stage !== undefined ? { stage: parsed.stage } : {}),
    ...(options.counter && parsed.counter !== undefined ? { counter: parsed.counter } : {}),
    commit,
    tagger: { name: tagger, email: `${tagger.toLowerCase()}@example.com` },
    at: new Date(timestamp * 1000).toISOString().replace('.000Z', '+00:00'),
    timestamp,
    message: options.message ?? name,
  };
}
