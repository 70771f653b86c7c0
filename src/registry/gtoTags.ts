import { InputError, NotFoundError, UnreachableCaseError } from '../errors.js';
import { compareVersionsDescending, isSemverName } from './compareVersions.js';

/*
 * What `gto` would write for each action (iterative/gto `gto/registry.py`, `gto/api.py`,
 * `gto/tag.py` `name_tag`; research/dvc-gto-formats.md §2.1), as a pure function of what the
 * index knows about the artifact. Where Modelgate departs from GTO, the departure is named
 * here and in docs/decisions/0004-gto-tag-writing.md.
 */

// The same transcription of gto `constants.py` as parsing/parseGtoTag.ts (registry may not import parsing).
const NAME = '[a-zA-Z0-9](?:[a-zA-Z0-9\\-/_]*[a-zA-Z0-9])?';
const NAME_RE = new RegExp(`^${NAME}$`, 'u');
const FULL_NAME_RE = new RegExp(`^(?:[a-zA-Z0-9\\-_./]+:)?${NAME}$`, 'u');
const RELEASE = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)/;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A version as the planner needs it; `FoldedVersion` and a stored `VersionRecord` (commit as SHA) fit. */
export interface ArtifactVersionState {
  /** `v1.2.3`, or a commit SHA for a commit that only stage tags point at. */
  name: string;
  /** Full commit SHA. */
  commit: string;
  registered: boolean;
  deregistered: boolean;
  /** GTO's `Version.is_active`. */
  active: boolean;
  /** Stages this version shows in (GTO `show`). */
  stages: readonly string[];
  /** Every stage it is actively assigned to, shadowed or not. */
  activeStages: readonly string[];
}

/** One artifact as the index knows it; a `FoldedArtifact` fits as it is. */
export interface ArtifactState {
  /** GTO full name: `churn`, `dir/sub:name`. */
  name: string;
  deprecated: boolean;
  versions: readonly ArtifactVersionState[];
  /** Every tag of the artifact that was folded (any order). */
  history: readonly { tag: string; commit: string; timestamp: number }[];
}

/** The part of a version to bump when no version is named (gto `register --bump-*`). */
export type VersionBump = 'major' | 'minor' | 'patch';

/** What to do. `commit` picks among versions of one name at several commits. */
export type GtoTagRequest =
  /** `commit`: where to register. `version` or `bump` (patch by default) names the version. */
  | { action: 'register'; commit: string; version?: string; bump?: VersionBump }
  | { action: 'deregister'; version: string; commit?: string }
  | { action: 'assign'; version: string; stage: string; commit?: string }
  | { action: 'unassign'; version: string; stage: string; commit?: string }
  /** `head`: where the tag goes when the artifact has no tag yet (GTO: `HEAD`). */
  | { action: 'deprecate'; head?: string };

/** The annotated tag to create. */
export interface PlannedGtoTag {
  /** Tag name: `churn@v1.2.0`, `churn#prod#3`, `dir=name@deprecated`. */
  name: string;
  /** Full SHA of the commit it points at. */
  commit: string;
  /** The message GTO writes by default. */
  message: string;
  /** The version the tag is about (register, deregister, assign, unassign). */
  version?: string;
  /**
   * Unix seconds before which the tag should not be made: one after the artifact's newest
   * tag. GTO orders tags by tagger time in whole seconds, so a tag made in the same second
   * as the one before could be ordered before it.
   */
  notBefore: number;
}

export interface PlanOptions {
  /**
   * Other tag names of the repository that may belong to the artifact: lightweight tags and
   * tags the fold set aside. GTO counts every tag of the artifact (`name_tag` lists all
   * tags), so these take part in the counter and in "does this name exist".
   */
  otherTags?: readonly string[];
}

