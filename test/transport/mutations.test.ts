import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { HostSimulator } from '../../src/hosts/index.js';
import { Indexer, SourceTagWriter } from '../../src/indexer/index.js';
import { GitHubSource, LocalGitSource, createGitHubClient } from '../../src/sources/index.js';
import type { GitSource } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import { createServer } from '../../src/transport/index.js';
import type { RunningServer } from '../../src/transport/index.js';
import {
  AssignStageDocument,
  DeprecateModelDocument,
  DeregisterModelVersionDocument,
  RegisterModelVersionDocument,
  UnassignStageDocument,
} from '../__generated__/operations.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import type { GraphQLResponse } from '../support/testGateway.js';

/*
 * The tag-writing mutations end to end: the real server on port 0, an indexer over real
 * repositories, the in-memory store and `SourceTagWriter`. Each mutation answers the new state
 * and leaves exactly the tag GTO would have written; a refused one leaves no tag at all.
 */

const run = promisify(execFile);
const MODEL = 'local:acme/churn:churn';

async function git(gitDir: string, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  const { stdout } = await run('git', ['--git-dir', gitDir, ...args], { env: { ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  return stdout.trim();
}

const tagsOf = async (gitDir: string) => (await git(gitDir, ['tag', '-l'])).split('\n').filter((t) => t !== '').sort();
const messageOf = (gitDir: string, tag: string) => git(gitDir, ['for-each-ref', '--format=%(contents)', `refs/tags/${tag}`]);

interface MutationGateway {
  server: RunningServer;
  post<R, V>(document: TypedDocumentNode<R, V>, variables: V, headers?: Record<string, string>): Promise<GraphQLResponse<R>>;
  close(): Promise<void>;
}

async function startMutationGateway(sources: GitSource[], options: { writer?: boolean } = {}): Promise<MutationGateway> {
  const store = InMemoryRegistryStore.create();
  const indexer = Indexer.create({ sources, store });
  await indexer.indexAll();
  const server = await createServer({
    store,
    indexer,
    ...(options.writer === false ? {} : { writer: SourceTagWriter.create({ sources }) }),
    port: 0,
    log: () => undefined,
  });
  return {
    server,
    post: async (document, variables, headers = {}) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: print(document), variables }),
      });
      return (await response.json()) as GraphQLResponse<never>;
    },
    close: async () => {
      await indexer.stop();
      await server.close();
      await Promise.all(sources.map((s) => s.close()));
    },
  };
}

