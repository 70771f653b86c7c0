import { createHash } from 'node:crypto';
import { parseGtoTag } from '../parsing/index.js';
import { foldRegistry, modelRef, repositoryKey, versionRef } from '../registry/index.js';
import type {
  CommitRecord,
  DeclarationRecord,
  FoldedArtifact,
  FoldedVersion,
  ModelRecord,
  ProblemRecord,
  RegistryTag,
  RepositoryRecord,
  RepositorySnapshot,
  VersionRecord,
} from '../registry/index.js';
import type { CommitInfo, GitSource, RepositoryInfo, RepositoryRefs } from '../sources/index.js';
import { CommitFiles } from './commitFiles.js';
import { prefetchVersionFiles, versionDetails } from './versionDetails.js';

/** The outcome of indexing one repository: expected outcomes are values. */
export type IndexOutcome =
  | { result: 'unchanged'; repository: RepositoryRecord }
  | { result: 'updated'; snapshot: RepositorySnapshot }
  | { result: 'failed'; ref: string; error: Error };

/** What `indexRepository` needs; `previous` lets it skip a repository whose refs did not change. */
export interface IndexRepositoryInput {
  source: GitSource;
  repository: RepositoryInfo;
  previous?: RepositoryRecord;
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * One repository: refs → GTO tags → GTO's fold → files at each version's commit →
 * one complete snapshot. Never throws: a failure of the source is a `failed` outcome,
 * a bad file is a problem in the snapshot.
 */
export async function indexRepository(input: IndexRepositoryInput): Promise<IndexOutcome> {
  const { source, repository } = input;
  try {
    // STEP 1: refs, and the fingerprint that lets an unchanged repository cost one read.
    const refs = await source.readRefs(repository);
    const fingerprint = fingerprintOf(refs, repository);
    if (input.previous && input.previous.fingerprint === fingerprint) {
      return { result: 'unchanged', repository: input.previous };
    }
    const problems: ProblemRecord[] = [];

    // STEP 2: annotated GTO tags → GTO's fold.
    const tags: RegistryTag[] = [];
    for (const raw of refs.tags) {
      const parsed = parseGtoTag(raw.name);
      if (!parsed) continue;
      if (!raw.annotation) {
        problems.push({
          file: raw.name,
          message: `Tag ${raw.name} looks like a GTO tag but is lightweight; GTO reads annotated tags only, so it is ignored. Recreate it with \`git tag -a\` (or \`gto\`).`,
        });
        continue;
      }
      const { tagger } = raw.annotation;
      tags.push({
        tag: raw.name,
        action: parsed.action,
        artifact: parsed.artifact,
        ...(parsed.version !== undefined ? { version: parsed.version } : {}),
        ...(parsed.stage !== undefined ? { stage: parsed.stage } : {}),
        ...(parsed.counter !== undefined ? { counter: parsed.counter } : {}),
        commit: raw.commit,
        tagger: { name: tagger.name, email: tagger.email },
        at: tagger.date,
        timestamp: tagger.timestamp,
        message: raw.annotation.message.trim(),
      });
    }
    const folded = foldRegistry(tags);
    for (const p of folded.problems) {
      problems.push({ file: p.tag ?? p.artifact, message: p.message, model: modelRef(repository.ref, p.artifact) });
    }

    // STEP 3: the files of every commit a version points at, and of HEAD, in a few batches.
    const commits = unique([...(refs.headCommit ? [refs.headCommit] : []), ...folded.artifacts.flatMap((a) => a.versions.map((v) => v.commit))]);
    const reader = new CommitFiles(source, repository, problems);
    await reader.load(commits);
    const commitInfos = commits.length > 0 ? await source.readCommits(repository, commits) : [];
    const commitRecords = new Map(commitInfos.map((c) => [c.sha, commitRecordOf(c)] as const));

    // STEP 4: each version's declaration, file location, metrics, params and lineage.
    await prefetchVersionFiles(reader, folded.artifacts.flatMap((a) => a.versions.map((v) => ({ commit: v.commit, artifact: a.name }))));
    const headDeclared = refs.headCommit ? reader.declarationsAt(refs.headCommit) : new Map<string, DeclarationRecord>();
    const models: ModelRecord[] = [];
    for (const artifact of folded.artifacts) {
      models.push(await buildModel(repository.ref, artifact, reader, commitRecords, headDeclared.get(artifact.name)));
    }
    // Artifacts declared at HEAD but never tagged are shown too, with no versions.
    for (const [name, declaration] of headDeclared) {
      if (folded.artifacts.some((a) => a.name === name)) continue;
      models.push({
        ref: modelRef(repository.ref, name),
        repository: repository.ref,
        name,
        declaration,
        deprecated: false,
        versions: [],
        stages: [],
        assignments: [],
        history: [],
      });
    }
    models.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));

