import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { InMemoryEventBus, publishSnapshotEvents } from '../../src/events/index.js';
import { Indexer } from '../../src/indexer/index.js';
import { LocalGitSource } from '../../src/sources/index.js';
import { InMemoryRegistryStore } from '../../src/store/index.js';
import { createServer } from '../../src/transport/index.js';
import type { RunningServer } from '../../src/transport/index.js';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import type { RepoWriter } from '../../src/demo/repoWriter.js';

/** Debian's Chromium (`.ci/run` installs it); tools never download their own browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(process.cwd(), 'test-output');
const SUBSCRIPTION = 'subscription { registryEvents(filter: { stage: "prod" }) { id kind tag model { ref } } }';

describe('a subscription in /graphiql, in a real browser', () => {
  const dir = useTempDir('modelgate-graphiql-subscription');
  let browser: Browser;
  let repo: RepoWriter;
  let source: LocalGitSource;
  let indexer: Indexer;
  let server: RunningServer;
  const bus = InMemoryEventBus.create();

  beforeAll(async () => {
    repo = await createRepo(dir.path, 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n' });
    await repo.commit('model', { date: '2025-01-01T10:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'v1', date: '2025-01-01T11:00:00Z' });
    source = LocalGitSource.create({ name: 'local', root: dir.path });
    const store = InMemoryRegistryStore.create();
    indexer = Indexer.create({ sources: [source], store, onSnapshot: publishSnapshotEvents(bus) });
    await indexer.indexAll();
    server = await createServer({ store, indexer, events: bus, port: 0, log: () => undefined });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await mkdir(OUTPUT, { recursive: true });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bus.close();
    await source?.close();
  });

  it('shows a promotion the moment the repository is refreshed, over a WebSocket to the same /graphql', async () => {
    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${server.url}/graphiql?query=${encodeURIComponent(SUBSCRIPTION)}`, { waitUntil: 'load' });
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 20000 });
    await run.click();
    const deadline = Date.now() + 20000;
    while (bus.subscriberCount === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bus.subscriberCount).toBe(1);

    await repo.tag('churn#prod#1', { message: 'promote', date: '2025-01-02T10:00:00Z' });
    await indexer.refresh('local:acme/churn');
    await page.waitForFunction(() => document.body.innerText.includes('churn#prod#1'), undefined, { timeout: 20000 });
    await page.screenshot({ path: join(OUTPUT, 'graphiql-subscription.png') });
    expect(sockets).toEqual([`${server.url.replace(/^http/, 'ws')}/graphql`]);
  }, 60000);
});
