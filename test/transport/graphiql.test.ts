import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { createRepo, useTempDir } from '../support/gitRepo.js';
import { startTestGateway } from '../support/testGateway.js';
import type { TestGateway } from '../support/testGateway.js';

/** Debian's Chromium (`.ci/run` installs it); tools never download their own browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(process.cwd(), 'test-output');

describe('/graphiql in a real browser with the network cut off', () => {
  const dir = useTempDir('modelgate-graphiql');
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    const repo = await createRepo(dir.path, 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts:\n  churn:\n    path: model.pkl\n    type: model\n' });
    await repo.commit('model', { date: '2025-01-01T10:00:00Z' });
    await repo.tag('churn@v1.0.0', { message: 'v1', date: '2025-01-01T11:00:00Z' });
    gateway = await startTestGateway(dir.path);
    await gateway.index();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await mkdir(OUTPUT, { recursive: true });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('loads and runs the default query without any request leaving the machine', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    // Everything not served by the gateway itself (or inlined) is refused and recorded.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(gateway.url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort('internetdisconnected');
    });
    await page.goto(`${gateway.url}/graphiql`, { waitUntil: 'load' });
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 20000 });
    await run.click();
    await page.waitForFunction(() => document.body.innerText.includes('local:acme/churn:churn'), undefined, { timeout: 20000 });
    await page.screenshot({ path: join(OUTPUT, 'graphiql.png') });
    expect(await page.title()).toBe('Modelgate GraphiQL');
    expect(outside).toEqual([]);
  }, 60000);
});
