import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { Octokit } from '@octokit/rest';
import { createGitHubGraphQLHandler } from '../../src/hosts/github/graphql.js';
import type { GitHubGraphQLOptions, GraphQLRateLimit } from '../../src/hosts/github/graphql.js';
import { createSimGit } from '../../src/hosts/simGit.js';
import type { SimGit } from '../../src/hosts/types.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';

/** The research note's worked example (§2.4), verbatim but for the repositories asked for. */
const INDEX_QUERY = `
fragment BlobText on GitObject {
  ... on Blob { oid byteSize isBinary isTruncated text }
}
fragment RegistryRepo on Repository {
  id
  nameWithOwner
  isPrivate
  viewerPermission
  pushedAt
  defaultBranchRef { name target { oid ... on Commit { committedDate } } }
  dvcYaml:   object(expression: "HEAD:dvc.yaml")      { ...BlobText }
  dvcLock:   object(expression: "HEAD:dvc.lock")      { ...BlobText }
  params:    object(expression: "HEAD:params.yaml")   { ...BlobText }
  artifacts: object(expression: "HEAD:artifacts.yaml"){ ...BlobText }
  tags: refs(refPrefix: "refs/tags/", first: 100,
             orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      name
      target {
        __typename oid
        ... on Tag {
          message
          tagger { name email date }
          target { __typename oid ... on Commit { committedDate } }
        }
        ... on Commit { committedDate author { name email date } }
      }
    }
  }
}
query Index {
  rateLimit { cost remaining resetAt nodeCount }
  r00: repository(owner: "acme", name: "churn") { ...RegistryRepo }
  r01: repository(owner: "acme", name: "vision") { ...RegistryRepo }
  r02: repository(owner: "acme", name: "nope") { ...RegistryRepo }
}`;

/** A GraphQL answer: checked by `toEqual` against literal shapes, so the compiler need not know it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Answer = Record<string, any>;

interface Sim {
  url: string;
  octokit(token?: string): Octokit;
  close(): Promise<void>;
}

/** The handler alone in an express app on port 0, queried by the real Octokit as a GitHub Enterprise client. */
async function startSim(options: GitHubGraphQLOptions): Promise<Sim> {
  const app = express();
  app.post('/api/graphql', createGitHubGraphQLHandler(options));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    octokit: (token = 'test-token') => new Octokit({ baseUrl: `${url}/api/v3`, auth: token, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } }),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A fixed budget per token (a stand-in for the server core's rate limiter). */
function budget(limit: number): GraphQLRateLimit & { charged: number[] } {
  const used = new Map<string, number>();
  const resetAt = new Date(Date.UTC(2030, 0, 1));
  const charged: number[] = [];
  return {
    limit,
    charged,
    take(token, cost) {
      const spent = used.get(token ?? '') ?? 0;
      if (spent + cost > limit || (cost > 0 && spent >= limit)) return { remaining: limit - spent, used: spent, resetAt, ok: false };
      used.set(token ?? '', spent + cost);
      charged.push(cost);
      return { remaining: limit - spent - cost, used: spent + cost, resetAt, ok: true };
    },
  };
}

/** What `octokit.graphql` throws for a response with `errors`. */
interface GraphqlResponseError {
  name: string;
  errors: { type?: string; path?: (string | number)[]; message: string; locations?: unknown; extensions?: Record<string, unknown> }[];
  data: Record<string, unknown> | null | undefined;
  headers: Record<string, string>;
}

async function failure(promise: Promise<unknown>): Promise<GraphqlResponseError> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).name).toBe('GraphqlResponseError');
    return error as GraphqlResponseError;
  }
  throw new Error('expected the query to fail');
}