/**
 * The tag GTO would create for `request` on `artifact`, or an `InputError` (a rule GTO
 * enforces: SemVer, stage names, one version per commit, …) / `NotFoundError` (no such version)
 * saying what to do instead.
 *
 * Forms and messages are those of current GTO's defaults (`gto/api.py`, `gto/registry.py`):
 * register `name@vX.Y.Z` and deregister `name@vX.Y.Z!` simple; assign `name#stage#N` and
 * unassign `name#stage!#N` with a counter; deprecate `name@deprecated` simple. `N` is one more
 * than the highest counter on any tag of the artifact. A nested artifact `dir:name` is
 * written `dir=name`.
 *
 * @example planGtoTag(churn, { action: 'assign', version: 'v1.2.0', stage: 'prod' })
 * // { name: 'churn#prod#4', commit: '…', message: 'Assigning stage prod to artifact churn version v1.2.0', … }
 */
export function planGtoTag(artifact: ArtifactState, request: GtoTagRequest, options: PlanOptions = {}): PlannedGtoTag {
  const name = artifact.name;
  if (!FULL_NAME_RE.test(name)) {
    throw new InputError(`"${name}" is not a name GTO can tag: a name is letters, digits, "-", "_" and "/", starting and ending with a letter or digit (optionally "dir:" before it). Rename the artifact in dvc.yaml.`);
  }
  const tagArtifact = name.replaceAll(':', '=');
  const tags = artifactTags(tagArtifact, [...artifact.history.map((e) => e.tag), ...(options.otherTags ?? [])]);
  const notBefore = artifact.history.reduce((newest, e) => Math.max(newest, e.timestamp + 1), 0);
  // Simple forms (GTO's default for register, deregister, deprecate) fall back to a counter
  // when the name is taken, where GTO fails with TagExists (a re-registration after a
  // deregistration, a second deprecation after a revival).
  const simpleOrCounted = (simple: string) => (tags.names.has(simple) ? `${simple}#${tags.highest + 1n}` : simple);

  switch (request.action) {
    case 'register': {
      const { version, commit } = planRegistration(artifact, request);
      return {
        name: simpleOrCounted(`${tagArtifact}@${version}`),
        commit,
        message: `Registering artifact ${name} version ${version}`,
        version,
        notBefore,
      };
    }
    case 'deregister': {
      const version = findVersion(artifact, request.version, request.commit);
      if (!version.registered) throw new InputError(`Version ${version.name} of ${name} is not registered (only stage tags point at its commit), so there is nothing to deregister.`);
      if (version.deregistered) throw new InputError(`Version ${version.name} of ${name} was deregistered already.`);
      return {
        name: simpleOrCounted(`${tagArtifact}@${version.name}!`),
        commit: version.commit,
        message: `Deregistering artifact ${name} version ${version.name}`,
        version: version.name,
        notBefore,
      };
    }
    case 'assign': {
      checkStage(request.stage);
      const version = findVersion(artifact, request.version, request.commit);
      if (!version.registered) {
        throw new InputError(`Version ${version.name} of ${name} is not registered; register a version at commit ${version.commit.slice(0, 7)} first, then assign the stage to it.`);
      }
      // Departure: GTO also assigns stages to deregistered versions, which `gto show` then never displays.
      if (version.deregistered) throw new InputError(`Version ${version.name} of ${name} is deregistered; register it again before assigning a stage to it.`);
      // Departure: GTO refuses when the version holds the stage at all, even behind a newer
      // assignment (`--force` needed); only the stage as shown counts here, so rolling back to
      // an older version is one assignment.
      if (version.stages.includes(request.stage)) throw new InputError(`Version ${version.name} of ${name} is already in stage ${request.stage}.`);
      checkOnlyVersionAtCommit(artifact, version);
      return {
        name: `${tagArtifact}#${request.stage}#${tags.highest + 1n}`,
        commit: version.commit,
        message: `Assigning stage ${request.stage} to artifact ${name} version ${version.name}`,
        version: version.name,
        notBefore,
      };
    }
    case 'unassign': {
      checkStage(request.stage);
      const version = findVersion(artifact, request.version, request.commit);
      // Departure: GTO only asks that the version ever had the stage, and writes a tag that changes nothing.
      checkOnlyVersionAtCommit(artifact, version);
      if (!version.activeStages.includes(request.stage)) throw new InputError(`Stage ${request.stage} is not assigned to version ${version.name} of ${name}.`);
      return {
        name: `${tagArtifact}#${request.stage}!#${tags.highest + 1n}`,
        commit: version.commit,
        message: `Unassigning stage '${request.stage}' to artifact '${name}' version '${version.name}'`,
        version: version.name,
        notBefore,
      };
    }
    case 'deprecate': {
      if (artifact.deprecated) throw new InputError(`Artifact ${name} was deprecated already.`);
      // GTO puts the tag on the commit of the artifact's newest event, or on HEAD for an artifact with no tag.
      const newest = [...artifact.history].sort((a, b) => b.timestamp - a.timestamp)[0];
      const commit = newest?.commit ?? request.head;
      if (commit === undefined) throw new InputError(`Artifact ${name} has no tag and the repository no HEAD commit to deprecate it at.`);
      return { name: simpleOrCounted(`${tagArtifact}@deprecated`), commit, message: `Deprecating artifact '${name}'`, notBefore };
    }
    default:
      throw new UnreachableCaseError(request);
  }
}

