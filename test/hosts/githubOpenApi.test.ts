import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { HostSimulator } from '../../src/hosts/index.js';
import { useTempDir } from '../support/gitRepo.js';
import { buildSimRepos } from './simRepos.js';
import type { SimRepos } from './simRepos.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** GitHub Enterprise Server 3.19's OpenAPI description, loaded once (about 11 MB). */
const SPEC = createRequire(import.meta.url).resolve('@octokit/openapi/generated/ghes-3.19.json');

/**
 * OpenAPI 3.0's `nullable: true` next to `oneOf`/`allOf` without a `type` (GitHub's `commit.author`)
 * is not JSON Schema; Ajv understands `nullable` only beside `type`. Such schemas become
 * `anyOf: [schema, {type: "null"}]`.
 */
function openApiNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiNullable);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>).map(([key, value]) => [key, openApiNullable(value)] as const);
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  if (object.nullable === true && object.type === undefined) {
    const { nullable: _nullable, ...rest } = object;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return object;
}

describe('GitHub REST answers against GitHub\'s OpenAPI description (GHES 3.19)', () => {
  const dir = useTempDir('modelgate-sim-openapi');
  let repos: SimRepos;
  let sim: HostSimulator;
  let ajv: Ajv;
  const compiled = new Map<string, ValidateFunction>();

  /** The response schema `components/schemas/<name>` (or an array of it), compiled on first use. */
  const schema = (name: string, array = false): ValidateFunction => {
    const key = `${name}${array ? '[]' : ''}`;
    let validate = compiled.get(key);
    if (!validate) {
      const ref = { $ref: `ghes#/components/schemas/${name}` };
      validate = ajv.compile(array ? { type: 'array', items: ref } : ref);
      compiled.set(key, validate);
    }
    return validate;
  };
  const get = async (path: string, accept = 'application/vnd.github.v3+json'): Promise<unknown> => {
    const response = await fetch(`${sim.githubUrl}${path}`, { headers: { authorization: 'token t', accept } });
    expect(response.status).toBe(200);
    return response.json();
  };
  const expectValid = (validate: ValidateFunction, data: unknown) => {
    const ok = validate(data);
    expect(ok ? [] : validate.errors?.slice(0, 5)).toEqual([]);
  };

  beforeAll(async () => {
    repos = await buildSimRepos(dir.path);
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { t: { name: 'ada' } } });
    const spec = JSON.parse(await readFile(SPEC, 'utf8')) as { components: unknown };
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'ghes', components: openApiNullable(spec.components) });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('validates a repository and an organisation listing', async () => {
    const repo = (await get('/repos/acme/churn')) as Record<string, unknown>;
    expectValid(schema('full-repository'), repo);
    // The validator has teeth: a wrong type or a missing required field is caught.
    expect(schema('full-repository')({ ...repo, private: 'no' })).toBe(false);
    const { default_branch: _dropped, ...withoutDefaultBranch } = repo;
    expect(schema('full-repository')(withoutDefaultBranch)).toBe(false);
    expectValid(schema('minimal-repository', true), await get('/orgs/acme/repos?per_page=100'));
  });

  it('validates a recursive tree, a file\'s contents, a directory listing and a blob', async () => {
    const tree = (await get('/repos/acme/churn/git/trees/main?recursive=1')) as { tree: { path: string; sha: string }[] };
    expectValid(schema('git-tree'), tree);
    expectValid(schema('content-file'), await get('/repos/acme/churn/contents/models%2Fdvc.yaml?ref=main'));
    expectValid(schema('content-directory'), await get('/repos/acme/churn/contents/models'));
    const blob = tree.tree.find((e) => e.path === 'dvc.yaml')?.sha;
    expectValid(schema('blob'), await get(`/repos/acme/churn/git/blobs/${blob}`));
  });

  it('validates refs, tag objects, commits and tags', async () => {
    expectValid(schema('git-ref', true), await get('/repos/acme/churn/git/matching-refs/tags'));
    expectValid(schema('git-ref'), await get('/repos/acme/churn/git/ref/tags%2Fchurn%40v1.0.0'));
    expectValid(schema('git-tag'), await get(`/repos/acme/churn/git/tags/${repos.churn.v1Tag}`));
    expectValid(schema('git-commit'), await get(`/repos/acme/churn/git/commits/${repos.churn.head}`));
    expectValid(schema('commit'), await get('/repos/acme/churn/commits/main'));
    expectValid(schema('branch-with-protection'), await get('/repos/acme/churn/branches/main'));
    expectValid(schema('tag', true), await get('/repos/acme/churn/tags'));
    expectValid(schema('rate-limit-overview'), await get('/rate_limit'));
  });

  it('validates error bodies as basic-error', async () => {
    const response = await fetch(`${sim.githubUrl}/repos/acme/nope`, { headers: { authorization: 'token t' } });
    expect(response.status).toBe(404);
    expectValid(schema('basic-error'), await response.json());
  });
});
