import type { Signature } from '../types.js';
import { parseObjectHeaders } from './parseObjectHeaders.js';
import { parseSignature } from './parseSignature.js';

/** The fields of an annotated tag object. */
export interface TagObject {
  /** SHA of the object the tag points at (maybe another tag). */
  object: string;
  /** Type of that object: `commit`, `tag`, `tree`, `blob`. */
  type: string;
  /** The name written inside the object (may differ from the ref name after a rename). */
  tag: string;
  tagger: Signature;
  /** The message as stored, without a trailing PGP/SSH/X.509 signature block. */
  message: string;
}

// A signed tag's signature is appended to its message; GitPython (so GTO) splits it off too.
const SIGNATURE_START = /^-----BEGIN (?:PGP SIGNATURE|PGP MESSAGE|SSH SIGNATURE|SIGNED MESSAGE)-----$/m;

/** Epoch with no identity: what a pre-2005 tag without a `tagger` line reports. */
const NO_TAGGER: Signature = { name: '', email: '', timestamp: 0, offset: '+0000', date: '1970-01-01T00:00:00+00:00' };

/** Parses a raw tag object. Tags made before Git 0.99 have no `tagger`; they get an empty epoch signature. */
export function parseTagObject(raw: string): TagObject {
  const { headers, message } = parseObjectHeaders(raw);
  const field = (key: string): string | undefined => headers.find(([k]) => k === key)?.[1];
  const tagger = field('tagger');
  const signature = SIGNATURE_START.exec(message);
  return {
    object: field('object') ?? '',
    type: field('type') ?? '',
    tag: field('tag') ?? '',
    tagger: tagger === undefined ? { ...NO_TAGGER } : parseSignature(tagger),
    message: signature ? message.slice(0, signature.index) : message,
  };
}
