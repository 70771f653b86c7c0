import { compareVersionsDescending, isSemverName } from './compareVersions.js';
import type {
  FoldedArtifact,
  FoldedRegistry,
  FoldedVersion,
  FoldProblem,
  RegistryEventKind,
  RegistryEventRecord,
  RegistryTag,
  StageAssignmentRecord,
  TagAction,
} from './types.js';

/** GTO's same-second tie-break (`gto/base.py`): commit 0, creation 1, then these. */
const PRIORITY: Record<TagAction, number> = {
  deprecate: 2,
  register: 3,
  deregister: 4,
  assign: 5,
  unassign: 6,
};

const EVENT_KIND: Record<TagAction, RegistryEventKind> = {
  deprecate: 'DEPRECATED',
  register: 'REGISTERED',
  deregister: 'DEREGISTERED',
  assign: 'ASSIGNED',
  unassign: 'UNASSIGNED',
};

interface WorkingVersion {
  name: string;
  commit: string;
  /** register/deregister tags, oldest first. */
  direct: RegistryTag[];
  /** assign/unassign tags per stage, oldest first. */
  stageTags: Map<string, RegistryTag[]>;
}

interface WorkingArtifact {
  name: string;
  versions: WorkingVersion[];
  /** The same versions by commit, so that placing a tag never scans every version. */
  versionsAtCommit: Map<string, WorkingVersion[]>;
  /** The version each placed stage tag went to. */
  versionOfStageTag: Map<RegistryTag, WorkingVersion>;
  deprecations: RegistryTag[];
  /** Every tag that touched the artifact, in event order (oldest first). */
  events: RegistryTag[];
  problems: FoldProblem[];
}

/** Event order: tagger time, then GTO's action priority, then tag name (the listing order). */
function compareTags(a: RegistryTag, b: RegistryTag): number {
  return a.timestamp - b.timestamp || PRIORITY[a.action] - PRIORITY[b.action] || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);
}

/**
 * GTO's `get_state` followed by `gto show` and `gto history`, over annotated, already
 * parsed GTO tags of one repository (research/dvc-gto-formats.md §2.2).
 *
 * Pure and total: conflicting tags (two versions on one commit, two registrations of a
 * version at one commit) become problems on that artifact; the rest is still folded.
 */
