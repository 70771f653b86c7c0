import type { GtoAction, GtoTagName } from './types.js';

// Transcribed from gto `constants.py` (research §2.1): names, dirnames and SemVer 2.0 with a `v`.
// Linear on adversarial names (measured in test/parsing/hostile.test.ts): the repetitions are
// delimited by characters their neighbours cannot take (`=`, `@`, `#`, `.`, `+`, `!`), so a
// failing match gives back each character once. One deliberate difference: `\d` is ASCII
// here, while Python's `\d` also matches other scripts' decimal digits, so GTO would read
// `m@v1\u0663.0.0`; Modelgate ignores such a tag.
const NAME = '[a-zA-Z0-9](?:[a-zA-Z0-9\\-/_]*[a-zA-Z0-9])?';
const DIR = '[a-zA-Z0-9\\-_./]+';
const SEMVER =
  '(?<major>0|[1-9]\\d*)\\.(?<minor>0|[1-9]\\d*)\\.(?<patch>0|[1-9]\\d*)' +
  '(?:-(?<prerelease>(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+(?<build>[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?';
const TAG_RE = new RegExp(
  `^(?<artifact>(?:(?<dirname>${DIR})=)?(?<name>${NAME}))` +
    `(?:(?:#(?<stage>${NAME})|@(?<version>v${SEMVER}))(?<cancel>!?)|@(?:(?<deprecated>deprecated)|(?<created>created)))` +
    '(?:#(?<counter>[0-9]+))?$',
  'u',
);
const NAME_RE = new RegExp(`^${NAME}$`, 'u');
const FULL_NAME_RE = new RegExp(`^(?:${DIR}:)?${NAME}$`, 'u');

/**
 * Reads a Git tag name the way GTO does (research §2.1). Returns `undefined` for tags GTO
 * ignores: anything not matching its grammar, and the reserved `@created` form (§8.12).
 *
 * @example parseGtoTag('churn#prod#3') // { action: 'assign', artifact: 'churn', stage: 'prod', counter: 3, … }
 */
export function parseGtoTag(tag: string): GtoTagName | undefined {
  const groups = TAG_RE.exec(tag)?.groups;
  if (!groups?.artifact || groups.created) return undefined;
  const cancelled = groups.cancel === '!';
  let action: GtoAction;
  if (groups.version) action = cancelled ? 'deregister' : 'register';
  else if (groups.stage) action = cancelled ? 'unassign' : 'assign';
  else action = 'deprecate';
  return {
    tag,
    action,
    artifact: groups.artifact.replaceAll('=', ':'),
    ...(groups.version ? { version: groups.version } : {}),
    ...(groups.stage ? { stage: groups.stage } : {}),
    ...(groups.counter !== undefined ? { counter: Number(groups.counter) } : {}),
  };
}

/** The artifact part of a tag for a full name: `dir:name` → `dir=name` (GTO `name_to_tag`). */
export function gtoTagArtifactName(fullName: string): string {
  return fullName.replaceAll(':', '=');
}

/** True for a valid GTO artifact, stage, type or label name (research §1.3). */
export function isValidGtoName(name: string): boolean {
  return NAME_RE.test(name);
}

/** True for a valid full artifact name, `name` or `dir/sub:name` (the `:` form, not the tag form). */
export function isValidGtoFullName(fullName: string): boolean {
  return FULL_NAME_RE.test(fullName);
}
