import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import {
  parseDvcConfig,
  parseDvcFile,
  parseDvcLock,
  parseDvcYaml,
  parseGtoTag,
  parseMetrics,
  parseParams,
  pickRemote,
  selectParams,
  storageUrl,
} from '../parsing/index.js';
import type { DvcConfig, DvcEntry, DvcLock, DvcYaml, KeyValue, Parsed, Problem } from '../parsing/index.js';
import { foldRegistry, modelRef, versionRef } from '../registry/index.js';
import type {
  ArtifactFileRecord,
  CommitRecord,
  DeclarationRecord,
  FoldedArtifact,
  FoldedVersion,
  KeyValueRecord,
  LineageRecord,
  ModelRecord,
  ProblemRecord,
  RegistryTag,
  RepositoryRecord,
  RepositorySnapshot,
  VersionRecord,
} from '../registry/index.js';
import type { CommitInfo, FileContent, GitSource, RepositoryInfo, RepositoryRefs } from '../sources/index.js';

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
    const fingerprint = fingerprintOf(refs);
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
    await reader.prefetchVersionFiles(folded.artifacts.flatMap((a) => a.versions.map((v) => ({ commit: v.commit, artifact: a.name }))));
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

/** Equal when HEAD and every tag (name, target, tag object) are equal: then nothing can differ. */
function fingerprintOf(refs: RepositoryRefs): string {
  const hash = createHash('sha256');
  hash.update(`v1\0${refs.defaultBranch ?? ''}\0${refs.headCommit ?? ''}\n`);
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
  const declaration = headDeclaration ?? latest?.declaration ?? [...versions].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).find((v) => v.declaration)?.declaration;
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
  const details = reader.versionDetails(v.commit, artifactName, declaration);
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
    params: details.params,
    ...(details.lineage ? { lineage: details.lineage } : {}),
  };
}