export function foldRegistry(tags: readonly RegistryTag[]): FoldedRegistry {
  // STEP 1: every GTO tag in event order. GTO sorts by tagger time alone (stable); ties
  // are broken by action priority and tag name so the result never depends on listing order.
  const ordered = [...tags].sort(compareTags);
  const artifacts = new Map<string, WorkingArtifact>();
  const artifactOf = (name: string): WorkingArtifact => {
    let artifact = artifacts.get(name);
    if (!artifact) {
      artifact = { name, versions: [], versionsAtCommit: new Map(), versionOfStageTag: new Map(), deprecations: [], events: [], problems: [] };
      artifacts.set(name, artifact);
    }
    return artifact;
  };

  // STEP 2: passes by action, as GTO indexes them, so that every registration is known
  // when stage tags are placed. Pass 1: deprecations.
  for (const tag of ordered) {
    if (tag.action !== 'deprecate') continue;
    const artifact = artifactOf(tag.artifact);
    artifact.deprecations.push(tag);
    artifact.events.push(tag);
  }

  // Pass 2: registrations and deregistrations, keyed by (version, commit): the same version
  // string at two commits is two versions.
  for (const tag of ordered) {
    if (tag.action !== 'register' && tag.action !== 'deregister') continue;
    const artifact = artifactOf(tag.artifact);
    const name = tag.version ?? '';
    let version = artifact.versionsAtCommit.get(tag.commit)?.find((v) => v.name === name);
    if (!version) version = addVersion(artifact, name, tag.commit);
    // A registration while the version is still registered is a duplicate (GTO's `show NAME`
    // raises on it); one after a deregistration revives the version and is no problem
    // (docs/decisions/0001, point 4).
    const previous = version.direct[version.direct.length - 1];
    if (tag.action === 'register' && previous?.action === 'register') {
      artifact.problems.push({
        artifact: artifact.name,
        tag: tag.tag,
        message: `${name} is registered twice at commit ${tag.commit.slice(0, 7)} (tags ${previous.tag} and ${tag.tag}, no deregistration between); GTO refuses to show such a version. The newest registration is used; delete one of the tags.`,
      });
    }
    version.direct.push(tag);
    artifact.events.push(tag);
  }

  // Pass 3: stage tags go to the version registered at the tag's commit; an unregistered
  // commit gets a version named by its full SHA (never a candidate for `latest`).
  for (const tag of ordered) {
    if (tag.action !== 'assign' && tag.action !== 'unassign') continue;
    const artifact = artifactOf(tag.artifact);
    const atCommit = artifact.versionsAtCommit.get(tag.commit) ?? [];
    if (atCommit.length > 1) {
      artifact.problems.push({
        artifact: artifact.name,
        tag: tag.tag,
        message: `Stage tag ${tag.tag} points at commit ${tag.commit.slice(0, 7)}, where ${atCommit.length} versions are registered (${atCommit
          .map((v) => v.name)
          .join(', ')}); GTO cannot tell which version it means (ManyVersions), so the tag is ignored. Deregister or delete all but one of those versions.`,
      });
      continue;
    }
    const version = atCommit[0] ?? addVersion(artifact, tag.commit, tag.commit);
    const stage = tag.stage ?? '';
    const list = version.stageTags.get(stage) ?? [];
    list.push(tag);
    version.stageTags.set(stage, list);
    artifact.versionOfStageTag.set(tag, version);
    artifact.events.push(tag);
  }

  const folded = [...artifacts.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(finishArtifact);
  return { artifacts: folded, problems: folded.flatMap((a) => a.problems) };
}

function addVersion(artifact: WorkingArtifact, name: string, commit: string): WorkingVersion {
  const version: WorkingVersion = { name, commit, direct: [], stageTags: new Map() };
  artifact.versions.push(version);
  const atCommit = artifact.versionsAtCommit.get(commit);
  if (atCommit) atCommit.push(version);
  else artifact.versionsAtCommit.set(commit, [version]);
  return version;
}

/** STEP 3: active flags, latest, stages and history of one artifact. */
function finishArtifact(artifact: WorkingArtifact): FoldedArtifact {
  const events = [...artifact.events].sort(compareTags);
  const newest = events[events.length - 1];
  const deprecated = newest !== undefined && newest.action === 'deprecate';

  const workingOf = new Map<FoldedVersion, WorkingVersion>();
  const versions: FoldedVersion[] = artifact.versions.map((working) => {
    const lastDirect = working.direct[working.direct.length - 1];
    const registrations = working.direct.filter((t) => t.action === 'register');
    const active = lastDirect ? lastDirect.action === 'register' : working.stageTags.size > 0;
    const activeStages = [...working.stageTags.entries()]
      .filter(([, list]) => list[list.length - 1]?.action === 'assign')
      .map(([stage]) => stage)
      .sort();
    // GTO's authoring event: the newest registration, else the newest other event.
    const stageTags = [...working.stageTags.values()].flat().sort(compareTags);
    const authoring = registrations[registrations.length - 1] ?? stageTags[stageTags.length - 1] ?? lastDirect;
    if (!authoring) throw new Error(`version ${working.name} of ${artifact.name} has no tags`);
    const folded: FoldedVersion = {
      name: working.name,
      commit: working.commit,
      registered: registrations.length > 0,
      deregistered: lastDirect?.action === 'deregister',
      active,
      createdAt: authoring.at,
      timestamp: authoring.timestamp,
      author: authoring.tagger,
      tag: authoring.tag,
      message: authoring.message,
      activatedAt: registrations[0]?.at,
      stages: [],
      activeStages,
    };
    workingOf.set(folded, working);
    return folded;
  });
  // A name at several commits: the active one first, then the newest.
  versions.sort((a, b) => compareVersionsDescending(a.name, b.name) || Number(b.active) - Number(a.active) || b.timestamp - a.timestamp);

  // Latest: registered, active, SemVer-named; highest SemVer first (the list is already in that order).
  const latestVersion = versions.find((v) => v.registered && v.active && isSemverName(v.name));

  // Every active (version, stage) pair of an active version, newest assignment first.
  const assignments: StageAssignmentRecord[] = [];
  for (const version of versions) {
    if (!version.active) continue;
    const working = workingOf.get(version);
    for (const stage of version.activeStages) {
      const list = working?.stageTags.get(stage) ?? [];
      const assign = list[list.length - 1];
      if (!assign) continue;
      assignments.push({
        stage,
        version: version.name,
        commit: version.commit,
        assignedAt: assign.at,
        timestamp: assign.timestamp,
        author: assign.tagger,
        tag: assign.tag,
        message: assign.message,
      });
    }
  }
  // GTO sorts the SemVer-ordered walk ascending by assignment time (stable) and reverses it,
  // so same-second assignments come out in reverse walk order.
  assignments.sort((a, b) => a.timestamp - b.timestamp).reverse();
  const shown = new Map<string, StageAssignmentRecord>();
  for (const assignment of assignments) {
    if (!shown.has(assignment.stage)) shown.set(assignment.stage, assignment);
  }
  const stages = [...shown.values()].sort((a, b) => (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0));
  for (const assignment of stages) {
    versions.find((v) => v.name === assignment.version && v.commit === assignment.commit)?.stages.push(assignment.stage);
  }
  const byStage = [...assignments].sort((a, b) => (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0));

  const history: RegistryEventRecord[] = events
    .map((tag): RegistryEventRecord => {
      const version =
        tag.action === 'register' || tag.action === 'deregister'
          ? tag.version
          : tag.action === 'deprecate'
            ? undefined
            : (artifact.versionOfStageTag.get(tag)?.name ?? tag.commit);
      return {
        kind: EVENT_KIND[tag.action],
        artifact: artifact.name,
        ...(version !== undefined ? { version } : {}),
        ...(tag.stage !== undefined ? { stage: tag.stage } : {}),
        commit: tag.commit,
        at: tag.at,
        timestamp: tag.timestamp,
        author: tag.tagger,
        tag: tag.tag,
        message: tag.message,
      };
    })
    .reverse();

  return {
    name: artifact.name,
    deprecated,
    versions,
    ...(latestVersion ? { latest: latestVersion.name, latestCommit: latestVersion.commit } : {}),
    stages,
    assignments: byStage,
    history,
    problems: artifact.problems,
  };
}
