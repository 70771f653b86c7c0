import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpstreamError } from '../../src/errors.js';
import { createLogger, createRedactor } from '../../src/log.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import type { RegistryStore } from '../../src/store/index.js';
import { createServer } from '../../src/transport/index.js';
import type { RunningServer } from '../../src/transport/index.js';

const TOKEN = 'enterprise-token-9c1d'; // a configured token of no known shape
const URL_WITH_TOKEN = `https://x-access-token:${TOKEN}@ghe.example/api/v3/repos/acme/churn`;

/** A real in-memory store whose model list fails the way a host read can: with an error that quotes the URL it read. */
function failingStore(error: () => Error): RegistryStore {
  const store = InMemoryRegistryStore.create();
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'listModels') return async () => Promise.reject(error());
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function query(server: RunningServer, text: string): Promise<{ errors?: { message: string; extensions?: { code?: string } }[] }> {
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text }) });
  return (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('tokens never reach a GraphQL answer or the log written for it', () => {
  const lines: string[] = [];
  const log = createLogger({ secrets: [TOKEN], write: (line) => void lines.push(line) });
  let upstream: RunningServer;
  let unexpected: RunningServer;

  beforeAll(async () => {
    const redact = createRedactor([TOKEN]);
    upstream = await createServer({ store: failingStore(() => new UpstreamError(`github refused the token ${TOKEN} (401); check sources[0].token.`, 'github', 401)), port: 0, redact, log: (m, e) => log.error(m, e) });
    unexpected = await createServer({ store: failingStore(() => new TypeError(`fetch failed for ${URL_WITH_TOKEN}`)), port: 0, redact, log: (m, e) => log.error(m, e) });
  });
  afterAll(async () => {
    await Promise.all([upstream.close(), unexpected.close()]);
  });

  it('answers an upstream error with its code and message but without the configured token the message quoted', async () => {
    const { errors } = await query(upstream, '{ models { totalCount } }');
    expect(errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(errors?.[0]?.message).toBe('github refused the token [REDACTED] (401); check sources[0].token.');
  });

  it('masks an unexpected error for the client and logs it in full, without the token', async () => {
    lines.length = 0;
    const { errors } = await query(unexpected, '{ models { totalCount } }');
    expect(errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines.join('')).toMatch(/TypeError: fetch failed for https:\/\/x-access-token:\[REDACTED\]@ghe\.example/);
    expect(lines.join('')).not.toContain(TOKEN);
  });
});