    const now = (input.now ?? (() => new Date()))();
    const record: RepositoryRecord = {
      ref: repository.ref,
      source: repository.source,
      kind: repository.kind,
      host: repository.host,
      fullName: repository.fullName,
      url: repository.url,
      ...(refs.defaultBranch !== undefined ? { defaultBranch: refs.defaultBranch } : {}),
      ...aliasesOf(repository),
      ...(refs.headCommit !== undefined ? { headCommit: commitRecords.get(refs.headCommit) ?? { sha: refs.headCommit } } : {}),
      indexedAt: now.toISOString(),
      fingerprint,
      problems: dedupeProblems(problems),
      models: models.map((m) => m.ref),
    };
    return { result: 'updated', snapshot: { repository: record, models } };
  } catch (error) {
    return { result: 'failed', ref: repository.ref, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Keys of a repository's other addresses (its remotes), when it has any. */
function aliasesOf(repository: RepositoryInfo): { aliases?: string[] } {
  const keys = [...new Set((repository.remoteUrls ?? []).map(repositoryKey).filter((k): k is string => k !== undefined))].sort();
  return keys.length > 0 ? { aliases: keys } : {};
}

/** Equal when HEAD, every tag (name, target, tag object) and the remotes are equal: then nothing can differ. */
function fingerprintOf(refs: RepositoryRefs, repository: RepositoryInfo): string {
  const hash = createHash('sha256');
  hash.update(`v2\0${refs.defaultBranch ?? ''}\0${refs.headCommit ?? ''}\0${(repository.remoteUrls ?? []).join('\0')}\n`);
  for (const tag of [...refs.tags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    hash.update(`${tag.name}\0${tag.commit}\0${tag.annotation?.sha ?? ''}\n`);
  }
  return hash.digest('hex');
}

function commitRecordOf(c: CommitInfo): CommitRecord {
  return {
    sha: c.sha,
    message: c.message.trim(),
    author: { name: c.author.name, email: c.author.email },
    authoredAt: c.author.date,
    committedAt: c.committer.date,
  };
}

async function buildModel(
  repositoryRef: string,
  artifact: FoldedArtifact,
  reader: CommitFiles,
  commits: Map<string, CommitRecord>,
  headDeclaration: DeclarationRecord | undefined,
): Promise<ModelRecord> {
  const ref = modelRef(repositoryRef, artifact.name);
  // A version name repeated at several commits: the first (preferred) keeps the plain ref, the others get `~<sha>`.
  const seen = new Set<string>();
  const versions: VersionRecord[] = artifact.versions.map((v) => {
    const name = seen.has(v.name) ? `${v.name}~${v.commit.slice(0, 12)}` : v.name;
    seen.add(v.name);
    return buildVersion(versionRef(ref, name), artifact.name, v, reader, commits);
  });
  const latest = versions.find((v) => v.name === artifact.latest && v.commit.sha === artifact.latestCommit);
  const declaration = headDeclaration ?? latest?.declaration ?? [...versions].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)).find((v) => v.declaration)?.declaration;
  return {
    ref,
    repository: repositoryRef,
    name: artifact.name,
    ...(declaration ? { declaration } : {}),
    deprecated: artifact.deprecated,
    ...(artifact.latest !== undefined && artifact.latestCommit !== undefined ? { latestVersion: artifact.latest, latestCommit: artifact.latestCommit } : {}),
    versions,
    stages: artifact.stages,
    assignments: artifact.assignments,
    history: artifact.history,
  };
}

function buildVersion(ref: string, artifactName: string, v: FoldedVersion, reader: CommitFiles, commits: Map<string, CommitRecord>): VersionRecord {
  const declaration = reader.declarationsAt(v.commit).get(artifactName);
  const details = versionDetails(reader, v.commit, artifactName, declaration);
  return {
    name: v.name,
    ref,
    registered: v.registered,
    deregistered: v.deregistered,
    active: v.active,
    commit: commits.get(v.commit) ?? { sha: v.commit },
    createdAt: v.createdAt,
    author: v.author,
    tag: v.tag,
    message: v.message,
    stages: v.stages,
    activeStages: v.activeStages,
    ...(declaration ? { declaration } : {}),
    ...(details.artifact ? { artifact: details.artifact } : {}),
    metrics: details.metrics,
    metricFiles: details.metricFiles,
    params: details.params,
    paramFiles: details.paramFiles,
    plots: details.plots,
    ...(details.lineage ? { lineage: details.lineage } : {}),
  };
}

/** The same problem found at many commits is reported once, at the first commit seen (HEAD first). */
function dedupeProblems(problems: ProblemRecord[]): ProblemRecord[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.file}\0${p.line ?? ''}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