/**
 * GTO's `register` guards (`gto/registry.py`): one active registered version per commit
 * (`VersionExistsForCommit`), a deregistered version comes back under its own name only, a
 * name is registered once (`VersionAlreadyRegistered`), and without a name the latest
 * registered version is bumped (patch by default) or the first version is `v0.0.1`.
 */
function planRegistration(artifact: ArtifactState, request: Extract<GtoTagRequest, { action: 'register' }>): { version: string; commit: string } {
  const name = artifact.name;
  const commit = request.commit.toLowerCase();
  if (!FULL_SHA.test(commit)) throw new InputError(`Expected a full commit SHA (40 or 64 hex digits) to register at, got ${JSON.stringify(request.commit)}.`);
  if (request.version !== undefined && request.bump !== undefined) throw new InputError('Give either a version or a bump, not both.');
  if (request.version !== undefined && !isSemverName(request.version)) {
    throw new InputError(`Version "${request.version}" is not valid: GTO versions are "v" and a SemVer 2.0 version, e.g. v1.0.0 or v2.1.0-rc.1.`);
  }
  // Versions with a registration or deregistration tag at the commit (GTO skips those that only stage tags made).
  const atCommit = artifact.versions.filter((v) => v.commit === commit && (v.registered || v.deregistered));
  if (atCommit.length > 1) {
    throw new InputError(`Commit ${commit.slice(0, 7)} already has ${atCommit.length} versions of ${name} (${atCommit.map((v) => v.name).join(', ')}); GTO cannot tell them apart. Delete all but one of their tags first.`);
  }
  const found = atCommit[0];
  if (found && !found.deregistered) {
    throw new InputError(`Commit ${commit.slice(0, 7)} already has version ${found.name} of ${name}; GTO registers one version per commit. Deregister ${found.name} first, or register another commit.`);
  }
  let version = request.version;
  if (found) {
    if (request.bump !== undefined) throw new InputError(`Commit ${commit.slice(0, 7)} holds the deregistered version ${found.name} of ${name}; only ${found.name} can be registered there again (give version ${found.name}).`);
    if (version !== undefined && version !== found.name) throw new InputError(`Commit ${commit.slice(0, 7)} holds the deregistered version ${found.name} of ${name}; only ${found.name} can be registered there.`);
    version ??= found.name;
  }
  if (version !== undefined) {
    const other = artifact.versions.find((v) => v.name === version && v !== found && (v.registered || v.deregistered));
    if (other) throw new InputError(`Version ${version} of ${name} exists already (at commit ${other.commit.slice(0, 7)}); choose another version, or a bump.`);
    return { version, commit };
  }
  const latest = latestRegistered(artifact);
  if (latest) return { version: bumpVersion(latest, request.bump ?? 'patch'), commit };
  if (request.bump !== undefined) throw new InputError(`${name} has no registered version to bump; give the first version (or none, for v0.0.1).`);
  return { version: 'v0.0.1', commit };
}

