import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './buildSchema.js';

/**
 * `npm run schema:emit` writes the SDL; `npm run schema:check` fails when the committed
 * SDL differs from the code-first schema.
 */
async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const file = argv.find((a) => !a.startsWith('--')) ?? 'schema/schema.graphql';
  const sdl = `${printSchema(lexicographicSortSchema(await buildSchema()))}\n`;
  if (!check) {
    await writeFile(file, sdl);
    return 0;
  }
  const committed = await readFile(file, 'utf8').catch(() => '');
  if (committed === sdl) return 0;
  process.stderr.write(`${file} differs from the code-first schema: run \`npm run schema:emit\` and commit the result.\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
