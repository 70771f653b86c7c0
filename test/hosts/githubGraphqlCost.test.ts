import { beforeAll, describe, expect, it } from '@jest/globals';
import { getOperationAST, getVariableValues, parse, validate } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { computeQueryCost, nodeLimitError } from '../../src/hosts/github/graphqlCost.js';
import { loadGitHubSchema } from '../../src/hosts/github/graphqlSchema.js';

let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await loadGitHubSchema();
});

/** The cost of a query GitHub's schema accepts (the test fails on an invalid one). */
function costOf(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  expect(validate(schema, document).map((e) => e.message)).toEqual([]);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) throw coerced.errors[0];
  return computeQueryCost(schema, document, operation, coerced.coerced);
}

describe("GitHub's GraphQL cost and node count (computeQueryCost)", () => {
  // The examples of docs.github.com "Rate limits and node limits for the GraphQL API".
  it('counts 50 repositories × 10 issues as 550 nodes, 51 requests, 1 point (the docs’ first node example)', () => {
    const cost = costOf(`query {
      viewer { repositories(first: 50) { edges { repository: node { name
        issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } }
    }`);
    expect(cost).toMatchObject({ nodeCount: 550, requestCount: 51, cost: 1 });
  });

  it('counts the docs’ second node example (pull requests, issues, comments, followers) as 22,060 nodes', () => {
    const cost = costOf(`query {
      viewer {
        repositories(first: 50) { edges { repository: node { name
          pullRequests(first: 20) { edges { pullRequest: node { title
            comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
          issues(first: 20) { totalCount edges { issue: node { title bodyHTML
            comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
        } } }
        followers(first: 10) { edges { follower: node { login } } }
      }
    }`);
    // Requests: 1 + 50 + 50 × 20 + 50 + 50 × 20 + 1 = 2,102 → 21 points.
    expect(cost).toMatchObject({ nodeCount: 22_060, requestCount: 2102, cost: 21 });
  });

  it('charges the docs’ cost example (100 repositories × 50 issues × 60 labels) 5,101 requests, 51 points', () => {
    const cost = costOf(`query {
      viewer { login repositories(first: 100) { edges { node { id
        issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } }
    }`);
    expect(cost).toMatchObject({ nodeCount: 305_100, requestCount: 5101, cost: 51 });
  });

  it('charges 20 aliased repositories with refs(first: 100) 1 point for 2,000 nodes', () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `r${i}: repository(owner: "acme", name: "m${i}") { ...R }`).join('\n');
    const cost = costOf(`fragment R on Repository {
      defaultBranchRef { name }
      dvcYaml: object(expression: "HEAD:dvc.yaml") { ... on Blob { text } }
      refs(refPrefix: "refs/tags/", first: 100) { nodes { name target { ... on Tag { message } } } }
    }
    query { rateLimit { cost } ${aliases} }`);
    expect(cost).toMatchObject({ nodeCount: 2000, requestCount: 20, cost: 1, rateLimitOnly: false, dryRun: false });
  });

  it('rounds to the nearest point: 149 requests cost 1, 150 cost 2', () => {
    const repositories = (n: number) => Array.from({ length: n }, (_, i) => `r${i}: repository(owner: "a", name: "b") { refs(refPrefix: "refs/tags/", first: 1) { totalCount } }`).join('\n');
    expect(costOf(`{ ${repositories(149)} }`).cost).toBe(1);
    expect(costOf(`{ ${repositories(150)} }`).cost).toBe(2);
  });

  it('counts a field spread by two fragments once, skips @skip(if: true), and reads page sizes from variables', () => {
    const cost = costOf(
      `query($n: Int!, $no: Boolean!) {
        repository(owner: "a", name: "b") {
          ...A ...B
          skipped: refs(refPrefix: "refs/heads/", first: 100) @skip(if: $no) { totalCount }
        }
      }
      fragment A on Repository { refs(refPrefix: "refs/tags/", first: $n) { nodes { name } } }
      fragment B on Repository { refs(refPrefix: "refs/tags/", first: $n) { totalCount } }`,
      { n: 30, no: true },
    );
    expect(cost).toMatchObject({ nodeCount: 30, requestCount: 1 });
  });

  it('takes the most expensive type branch below an abstract type, and counts nodes(ids:) by its ids', () => {
    const cost = costOf(`{
      nodes(ids: ["a", "b"]) {
        ... on Repository { refs(refPrefix: "refs/tags/", first: 10) { nodes { name } } }
        ... on Commit { history(first: 30) { nodes { oid } } }
      }
    }`);
    // 2 nodes + max(2 × 10 refs, 2 × 30 commits); 1 request for the ids + 2 for the larger branch.
    expect(cost).toMatchObject({ nodeCount: 62, requestCount: 3, cost: 1 });
  });

  it('marks a rateLimit-only query (charged nothing) and a dry run', () => {
    expect(costOf('{ rateLimit { remaining } }')).toMatchObject({ rateLimitOnly: true, dryRun: false, cost: 1 });
    expect(costOf('{ rateLimit(dryRun: true) { cost } viewer { login } }')).toMatchObject({ rateLimitOnly: false, dryRun: true });
  });

  it('names the first connection that alone passes 500,000 nodes, else reports the total', () => {
    const deep = costOf(`{ viewer { repositories(first: 100) { nodes {
      issues(first: 100) { nodes { labels(first: 100) { nodes { name } } } } } } } }`);
    expect(nodeLimitError(deep)).toEqual({
      type: 'MAX_NODE_LIMIT_EXCEEDED',
      locations: [{ line: 2, column: 36 }],
      message: 'By the time this query traverses to the labels connection, it is requesting up to 1,000,000 possible nodes which exceeds the maximum limit of 500,000.',
    });
    const wide = costOf(`{ ${Array.from({ length: 50 }, (_, i) => `r${i}: viewer { repositories(first: 100) { nodes { issues(first: 100) { totalCount } } } }`).join(' ')} }`);
    expect(wide.nodeCount).toBe(50 * 10_100);
    expect(nodeLimitError(wide)).toEqual({
      type: 'MAX_NODE_LIMIT_EXCEEDED',
      message: 'This query requests up to 505,000 possible nodes which exceeds the maximum limit of 500,000.',
    });
  });
});