/** GTO `get_latest_version(registered_only=True)`: the highest SemVer of registered, active versions. */
function latestRegistered(artifact: ArtifactState): string | undefined {
  return artifact.versions
    .filter((v) => v.registered && v.active && isSemverName(v.name))
    .map((v) => v.name)
    .sort(compareVersionsDescending)[0];
}

/**
 * python-semver's `bump_*` as GTO calls it: the part is incremented, the lower parts reset,
 * pre-release and build dropped (`v1.2.3-rc.1` → patch `v1.2.4`).
 */
export function bumpVersion(version: string, part: VersionBump): string {
  const match = RELEASE.exec(version);
  if (!match) throw new InputError(`"${version}" is not a SemVer version to bump.`);
  const [major, minor, patch] = [BigInt(match[1] ?? '0'), BigInt(match[2] ?? '0'), BigInt(match[3] ?? '0')];
  switch (part) {
    case 'major':
      return `v${major + 1n}.0.0`;
    case 'minor':
      return `v${major}.${minor + 1n}.0`;
    case 'patch':
      return `v${major}.${minor}.${patch + 1n}`;
    default:
      throw new UnreachableCaseError(part);
  }
}

/** The version named `name` (and at `commit`, when given); several at different commits need the commit. */
/**
 * A stage tag names a commit, not a version: with two registered versions at one commit GTO
 * cannot tell which one it means (`ManyVersions`) and the tag would change nothing.
 */
function checkOnlyVersionAtCommit(artifact: ArtifactState, version: ArtifactVersionState): void {
  const others = artifact.versions.filter((v) => v !== version && v.commit === version.commit && v.registered && !v.deregistered);
  if (others.length === 0) return;
  throw new InputError(
    `Version ${version.name} of ${artifact.name} shares commit ${version.commit.slice(0, 7)} with ${others.map((v) => v.name).join(', ')}: a stage tag names a commit, so GTO (and Modelgate) could not tell which version it means and would ignore it. Deregister the other version first.`,
  );
}

function findVersion(artifact: ArtifactState, name: string, commit: string | undefined): ArtifactVersionState {
  const matches = artifact.versions.filter((v) => v.name === name && (commit === undefined || v.commit === commit.toLowerCase()));
  const [only, second] = matches;
  if (!only) {
    const known = artifact.versions.map((v) => v.name).slice(0, 10);
    throw new NotFoundError(`${artifact.name} has no version ${name}${commit ? ` at commit ${commit.slice(0, 7)}` : ''}${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}.`);
  }
  if (second) {
    throw new InputError(`${artifact.name} has version ${name} at several commits (${matches.map((v) => v.commit.slice(0, 12)).join(', ')}); name one as ${name}~<commit>.`);
  }
  return only;
}

function checkStage(stage: string): void {
  if (!NAME_RE.test(stage)) {
    throw new InputError(`"${stage}" is not a GTO stage name: letters, digits, "-", "_" and "/", starting and ending with a letter or digit (e.g. prod, staging, dev/eu).`);
  }
}

/**
 * The tag names that belong to the artifact written `tagArtifact` in tags, and the highest
 * counter among them. A tag belongs when it is the artifact followed by `@` or `#` (names
 * never contain either); its counter is a final `#N` after an action part (`#prod#3`,
 * `@v1.0.0!#2`, `@deprecated#4`) — `name#3` alone assigns stage "3".
 */
function artifactTags(tagArtifact: string, names: readonly string[]): { names: Set<string>; highest: bigint } {
  const own = new Set<string>();
  let highest = 0n;
  for (const tag of names) {
    if (!tag.startsWith(tagArtifact)) continue;
    const rest = tag.slice(tagArtifact.length);
    if (!rest.startsWith('@') && !rest.startsWith('#')) continue;
    own.add(tag);
    const counter = /^[@#][^@#]+#(\d+)$/.exec(rest)?.[1];
    if (counter !== undefined && BigInt(counter) > highest) highest = BigInt(counter);
  }
  return { names: own, highest };
}