describe('tag-writing mutations on a local repository', () => {
  const dir = useTempDir('modelgate-mutations');
  let gateway: MutationGateway;
  let gitDir: string;
  const commits: string[] = [];

  beforeAll(async () => {
    const repo = await createRepo(join(dir.path, 'repos'), 'acme/churn');
    const tagger = { name: 'Ada', email: 'ada@example.com' };
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n    type: model\n', 'models/dvc.yaml': 'artifacts:\n  clf:\n    path: clf.pkl\n', 'model.pkl': '1' });
    commits.push(await repo.commit('v1', { date: '2025-01-10T09:00:00+01:00' }));
    await repo.tag('churn@v1.0.0', { message: 'Churn v1', date: '2025-01-10T10:00:00+01:00', tagger });
    await repo.tag('churn#prod#1', { message: 'Promote v1', date: '2025-01-11T10:00:00+01:00', tagger });
    await repo.write({ 'model.pkl': '2' });
    commits.push(await repo.commit('v1.1', { date: '2025-02-10T09:00:00+01:00' }));
    await repo.tag('churn@v1.1.0', { message: 'Churn v1.1', date: '2025-02-10T10:00:00+01:00', tagger });
    await repo.write({ 'model.pkl': '3' });
    commits.push(await repo.commit('v1.2', { date: '2025-03-10T09:00:00+01:00' }));
    gitDir = repo.gitDir;
    gateway = await startMutationGateway([LocalGitSource.create({ root: join(dir.path, 'repos'), tagger: { name: 'Gateway', email: 'gateway@example.com' } })]);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('promotes a version to prod: answers the new stage, and the tag is churn#prod#2', async () => {
    const { data, errors } = await gateway.post(AssignStageDocument, { model: MODEL, version: 'v1.1.0', stage: 'prod' });
    expect(errors).toBeUndefined();
    expect(data?.assignStage).toMatchObject({ version: 'v1.1.0', stages: ['prod'], model: { stages: [{ stage: 'prod', tag: 'churn#prod#2', version: { version: 'v1.1.0' } }] } });
    expect(await tagsOf(gitDir)).toContain('churn#prod#2');
    expect(await messageOf(gitDir, 'churn#prod#2')).toBe('Assigning stage prod to artifact churn version v1.1.0');
  });

  it('rolls prod back by assigning the older version: churn#prod#3', async () => {
    const { data, errors } = await gateway.post(AssignStageDocument, { model: MODEL, version: 'v1.0.0', stage: 'prod' });
    expect(errors).toBeUndefined();
    expect(data?.assignStage).toMatchObject({ version: 'v1.0.0', stages: ['prod'], model: { stages: [{ stage: 'prod', tag: 'churn#prod#3', version: { version: 'v1.0.0' } }] } });
    expect(await tagsOf(gitDir)).toContain('churn#prod#3');
  });

  it('unassigns prod from the version: churn#prod!#4, and prod shows the other version still assigned (GTO)', async () => {
    const { data, errors } = await gateway.post(UnassignStageDocument, { model: MODEL, version: 'v1.0.0', stage: 'prod' });
    expect(errors).toBeUndefined();
    expect(data?.unassignStage).toMatchObject({ version: 'v1.0.0', stages: [], activeStages: [], model: { stages: [{ stage: 'prod', version: { version: 'v1.1.0' } }] } });
    expect(await tagsOf(gitDir)).toContain('churn#prod!#4');
    expect(await messageOf(gitDir, 'churn#prod!#4')).toBe("Unassigning stage 'prod' to artifact 'churn' version 'v1.0.0'");
  });

  it('registers a minor bump at HEAD: churn@v1.2.0, the new latest', async () => {
    const { data, errors } = await gateway.post(RegisterModelVersionDocument, { model: MODEL, bump: 'MINOR' });
    expect(errors).toBeUndefined();
    expect(data?.registerModelVersion).toMatchObject({ version: 'v1.2.0', registered: true, tag: 'churn@v1.2.0', commit: { sha: commits[2] }, model: { latestVersion: { version: 'v1.2.0' } } });
    expect(await messageOf(gitDir, 'churn@v1.2.0')).toBe('Registering artifact churn version v1.2.0');
  });

  it('deregisters it: churn@v1.2.0!, and latest goes back to v1.1.0', async () => {
    const { data, errors } = await gateway.post(DeregisterModelVersionDocument, { model: MODEL, version: 'v1.2.0' });
    expect(errors).toBeUndefined();
    expect(data?.deregisterModelVersion).toMatchObject({ version: 'v1.2.0', deregistered: true, model: { latestVersion: { version: 'v1.1.0' } } });
    expect(await tagsOf(gitDir)).toContain('churn@v1.2.0!');
  });

  it('registers a nested artifact as dir=name: models=clf@v0.0.1', async () => {
    const { data, errors } = await gateway.post(RegisterModelVersionDocument, { model: 'local:acme/churn:models:clf' });
    expect(errors).toBeUndefined();
    expect(data?.registerModelVersion).toMatchObject({ ref: 'local:acme/churn:models:clf@v0.0.1', tag: 'models=clf@v0.0.1' });
    expect(await messageOf(gitDir, 'models=clf@v0.0.1')).toBe('Registering artifact models:clf version v0.0.1');
  });

  it('deprecates the model: churn@deprecated', async () => {
    const { data, errors } = await gateway.post(DeprecateModelDocument, { model: MODEL });
    expect(errors).toBeUndefined();
    expect(data?.deprecateModel).toMatchObject({ deprecated: true, history: { nodes: [{ kind: 'DEPRECATED', tag: 'churn@deprecated', message: "Deprecating artifact 'churn'" }] } });
    expect(await tagsOf(gitDir)).toContain('churn@deprecated');
  });

  it.each<[string, () => Promise<GraphQLResponse<unknown>>, string, RegExp]>([
    ['an unknown model', () => gateway.post(AssignStageDocument, { model: 'local:acme/churn:nope', version: 'v1.0.0', stage: 'prod' }), 'NOT_FOUND', /No model local:acme\/churn:nope/],
    ['an unknown version', () => gateway.post(AssignStageDocument, { model: MODEL, version: 'v7.0.0', stage: 'prod' }), 'NOT_FOUND', /no version v7\.0\.0/],
    ['a version that is not SemVer', () => gateway.post(RegisterModelVersionDocument, { model: MODEL, version: '2.0', commit: commits[2] }), 'BAD_USER_INPUT', /not valid/],
    ['a stage name GTO rejects', () => gateway.post(AssignStageDocument, { model: MODEL, version: 'v1.1.0', stage: '-prod' }), 'BAD_USER_INPUT', /not a GTO stage name/],
    ['a second version on a commit', () => gateway.post(RegisterModelVersionDocument, { model: MODEL, version: 'v5.0.0', commit: commits[0] }), 'BAD_USER_INPUT', /one version per commit/],
    ['a malformed model ref', () => gateway.post(DeprecateModelDocument, { model: 'churn' }), 'BAD_USER_INPUT', /not a model ref/],
  ])('refuses %s with a coded error and writes no tag', async (_what, send, code, message) => {
    const before = await tagsOf(gitDir);
    const { errors } = await send();
    expect(errors?.[0]).toMatchObject({ extensions: { code }, message: expect.stringMatching(message) });
    expect(await tagsOf(gitDir)).toEqual(before);
  });

  it('says so when the gateway has no tag writer', async () => {
    const readOnly = await startMutationGateway([LocalGitSource.create({ root: join(dir.path, 'repos') })], { writer: false });
    try {
      const { errors } = await readOnly.post(AssignStageDocument, { model: MODEL, version: 'v1.1.0', stage: 'dev' });
      expect(errors?.[0]).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' }, message: expect.stringContaining('without a tag writer') });
    } finally {
      await readOnly.close();
    }
  });
});

describe('a tag-writing mutation on GitHub (the simulator) with the caller\'s token header', () => {
  const dir = useTempDir('modelgate-mutations-github');
  let sim: HostSimulator;
  let gateway: MutationGateway;
  let gitDir: string;

  beforeAll(async () => {
    const repo = await createRepo(join(dir.path, 'repos'), 'acme/vision');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  yolo:\n    path: yolo.pt\n' });
    await repo.commit('v1', { date: '2025-01-10T09:00:00+01:00' });
    await repo.tag('yolo@v1.0.0', { message: 'Yolo v1', date: '2025-01-10T10:00:00+01:00' });
    gitDir = repo.gitDir;
    sim = await HostSimulator.start({ reposDir: join(dir.path, 'repos'), tokens: { indexer: { readOnly: true }, writer: { name: 'wanda' }, reader: { readOnly: true } } });
    const source = GitHubSource.create({
      baseUrl: sim.githubUrl,
      repos: ['acme/vision'],
      client: (onRequest) => createGitHubClient({ baseUrl: sim.githubUrl, token: 'indexer', onRequest }),
      writeClient: (token) => createGitHubClient({ baseUrl: sim.githubUrl, token, minPostIntervalMs: 0, retries: 0 }),
    });
    gateway = await startMutationGateway([source]);
  });

  afterAll(async () => {
    await gateway?.close();
    await sim?.close();
  });

  const promote = { model: 'github:acme/vision:yolo', version: 'v1.0.0', stage: 'prod' };

  it('needs the X-Modelgate-Token-github header, and writes nothing without it', async () => {
    const { errors } = await gateway.post(AssignStageDocument, promote);
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringContaining('send X-Modelgate-Token-github') });
    expect(await tagsOf(gitDir)).toEqual(['yolo@v1.0.0']);
  });

  it('refuses a token that may only read, and writes nothing', async () => {
    const { errors } = await gateway.post(AssignStageDocument, promote, { 'x-modelgate-token-github': 'reader' });
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringContaining('may not create tags in acme/vision') });
    expect(await tagsOf(gitDir)).toEqual(['yolo@v1.0.0']);
  });

  it('writes the tag as the caller and answers the new stage', async () => {
    const { data, errors } = await gateway.post(AssignStageDocument, promote, { 'x-modelgate-token-github': 'writer' });
    expect(errors).toBeUndefined();
    expect(data?.assignStage).toMatchObject({ stages: ['prod'], model: { stages: [{ stage: 'prod', tag: 'yolo#prod#1' }] } });
    expect(await git(gitDir, ['for-each-ref', '--format=%(objecttype) %(taggername) %(contents)', 'refs/tags/yolo#prod#1'])).toBe('tag wanda Assigning stage prod to artifact yolo version v1.0.0');
  });
});
