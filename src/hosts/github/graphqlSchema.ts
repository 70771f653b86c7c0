import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildClientSchema } from 'graphql';
import type { GraphQLSchema, IntrospectionQuery } from 'graphql';

const PACKAGE = '@octokit/graphql-schema';

let loading: Promise<GraphQLSchema> | undefined;

/**
 * GitHub's published GraphQL schema (`@octokit/graphql-schema`), built once per process
 * from its introspection JSON (about 130 ms: reading and parsing 5 MB of JSON, then
 * `buildClientSchema`).
 *
 * Why the JSON and not the SDL: `buildSchema(schema.graphql)` of 15.26.1 fails SDL
 * validation (two `EnterpriseOwnerInfo` fields are declared twice) and, with
 * `assumeValidSDL`, takes twice as long. Why not `import { schema } from
 * '@octokit/graphql-schema'`: that module parses the JSON twice and builds a second schema
 * for its `validate` at import time, and its 1.3 MB of type declarations slow every type
 * check that sees the import.
 */
export function loadGitHubSchema(): Promise<GraphQLSchema> {
  loading ??= readFile(gitHubSchemaFile(), 'utf8').then((text) => {
    const json = JSON.parse(text) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
    return buildClientSchema((json.data ?? json) as IntrospectionQuery);
  });
  loading.catch(() => {
    loading = undefined; // a failed load may be retried
  });
  return loading;
}

/**
 * The package's `schema.json`, found along Node's own module search path (the package
 * exports only its entry module, so `require.resolve` of a sub-path is refused).
 */
export function gitHubSchemaFile(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(PACKAGE) ?? []) {
    const file = join(dir, ...PACKAGE.split('/'), 'schema.json');
    if (existsSync(file)) return file;
  }
  throw new Error(`GitHub's GraphQL schema was not found: expected ${PACKAGE}/schema.json in a node_modules folder; run npm install.`);
}
