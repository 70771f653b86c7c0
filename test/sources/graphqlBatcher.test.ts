import { describe, expect, it } from '@jest/globals';
import { BatchError, GraphqlBatcher } from '../../src/sources/github/GraphqlBatcher.js';
import type { BatchPiece, GraphqlErrorEntry, GraphqlSend } from '../../src/sources/github/GraphqlBatcher.js';

/** A recording host: answers each repository's `fN: object(oid:)` field from `answer`, and keeps every query. */
function recordingHost(answer: (owner: string, name: string, oid: string) => unknown, errorsFor: (data: Record<string, unknown>) => GraphqlErrorEntry[] = () => []) {
  const sent: { query: string; variables: Record<string, unknown> }[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const send: GraphqlSend = async (query, variables) => {
    sent.push({ query, variables });
    if (hold) await new Promise<void>((resolve) => (release = resolve));
    const data: Record<string, unknown> = {};
    // Each repository field runs up to the next one.
    for (const segment of query.split(/\n\s*(?=r\d+: repository\()/).slice(1)) {
      const [, alias = '', ownerVar = '', nameVar = ''] = /^(r\d+): repository\(owner: \$(v\d+), name: \$(v\d+)\)/.exec(segment) ?? [];
      const owner = String(variables[ownerVar]);
      const name = String(variables[nameVar]);
      const fields: Record<string, unknown> = {};
      for (const field of segment.matchAll(/(f\d+): object\(oid: \$(v\d+)\)/g)) fields[field[1] as string] = answer(owner, name, String(variables[field[2] as string]));
      data[alias] = owner === 'missing' ? null : fields;
    }
    return { data, errors: errorsFor(data) };
  };
  return {
    send,
    sent,
    holdNext: () => {
      hold = true;
    },
    release: () => {
      hold = false;
      release?.();
    },
  };
}

function piece(owner: string, name: string, oid: string, weight = 1): BatchPiece {
  return { owner, name, weight, field: (alias, v) => `${alias}: object(oid: ${v('GitObjectID!', oid)}) { __typename }` };
}

describe('GraphqlBatcher', () => {
  it('sends the pieces asked in one tick as one query, one repository field per repository', async () => {
    const host = recordingHost((owner, name, oid) => ({ id: `${owner}/${name}@${oid}` }));
    const batcher = new GraphqlBatcher(host.send, { maxWeight: 100, maxInFlight: 2 });
    const answers = await Promise.all([piece('a', 'one', '1'), piece('b', 'two', '2'), piece('a', 'one', '3')].map((p) => batcher.request(p)));
    expect(answers).toEqual([{ id: 'a/one@1' }, { id: 'b/two@2' }, { id: 'a/one@3' }]);
    expect(host.sent).toHaveLength(1);
    expect(host.sent[0]?.query.match(/: repository\(/g)).toHaveLength(2);
    // Values travel as variables, never spliced into the text.
    expect(host.sent[0]?.query).not.toContain('one');
  });

  it('splits pieces into queries by weight', async () => {
    const host = recordingHost(() => ({}));
    const batcher = new GraphqlBatcher(host.send, { maxWeight: 10, maxInFlight: 4 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.request(piece('a', 'r', String(i), 3))));
    // 3 + 3 + 3 fit in 10; 7 pieces of 3 are three queries.
    expect(host.sent.map((s) => s.query.match(/object\(/g)?.length)).toEqual([3, 3, 1]);
  });

  it('gathers what is asked while a query runs into the next query', async () => {
    const host = recordingHost(() => ({}));
    const batcher = new GraphqlBatcher(host.send, { maxWeight: 100, maxInFlight: 2 });
    host.holdNext();
    const first = batcher.request(piece('a', 'r', 'first'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(host.sent).toHaveLength(1);
    // A partial query waits while one is in flight, so these three go together afterwards.
    const later = [batcher.request(piece('a', 'r', 'x')), batcher.request(piece('b', 'r', 'y'))];
    await new Promise((resolve) => setImmediate(resolve));
    const third = batcher.request(piece('c', 'r', 'z'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(host.sent).toHaveLength(1);
    host.release();
    await Promise.all([first, ...later, third]);
    expect(host.sent.map((s) => s.query.match(/object\(/g)?.length)).toEqual([1, 3]);
  });

  it('fails only the pieces of a missing repository, and only the piece whose field failed', async () => {
    const host = recordingHost(
      () => ({ ok: true }),
      (data) =>
        Object.entries(data).flatMap(([alias, value]): GraphqlErrorEntry[] => {
          if (value === null) return [{ type: 'NOT_FOUND', path: [alias], message: "Could not resolve to a Repository with the name 'missing/x'." }];
          const fields = Object.keys(value as object);
          return alias === 'r2' && fields[0] ? [{ type: 'SERVICE_UNAVAILABLE', path: [alias, fields[0], 'text'], message: 'timed out reading that blob' }] : [];
        }),
    );
    const batcher = new GraphqlBatcher(host.send, { maxWeight: 100, maxInFlight: 1 });
    const results = await Promise.allSettled([piece('a', 'r', '1'), piece('missing', 'x', '2'), piece('c', 'r', '3'), piece('c', 'r', '4')].map((p) => batcher.request(p)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const missing = results[1] as PromiseRejectedResult;
    expect(missing.reason).toBeInstanceOf(BatchError);
    expect((missing.reason as BatchError).kind).toBe('not-found');
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ kind: 'field', message: 'timed out reading that blob' });
    expect(host.sent).toHaveLength(1);
  });

  it('fails every piece when the query fails as a whole, and goes on with the next query', async () => {
    let calls = 0;
    const batcher = new GraphqlBatcher(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('HTTP 502 from the host');
        return { data: { r0: { f0: { ok: 1 } } }, errors: [] };
      },
      { maxWeight: 100, maxInFlight: 1 },
    );
    const failed = await Promise.allSettled([batcher.request(piece('a', 'r', '1')), batcher.request(piece('b', 'r', '2'))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ kind: 'query', message: 'HTTP 502 from the host' });
    await expect(batcher.request(piece('a', 'r', '1'))).resolves.toEqual({ ok: 1 });
  });
});
