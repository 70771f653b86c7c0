import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildDemoRepositories } from '../src/demo/index.js';
import { useTempDir } from './support/gitRepo.js';
import { startTestGateway } from './support/testGateway.js';
import type { TestGateway } from './support/testGateway.js';

/*
 * The README's examples are promises: every query it shows with an answer is run against
 * the demo registry and must give exactly that answer.
 */

interface Example {
  query: string;
  answer: unknown;
}

/** Each `curl … -d '{"query": …}'` or ```graphql block followed by its ```json answer. */
function examplesOf(readme: string): Example[] {
  const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] ?? '', body: m[2] ?? '' }));
  const examples: Example[] = [];
  blocks.forEach((block, i) => {
    const next = blocks[i + 1];
    if (next?.lang !== 'json') return;
    let query: string | undefined;
    if (block.lang === 'graphql') query = block.body;
    if (block.lang === 'sh' && block.body.includes('/graphql')) {
      const payload = /-d '([\s\S]*?)'/.exec(block.body)?.[1];
      if (payload) query = (JSON.parse(payload) as { query: string }).query;
    }
    if (query) examples.push({ query, answer: JSON.parse(next.body) as unknown });
  });
  return examples;
}

const isMutation = (query: string) => /^\s*mutation\b/.test(query);

describe('README examples', () => {
  const dir = useTempDir('modelgate-readme');
  let gateway: TestGateway;
  let examples: Example[] = [];

  beforeAll(async () => {
    examples = examplesOf(await readFile(new URL('../README.md', import.meta.url), 'utf8'));
    await buildDemoRepositories(join(dir.path, 'demo'));
    gateway = await startTestGateway(join(dir.path, 'demo'));
    await gateway.index();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('shows at least the first query, the models list and the serving provenance', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it('answers every documented query with exactly the documented answer', async () => {
    for (const example of examples.filter((e) => !isMutation(e.query))) {
      const response = await gateway.raw(example.query);
      expect({ query: example.query, response }).toEqual({ query: example.query, response: example.answer });
    }
  });

  it('answers the documented mutations, in order, on a demo of their own, with exactly the documented answers', async () => {
    const mutations = examples.filter((e) => isMutation(e.query));
    expect(mutations.length).toBeGreaterThanOrEqual(2);
    // A copy of the demo the mutations may change (they write tags), apart from the one the queries read.
    await buildDemoRepositories(join(dir.path, 'demo-written'));
    const writable = await startTestGateway(join(dir.path, 'demo-written'), { writer: true });
    try {
      await writable.index();
      for (const example of mutations) {
        const response = await writable.raw(example.query);
        expect({ query: example.query, response }).toEqual({ query: example.query, response: example.answer });
      }
    } finally {
      await writable.close();
    }
  }, 30_000);
});