describe('GitHub GraphQL simulator (createGitHubGraphQLHandler)', () => {
  const dir = useTempDir('modelgate-github-graphql');
  let git: SimGit;
  let sim: Sim;
  const counted: [string, string | undefined][] = [];
  const sha: Record<string, string> = {};
  const bigText = 'abcdefghij'.repeat(60_000); // 600,000 bytes
  const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255]);

  beforeAll(async () => {
    const churn = await createRepo(dir.path, 'acme/churn');
    await churn.write({ 'dvc.yaml': 'stages: {}\n# v1\n', 'dvc.lock': 'schema: "2.0"\n', 'models/churn.txt': 'weights v1\n', 'data/logo.png': binary });
    sha.c1 = await churn.commit('First model\n\nTrained on January data.', { date: '2025-01-01T00:00:00+02:00' });
    sha.tag1 = await churn.tag('churn@v1.0.0', { message: 'Registered churn v1.0.0', date: '2025-01-01T01:00:00+02:00' });
    await churn.lightweightTag('light');
    await churn.write({ 'dvc.yaml': 'stages: {}\n# v2\n', 'big.txt': bigText });
    sha.c2 = await churn.commit('Second model', { date: '2025-01-02T00:00:00Z' });
    sha.tag2 = await churn.tag('churn#prod#1', { message: 'Promote to prod', date: '2025-01-03T00:00:00Z' });

    const vision = await createRepo(dir.path, 'acme/vision');
    await vision.write({ 'dvc.yaml': 'stages: {}\n' });
    sha.v1 = await vision.commit('Vision', { date: '2025-02-01T00:00:00Z' });

    const many = await createRepo(dir.path, 'acme/many-tags');
    const [commit] = await many.commitMany([{ message: 'one', date: '2025-01-01T00:00:00Z', files: { 'a.txt': 'a\n' } }]);
    sha.many = commit ?? '';
    await many.tagMany(
      Array.from({ length: 150 }, (_, i) => ({ name: `m@v1.0.${String(i).padStart(3, '0')}`, commit: sha.many ?? '', message: `v${i}`, date: '2025-01-01T00:00:00Z' })),
    );

    await createRepo(dir.path, 'acme/secret').then(async (secret) => {
      await secret.write({ 'x.txt': 'x\n' });
      await secret.commit('x', { date: '2025-01-01T00:00:00Z' });
    });

    git = createSimGit(dir.path);
    sim = await startSim({
      git,
      canRead: (token, path) => path !== 'acme/secret' || token === 'admin',
      count: (name, repoPath) => counted.push([name, repoPath]),
    });
  });

  afterAll(async () => {
    await sim?.close();
    await git?.close();
  });

  it('answers the batched index query for several repositories, with null and a NOT_FOUND error for the missing one', async () => {
    counted.length = 0;
    const error = await failure(sim.octokit().graphql(INDEX_QUERY));

    expect(error.errors).toEqual([
      { type: 'NOT_FOUND', path: ['r02'], locations: [{ line: 38, column: 3 }], message: "Could not resolve to a Repository with the name 'acme/nope'." },
    ]);
    const data = error.data as Answer;
    expect(data.r02).toBeNull();
    expect(data.rateLimit).toMatchObject({ cost: 1, nodeCount: 300, remaining: 5000 });
    expect(data.r00).toMatchObject({
      nameWithOwner: 'acme/churn',
      isPrivate: false,
      viewerPermission: 'ADMIN',
      pushedAt: '2025-01-02T00:00:00Z',
      defaultBranchRef: { name: 'main', target: { oid: sha.c2, committedDate: '2025-01-02T00:00:00Z' } },
      dvcYaml: { byteSize: 16, isBinary: false, isTruncated: false, text: 'stages: {}\n# v2\n' },
      dvcLock: { text: 'schema: "2.0"\n' },
      params: null,
      artifacts: null,
    });
    expect(data.r00.id).toMatch(/^R_/);
    // Newest tagged commit first; the two tags of the first commit by name, reversed.
    expect(data.r00.tags).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      nodes: [
        {
          name: 'churn#prod#1',
          target: {
            __typename: 'Tag',
            oid: sha.tag2,
            message: 'Promote to prod\n',
            tagger: { name: 'Modelgate Demo', email: 'demo@modelgate.invalid', date: '2025-01-03T00:00:00+00:00' },
            target: { __typename: 'Commit', oid: sha.c2, committedDate: '2025-01-02T00:00:00Z' },
          },
        },
        { name: 'light', target: { __typename: 'Commit', oid: sha.c1, committedDate: '2024-12-31T22:00:00Z', author: { name: 'Modelgate Demo', email: 'demo@modelgate.invalid', date: '2025-01-01T00:00:00+02:00' } } },
        { name: 'churn@v1.0.0', target: expect.objectContaining({ __typename: 'Tag', oid: sha.tag1, tagger: expect.objectContaining({ date: '2025-01-01T01:00:00+02:00' }) }) },
      ],
    });
    expect(data.r01).toMatchObject({ nameWithOwner: 'acme/vision', dvcLock: null, tags: { totalCount: 0, nodes: [] } });
    expect(counted).toEqual([
      ['POST /graphql', undefined],
      ['POST /graphql repository', 'acme/churn'],
      ['POST /graphql repository', 'acme/vision'],
    ]);
  });

  it('tells annotated tags (Tag, with message and tagger) from lightweight ones (Commit)', async () => {
    const data = await sim.octokit().graphql<Answer>(`{
      repository(owner: "acme", name: "churn") {
        refs(refPrefix: "refs/tags/", first: 10) {
          nodes { name prefix target { __typename oid ... on Tag { name message tagger { date } target { oid } } ... on Commit { messageHeadline messageBody } } }
        }
      }
    }`);
    expect(data.repository.refs.nodes).toEqual([
      { name: 'churn#prod#1', prefix: 'refs/tags/', target: { __typename: 'Tag', oid: sha.tag2, name: 'churn#prod#1', message: 'Promote to prod\n', tagger: { date: '2025-01-03T00:00:00+00:00' }, target: { oid: sha.c2 } } },
      { name: 'churn@v1.0.0', prefix: 'refs/tags/', target: { __typename: 'Tag', oid: sha.tag1, name: 'churn@v1.0.0', message: 'Registered churn v1.0.0\n', tagger: { date: '2025-01-01T01:00:00+02:00' }, target: { oid: sha.c1 } } },
      { name: 'light', prefix: 'refs/tags/', target: { __typename: 'Commit', oid: sha.c1, messageHeadline: 'First model', messageBody: 'Trained on January data.' } },
    ]);
  });

  it('reads files at HEAD, at a tag, at a commit SHA, and directories, through object(expression:) and object(oid:)', async () => {
    const data = await sim.octokit().graphql<Answer>(
      `query($c1: GitObjectID!, $expr: String!) {
        repository(owner: "acme", name: "churn") {
          head: object(expression: "HEAD:dvc.yaml") { ... on Blob { text } }
          atTag: object(expression: "churn@v1.0.0:dvc.yaml") { ... on Blob { text } }
          atFullTagRef: object(expression: "refs/tags/churn@v1.0.0:dvc.yaml") { ... on Blob { text } }
          atSha: object(expression: $expr) { ... on Blob { oid text } }
          missing: object(expression: "HEAD:nope.yaml") { oid }
          badRev: object(expression: "nope:dvc.yaml") { oid }
          dir: object(expression: "HEAD:models") { __typename ... on Tree { entries { name path type mode oid object { ... on Blob { byteSize } } } } }
          root: object(expression: "HEAD:") { ... on Tree { entries { name type } } }
          tag: object(expression: "churn@v1.0.0") { __typename ... on Tag { name } }
          commit: object(oid: $c1) { __typename ... on Commit { oid messageHeadline parents(first: 5) { totalCount } tree { oid } file(path: "models/churn.txt") { name path extension lineCount object { ... on Blob { text } } } } }
        }
      }`,
      { c1: sha.c1, expr: `${sha.c1}:dvc.yaml` },
    );
    const repo = data.repository;
    expect(repo.head.text).toBe('stages: {}\n# v2\n');
    expect(repo.atTag.text).toBe('stages: {}\n# v1\n');
    expect(repo.atFullTagRef.text).toBe('stages: {}\n# v1\n');
    expect(repo.atSha.text).toBe('stages: {}\n# v1\n');
    expect(repo.missing).toBeNull();
    expect(repo.badRev).toBeNull();
    expect(repo.dir).toEqual({
      __typename: 'Tree',
      entries: [{ name: 'churn.txt', path: 'models/churn.txt', type: 'blob', mode: 0o100644, oid: expect.stringMatching(/^[0-9a-f]{40}$/), object: { byteSize: 11 } }],
    });
    expect(repo.root.entries.map((e: { name: string }) => e.name)).toEqual(['big.txt', 'data', 'dvc.lock', 'dvc.yaml', 'models']);
    expect(repo.tag).toEqual({ __typename: 'Tag', name: 'churn@v1.0.0' });
    expect(repo.commit).toMatchObject({
      __typename: 'Commit',
      oid: sha.c1,
      messageHeadline: 'First model',
      parents: { totalCount: 0 },
      file: { name: 'churn.txt', path: 'models/churn.txt', extension: '.txt', lineCount: 1, object: { text: 'weights v1\n' } },
    });
  });

  it('gives a binary blob null text, and cuts text at 512,000 bytes with isTruncated', async () => {
    const data = await sim.octokit().graphql<Answer>(`{
      repository(owner: "acme", name: "churn") {
        png: object(expression: "HEAD:data/logo.png") { ... on Blob { byteSize isBinary isTruncated text } }
        big: object(expression: "HEAD:big.txt") { ... on Blob { byteSize isBinary isTruncated text } }
      }
    }`);
    expect(data.repository.png).toEqual({ byteSize: 9, isBinary: true, isTruncated: false, text: null });
    const { big } = data.repository;
    expect({ ...big, text: big.text.length }).toEqual({ byteSize: 600_000, isBinary: false, isTruncated: true, text: 512_000 });
    expect(big.text).toBe(bigText.slice(0, 512_000));
  });

  it('pages refs with cursors: first/after forward, last/before backward, totalCount of all', async () => {
    const page = (args: string) =>
      sim.octokit().graphql<Answer>(`{ repository(owner: "acme", name: "many-tags") { refs(refPrefix: "refs/tags/", ${args}) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } } } } }`);
    const first = (await page('first: 100')).repository.refs;
    expect(first.totalCount).toBe(150);
    expect(first.edges).toHaveLength(100);
    expect(first.edges[0].node.name).toBe('m@v1.0.000');
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, endCursor: first.edges[99].cursor });

    const second = (await page(`first: 100, after: ${JSON.stringify(first.pageInfo.endCursor)}`)).repository.refs;
    expect(second.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(Array.from({ length: 50 }, (_, i) => `m@v1.0.${String(100 + i)}`));
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const back = (await page(`last: 3, before: ${JSON.stringify(second.pageInfo.startCursor)}`)).repository.refs;
    expect(back.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['m@v1.0.097', 'm@v1.0.098', 'm@v1.0.099']);

    const filtered = (await page('first: 5, query: "v1.0.14"')).repository.refs;
    expect(filtered.totalCount).toBe(10);

    const error = await failure(page('first: 1, after: "bm9wZQ"'));
    expect(error.errors[0]).toMatchObject({ type: 'INVALID_CURSOR_ARGUMENTS', path: ['repository', 'refs'] });
  });

  it("rejects what GitHub's schema rejects, with GitHub's wording, before running anything", async () => {
    counted.length = 0;
    const unknownField = await failure(sim.octokit().graphql('{ repository(owner: "acme", name: "churn") { nope } }'));
    expect(unknownField.data).toBeUndefined();
    expect(unknownField.errors).toEqual([
      {
        path: ['query', 'repository', 'nope'],
        extensions: { code: 'undefinedField', typeName: 'Repository', fieldName: 'nope' },
        locations: [{ line: 1, column: 46 }],
        message: "Field 'nope' doesn't exist on type 'Repository'",
      },
    ]);

    const wrongType = await failure(sim.octokit().graphql('query Q { repository(owner: "acme", name: "churn") { refs(refPrefix: "refs/tags/", first: "ten") { totalCount } } }'));
    expect(wrongType.errors).toEqual([
      expect.objectContaining({
        path: ['query Q', 'repository', 'refs', 'first'],
        extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: 'first' },
        message: `Argument 'first' on Field 'refs' has an invalid value ("ten"). Expected type 'Int'.`,
      }),
    ]);

    const missingArgument = await failure(sim.octokit().graphql('{ repository(owner: "acme") { name } }'));
    expect(missingArgument.errors[0]?.message).toBe("Field 'repository' is missing required arguments: name");

    const unclosed = await failure(sim.octokit().graphql('{ repository(owner: "acme", name: "churn") { name }'));
    expect(unclosed.errors[0]?.message).toBe('Unexpected end of document');
    const stray = await failure(sim.octokit().graphql('{ repository(owner: "acme", name: "churn") { name } } }'));
    expect(stray.errors[0]).toEqual({ locations: [{ line: 1, column: 55 }], message: 'Parse error on "}" (RCURLY) at [1, 55]' });
    expect(counted.filter(([name]) => name !== 'POST /graphql')).toEqual([]);
  });

  it('requires first or last on a connection whose items are selected, and at most 100, failing only that field', async () => {
    const missing = await failure(
      sim.octokit().graphql(`{
        a: repository(owner: "acme", name: "churn") { refs(refPrefix: "refs/tags/") { nodes { name } } }
        b: repository(owner: "acme", name: "churn") { refs(refPrefix: "refs/tags/") { totalCount } }
      }`),
    );
    expect(missing.errors).toEqual([
      {
        type: 'MISSING_PAGINATION_BOUNDARIES',
        path: ['a', 'refs'],
        locations: [{ line: 2, column: 55 }],
        message: 'You must provide a `first` or `last` value to properly paginate the `refs` connection.',
      },
    ]);
    expect(missing.data).toEqual({ a: { refs: null }, b: { refs: { totalCount: 3 } } });

    const tooMany = await failure(sim.octokit().graphql('{ viewer { repositories(last: 101) { nodes { name } } } }'));
    expect(tooMany.errors[0]).toMatchObject({
      type: 'EXCESSIVE_PAGINATION',
      path: ['viewer', 'repositories'],
      message: 'Requesting 101 records on the `repositories` connection exceeds the `last` limit of 100 records.',
    });
  });

  it('refuses a query that may return more than 500,000 nodes, naming the connection when one alone is too big', async () => {
    const deep = await failure(
      sim.octokit().graphql(`{ organization(login: "acme") { repositories(first: 100) { nodes {
        refs(refPrefix: "refs/heads/", first: 100) { nodes { target { ... on Commit { history(first: 100) { nodes { oid } } } } } } } } } }`),
    );
    expect(deep.data).toBeUndefined();
    expect(deep.errors).toEqual([
      {
        type: 'MAX_NODE_LIMIT_EXCEEDED',
        locations: [{ line: 2, column: 87 }],
        message: 'By the time this query traverses to the history connection, it is requesting up to 1,000,000 possible nodes which exceeds the maximum limit of 500,000.',
      },
    ]);

    // 50 aliases × (100 refs + 100 × 100 commits) = 505,000: no single connection is too big, the sum is.
    const wide = Array.from({ length: 50 }, (_, i) => `r${i}: repository(owner: "acme", name: "churn") { ...F }`).join('\n');
    const summed = await failure(
      sim.octokit().graphql(`fragment F on Repository { refs(refPrefix: "refs/tags/", first: 100) { nodes { target { ... on Commit { history(first: 100) { totalCount } } } } } }
      { ${wide} }`),
    );
    expect(summed.errors).toEqual([{ type: 'MAX_NODE_LIMIT_EXCEEDED', message: 'This query requests up to 505,000 possible nodes which exceeds the maximum limit of 500,000.' }]);
  });

  it("computes rateLimit's cost and node count as GitHub documents them, and charges the cost", async () => {
    const rateLimit = budget(5000);
    const charged = await startSim({ git, rateLimit });
    try {
      // 20 repositories × refs(first: 100): 20 requests → 0.2 → the minimum, 1 point; 2,000 nodes.
      const twenty = Array.from({ length: 20 }, (_, i) => `r${i}: repository(owner: "acme", name: "churn") { refs(refPrefix: "refs/tags/", first: 100) { nodes { name } } }`);
      const flat = await charged.octokit().graphql<Answer>(`{ rateLimit { cost nodeCount limit remaining used resetAt } ${twenty.join('\n')} }`);
      expect(flat.rateLimit).toEqual({ cost: 1, nodeCount: 2000, limit: 5000, remaining: 4999, used: 1, resetAt: '2030-01-01T00:00:00Z' });

      // GitHub's documented example: 100 repositories × 50 issues × 60 labels = 1 + 100 + 5,000 requests → 51 points.
      const documented = await charged.octokit().graphql<Answer>(`query {
        rateLimit(dryRun: true) { cost nodeCount }
        viewer { login repositories(first: 100) { edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } }
      }`);
      expect(documented).toEqual({ rateLimit: { cost: 51, nodeCount: 305_100 } });

      // Deeper nesting of what the simulator serves: 1 + 100 + 100 × 100 requests → 101 points.
      const deep = await charged.octokit().graphql<Answer>(`{
        rateLimit { cost nodeCount }
        organization(login: "acme") { repositories(first: 100) { nodes { refs(refPrefix: "refs/tags/", first: 100) { nodes {
          target { ... on Commit { history(first: 40) { nodes { oid } } } } } } } } }
      }`);
      expect(deep.rateLimit).toEqual({ cost: 101, nodeCount: 100 + 10_000 + 400_000 });
      expect(rateLimit.charged).toEqual([1, 0, 101]);
    } finally {
      await charged.close();
    }
  });

  it('answers RATE_LIMITED (HTTP 200, remaining 0) once the budget is spent, and charges nothing for a rateLimit-only query', async () => {
    const small = await startSim({ git, rateLimit: budget(2) });
    try {
      const octokit = small.octokit('poor');
      const query = '{ repository(owner: "acme", name: "vision") { name } }';
      await octokit.graphql(query);
      const check = await octokit.graphql<Answer>('{ rateLimit { cost remaining used } }');
      expect(check.rateLimit).toEqual({ cost: 1, remaining: 1, used: 1 });
      await octokit.graphql(query);
      const limited = await failure(octokit.graphql(query));
      expect(limited.errors).toEqual([{ type: 'RATE_LIMITED', message: expect.stringMatching(/^API rate limit exceeded for user ID \d+\.$/) }]);
      expect(limited.headers).toMatchObject({ 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '2', 'x-ratelimit-limit': '2', 'x-ratelimit-resource': 'graphql' });
      expect(Number(limited.headers['x-ratelimit-reset'])).toBe(Date.UTC(2030, 0, 1) / 1000);
      // Another token has its own budget.
      await expect(small.octokit('rich').graphql(query)).resolves.toEqual({ repository: { name: 'vision' } });
    } finally {
      await small.close();
    }
  });

  it('lists an owner\'s readable repositories with paging, and hides the others as missing', async () => {
    const data = await sim.octokit().graphql<Answer>(`{
      viewer { login }
      organization(login: "ACME") { login repositories(first: 2, orderBy: { field: NAME, direction: ASC }) { totalCount pageInfo { hasNextPage } nodes { name nameWithOwner url } } }
      user(login: "acme") { repositories(first: 10) { nodes { name } } }
    }`);
    expect(data.viewer.login).toBe('simulator');
    expect(data.organization.login).toBe('acme');
    expect(data.organization.repositories).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: true },
      nodes: [
        { name: 'churn', nameWithOwner: 'acme/churn', url: `${sim.url}/acme/churn` },
        { name: 'many-tags', nameWithOwner: 'acme/many-tags', url: `${sim.url}/acme/many-tags` },
      ],
    });
    expect(data.user.repositories.nodes.map((r: { name: string }) => r.name)).toEqual(['churn', 'many-tags', 'vision']);

    const hidden = await failure(sim.octokit().graphql('{ repository(owner: "acme", name: "secret") { name } }'));
    expect(hidden.errors[0]).toMatchObject({ type: 'NOT_FOUND', message: "Could not resolve to a Repository with the name 'acme/secret'." });
    await expect(sim.octokit('admin').graphql('{ repository(owner: "acme", name: "secret") { name } }')).resolves.toEqual({ repository: { name: 'secret' } });
  });

  it('walks commit history with cursors and a path filter, and reads nodes back by id', async () => {
    const data = await sim.octokit().graphql<Answer>(`{
      repository(owner: "acme", name: "churn") {
        id
        defaultBranchRef { id target { ... on Commit {
          all: history(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { oid committedDate } }
          dvc: history(first: 10, path: "models/churn.txt") { nodes { oid } }
        } } }
      }
    }`);
    const head = data.repository.defaultBranchRef.target;
    expect(head.all).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ oid: sha.c2, committedDate: '2025-01-02T00:00:00Z' }] });
    expect(head.dvc.nodes).toEqual([{ oid: sha.c1 }]);
    const next = await sim.octokit().graphql<Answer>(
      `query($after: String) { repository(owner: "acme", name: "churn") { object(expression: "main") { ... on Commit { history(first: 5, after: $after) { nodes { oid } pageInfo { hasNextPage } } } } } }`,
      { after: head.all.pageInfo.endCursor },
    );
    expect(next.repository.object.history).toEqual({ nodes: [{ oid: sha.c1 }], pageInfo: { hasNextPage: false } });

    const nodes = await sim.octokit().graphql<Answer>(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Repository { nameWithOwner } ... on Ref { name } } }`, {
      ids: [data.repository.id, data.repository.defaultBranchRef.id],
    });
    expect(nodes.nodes).toEqual([
      { __typename: 'Repository', nameWithOwner: 'acme/churn' },
      { __typename: 'Ref', name: 'main' },
    ]);
  });

  it('fails a non-null field it does not simulate with a NOT_SIMULATED error, and answers null for nullable ones', async () => {
    const error = await failure(sim.octokit().graphql('{ repository(owner: "acme", name: "churn") { description licenseInfo { name } diskUsage issues(first: 1) { totalCount } } }'));
    expect(error.errors).toEqual([expect.objectContaining({ type: 'NOT_SIMULATED', path: ['repository', 'issues'], message: expect.stringMatching(/^Repository\.issues is not simulated/) })]);
    expect(error.data).toEqual({ repository: null });
  });
});
