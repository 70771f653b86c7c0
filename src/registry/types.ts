/**
 * The registry's vocabulary. Everything here is plain, JSON-serialisable data: snapshots
 * travel through Redis unchanged (dates are ISO strings, never `Date`).
 */

/** GTO's actions. */
export type TagAction = 'register' | 'deregister' | 'assign' | 'unassign' | 'deprecate';

/** The kinds of registry event shown to clients (GraphQL `RegistryEventKind`). */
export type RegistryEventKind = 'REGISTERED' | 'DEREGISTERED' | 'ASSIGNED' | 'UNASSIGNED' | 'DEPRECATED';

export interface Person {
  name: string;
  email: string;
}

/** An annotated GTO tag, already parsed: the fold's input. */
export interface RegistryTag {
  /** The tag name (`churn#prod#3`). */
  tag: string;
  action: TagAction;
  /** Full artifact name (`dir:name` or `name`). */
  artifact: string;
  version?: string;
  stage?: string;
  counter?: number;
  /** The commit the tag points at. */
  commit: string;
  tagger: Person;
  /** Tagger time, ISO 8601 with the tagger's offset. */
  at: string;
  /** Tagger time in seconds (GTO's resolution). */
  timestamp: number;
  /** The tag message, stripped as GTO strips it. */
  message: string;
}

/** One entry of a model's history (GTO `history`, commit events excluded). */
export interface RegistryEventRecord {
  kind: RegistryEventKind;
  artifact: string;
  /** Version name: `v1.2.3`, or a commit SHA for stage tags on unregistered commits. */
  version?: string;
  stage?: string;
  commit: string;
  at: string;
  timestamp: number;
  author: Person;
  tag: string;
  message: string;
}

/** A stage held by a version. */
export interface StageAssignmentRecord {
  stage: string;
  /** Version name. */
  version: string;
  commit: string;
  /** When the newest assignment tag of this version to this stage was made. */
  assignedAt: string;
  timestamp: number;
  author: Person;
  tag: string;
  message: string;
}

/** A version as GTO's fold leaves it. */
export interface FoldedVersion {
  /** `v1.2.3`, or the full commit SHA when only stage tags point at an unregistered commit. */
  name: string;
  commit: string;
  /** Has at least one registration tag. */
  registered: boolean;
  /** Its newest registration/deregistration tag is a deregistration. */
  deregistered: boolean;
  /** GTO's `Version.is_active`. */
  active: boolean;
  /** The authoring event: newest registration, else the first assignment. */
  createdAt: string;
  timestamp: number;
  author: Person;
  tag: string;
  message: string;
  /** First registration time (GTO `activated_at`). */
  activatedAt?: string;
  /** Stages this version currently shows in (GTO `show`: newest active assignment per stage). */
  stages: string[];
  /** Every stage this version is actively assigned to, shown or not. */
  activeStages: string[];
}

/** A problem the fold found with one artifact; the artifact is still served. */
export interface FoldProblem {
  artifact: string;
  tag?: string;
  message: string;
}

export interface FoldedArtifact {
  /** Full name (`dir:name`). */
  name: string;
  deprecated: boolean;
  /** Newest first by SemVer (GTO `show NAME` order); SHA-named versions last. */
  versions: FoldedVersion[];
  /** Highest SemVer among registered, active versions. */
  latest?: string;
  /** Its commit: a version name can repeat at several commits. */
  latestCommit?: string;
  /** GTO `show`: per stage, the newest active assignment; sorted by stage name. */
  stages: StageAssignmentRecord[];
  /** Every active assignment, newest first within each stage; sorted by stage name. */
  assignments: StageAssignmentRecord[];
  /** Newest first, GTO's priorities breaking same-second ties. */
  history: RegistryEventRecord[];
  problems: FoldProblem[];
}

export interface FoldedRegistry {
  /** Sorted by name. */
  artifacts: FoldedArtifact[];
  problems: FoldProblem[];
}