/** The directory of an artifact's `dvc.yaml`, from its full name (`dir:name` → `dir`). */
function dirOfArtifact(fullName: string): string {
  const colon = fullName.lastIndexOf(':');
  return colon < 0 ? '' : fullName.slice(0, colon);
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * Reads and parses the DVC files of many commits with a handful of source calls, each
 * file once, and answers per-commit questions from what it read.
 */
class CommitFiles {
  private readonly trees = new Map<string, Set<string>>();
  private readonly texts = new Map<string, FileContent>();
  private readonly parsed = new Map<string, Parsed<unknown>>();

  constructor(
    private readonly source: GitSource,
    private readonly repository: RepositoryInfo,
    private readonly problems: ProblemRecord[],
  ) {}

  /** Lists the trees of `commits` and reads every `dvc.yaml`, `dvc.lock` and `.dvc/config` in them. */
  async load(commits: readonly string[]): Promise<void> {
    if (commits.length === 0) return;
    const lists = await this.source.listFiles(this.repository, commits);
    commits.forEach((commit, i) => this.trees.set(commit, new Set(lists[i] ?? [])));
    const wanted: { commit: string; path: string }[] = [];
    for (const commit of commits) {
      for (const path of this.trees.get(commit) ?? []) {
        const base = posix.basename(path);
        if (base === 'dvc.yaml' || base === 'dvc.lock' || path === '.dvc/config' || path.endsWith('/.dvc/config')) wanted.push({ commit, path });
      }
    }
    await this.read(wanted);
  }

  /** Reads the metrics, params and `.dvc` files the versions will need, in one batch. */
  async prefetchVersionFiles(versions: readonly { commit: string; artifact: string }[]): Promise<void> {
    const wanted: { commit: string; path: string }[] = [];
    for (const { commit, artifact } of versions) {
      const yaml = this.dvcYaml(commit, dirOfArtifact(artifact));
      if (!yaml) continue;
      for (const file of this.metricFiles(yaml)) wanted.push({ commit, path: file });
      for (const ref of this.paramRefs(yaml)) wanted.push({ commit, path: ref.file });
      const declared = yaml.artifacts.find((a) => a.fullName === artifact);
      if (declared) wanted.push({ commit, path: `${declared.repoPath}.dvc` });
    }
    await this.read(wanted.filter((w) => this.trees.get(w.commit)?.has(w.path)));
  }

  declarationsAt(commit: string): Map<string, DeclarationRecord> {
    const result = new Map<string, DeclarationRecord>();
    for (const path of this.trees.get(commit) ?? []) {
      if (posix.basename(path) !== 'dvc.yaml') continue;
      const yaml = this.parse(commit, path, parseDvcYaml);
      for (const a of yaml?.artifacts ?? []) {
        result.set(a.fullName, {
          file: path,
          path: a.repoPath,
          ...(a.type !== undefined ? { type: a.type } : {}),
          ...(a.description !== undefined ? { description: a.description } : {}),
          labels: a.labels,
        });
      }
    }
    return result;
  }

  versionDetails(
    commit: string,
    artifactName: string,
    declaration: DeclarationRecord | undefined,
  ): { artifact?: ArtifactFileRecord; metrics: KeyValueRecord[]; params: KeyValueRecord[]; lineage?: LineageRecord } {
    const dir = dirOfArtifact(artifactName);
    const yaml = this.dvcYaml(commit, dir);
    // Lock paths are relative to each stage's wdir, which only dvc.yaml records.
    const wdirs = new Map((yaml?.stages ?? []).map((s) => [s.name, s.wdir] as const));
    const lock = this.parse(commit, join(dir, 'dvc.lock'), (text, file) => parseDvcLock(text, file, wdirs));
    const config = this.dvcConfig(commit, dir);
    const metrics: KeyValueRecord[] = [];
    const params: KeyValueRecord[] = [];
    if (yaml) {
      for (const file of this.metricFiles(yaml)) {
        for (const kv of this.parse(commit, file, parseMetrics) ?? []) metrics.push({ path: file, key: kv.key, value: kv.value });
      }
      params.push(...this.params(commit, yaml, lock));
    }
    let artifact: ArtifactFileRecord | undefined;
    let lineage: LineageRecord | undefined;
    if (declaration) {
      const located = this.locate(commit, declaration.path, lock, config, yaml);
      artifact = located.artifact;
      lineage = located.lineage;
    }
    return { ...(artifact ? { artifact } : {}), metrics, params, ...(lineage ? { lineage } : {}) };
  }

  private locate(
    commit: string,
    path: string,
    lock: DvcLock | undefined,
    config: DvcConfig | undefined,
    yaml: DvcYaml | undefined,
  ): { artifact: ArtifactFileRecord; lineage?: LineageRecord } {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return { artifact: { path, trackedBy: 'url' } };
    const withStorage = (entry: DvcEntry, trackedBy: ArtifactFileRecord['trackedBy']): ArtifactFileRecord => {
      // `remote`, `cache` and `push` of a stage output live in dvc.yaml, not in dvc.lock.
      const declared = yaml?.stages.flatMap((s) => s.outs).find((o) => o.repoPath === entry.repoPath);
      const pushed = entry.cache !== false && entry.push !== false && declared?.cache !== false && declared?.push !== false;
      const remote = config && pushed ? pickRemote(config, entry.remote ?? declared?.remote) : undefined;
      const url = remote ? storageUrl(remote, entry) : undefined;
      return {
        path,
        ...(entry.md5 !== undefined ? { md5: entry.md5 } : {}),
        ...(entry.size !== undefined ? { size: entry.size } : {}),
        ...(entry.nfiles !== undefined ? { nfiles: entry.nfiles } : {}),
        ...(remote && url ? { storage: { remote: remote.name, url } } : {}),
        trackedBy,
      };
    };
    for (const stage of lock?.stages ?? []) {
      const out = stage.outs.find((o) => o.repoPath === path);
      if (!out || !lock) continue;
      return { artifact: withStorage(out, 'dvc.lock'), lineage: lineageOf(lock, stage.name) };
    }
    // A file inside a directory output: the stage is known, its own md5 only from the `.dir` manifest in storage.
    for (const stage of lock?.stages ?? []) {
      if (!lock || !stage.outs.some((o) => path.startsWith(`${o.repoPath}/`))) continue;
      return { artifact: { path, trackedBy: 'dvc.lock' }, lineage: lineageOf(lock, stage.name) };
    }
    const dvcFile = this.parse(commit, `${path}.dvc`, parseDvcFile);
    const out = dvcFile?.outs.find((o) => o.repoPath === path) ?? dvcFile?.outs[0];
    if (out) return { artifact: withStorage(out, '.dvc') };
    if (this.trees.get(commit)?.has(path)) return { artifact: { path, trackedBy: 'git' } };
    return { artifact: { path, trackedBy: 'unknown' } };
  }

  private params(commit: string, yaml: DvcYaml, lock: DvcLock | undefined): KeyValueRecord[] {
    const result = new Map<string, KeyValueRecord>();
    for (const ref of this.paramRefs(yaml)) {
      const values: KeyValue[] | undefined = this.parse(commit, ref.file, parseParams);
      const picked = values
        ? selectParams(values, ref.keys)
        : // The file is not in Git at this commit: fall back to what dvc.lock recorded.
          (lock?.stages ?? []).flatMap((s) => Object.entries(s.params[ref.file] ?? {}).map(([key, value]) => ({ key, value })));
      for (const kv of picked) result.set(`${ref.file}\0${kv.key}`, { path: ref.file, key: kv.key, value: kv.value });
    }
    return [...result.values()].sort((a, b) => (a.path + '\0' + a.key < b.path + '\0' + b.key ? -1 : 1));
  }

  /** Params references of every stage plus the top-level `params:` files, merged per file. */
  private paramRefs(yaml: DvcYaml): { file: string; keys?: string[] }[] {
    const byFile = new Map<string, Set<string> | undefined>();
    const add = (file: string, keys?: string[]) => {
      if (byFile.has(file) && byFile.get(file) === undefined) return;
      if (!keys) return void byFile.set(file, undefined);
      const set = byFile.get(file) ?? new Set<string>();
      for (const k of keys) set.add(k);
      byFile.set(file, set);
    };
    for (const stage of yaml.stages) for (const ref of stage.params) add(ref.file, ref.keys);
    for (const file of yaml.params) add(file);
    return [...byFile.entries()].map(([file, keys]) => (keys ? { file, keys: [...keys].sort() } : { file }));
  }

  private metricFiles(yaml: DvcYaml): string[] {
    return unique([...yaml.metrics, ...yaml.stages.flatMap((s) => s.outs.filter((o) => o.kind === 'metric').map((o) => o.repoPath))]);
  }

  private dvcYaml(commit: string, dir: string): DvcYaml | undefined {
    return this.parse(commit, join(dir, 'dvc.yaml'), parseDvcYaml);
  }

  /** The nearest `.dvc/config` at or above `dir` (a DVC sub-repo has its own). */
  private dvcConfig(commit: string, dir: string): DvcConfig | undefined {
    for (let d = dir; ; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') {
      const path = join(d, '.dvc/config');
      if (this.trees.get(commit)?.has(path)) return this.parse(commit, path, parseDvcConfig);
      if (d === '') return undefined;
    }
  }

  private async read(files: { commit: string; path: string }[]): Promise<void> {
    const seen = new Set<string>();
    const todo = files.filter((f) => {
      const k = key(f);
      if (this.texts.has(k) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (todo.length === 0) return;
    const contents = await this.source.readFiles(this.repository, todo);
    todo.forEach((f, i) => {
      const content = contents[i];
      if (content) this.texts.set(key(f), content);
    });
  }

  /** Parses a file once per (commit, path); its problems are recorded once. */
  private parse<T>(commit: string, path: string, parser: (text: string, file: string) => Parsed<T>): T | undefined {
    const k = key({ commit, path });
    const cached = this.parsed.get(k);
    if (cached) return cached.value as T;
    const content = this.texts.get(k);
    if (!content) return undefined;
    if (!content.found) {
      if (content.reason === 'too-large') {
        this.problems.push({ file: path, commit, message: `${path} is ${content.size ?? 'too many'} bytes, over the size limit for metadata files; it was not read.` });
      }
      return undefined;
    }
    const result = parser(content.text, path);
    this.parsed.set(k, result);
    for (const p of result.problems) this.problems.push(problemRecord(p, commit));
    return result.value;
  }
}

function lineageOf(lock: DvcLock, stageName: string): LineageRecord | undefined {
  const stage = lock.stages.find((s) => s.name === stageName);
  if (!stage) return undefined;
  return {
    lockFile: lock.file,
    stage: stage.name,
    ...(stage.cmd !== undefined ? { cmd: Array.isArray(stage.cmd) ? stage.cmd.join(' && ') : stage.cmd } : {}),
    deps: stage.deps.map((d) => ({ path: d.repoPath, ...(d.md5 !== undefined ? { md5: d.md5 } : {}) })),
    params: Object.entries(stage.params).flatMap(([file, values]) => Object.entries(values).map(([k, value]) => ({ path: file, key: k, value }))),
    outs: stage.outs.map((o) => ({ path: o.repoPath, ...(o.md5 !== undefined ? { md5: o.md5 } : {}) })),
  };
}

function problemRecord(p: Problem, commit: string): ProblemRecord {
  return { file: p.file, ...(p.line !== undefined ? { line: p.line } : {}), message: p.message, commit };
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

function key(f: { commit: string; path: string }): string {
  return `${f.commit}:${f.path}`;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
