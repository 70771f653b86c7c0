import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRepo, useTempDir } from './support/gitRepo.js';

/** The CLI as users run it: the built `bin/modelgate.js` (npm test builds first). */
const BIN = new URL('../bin/modelgate.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('modelgate index', () => {
  const dir = useTempDir('modelgate-cli');
  let config: string;

  beforeAll(async () => {
    const repos = join(dir.path, 'repos');
    const good = await createRepo(repos, 'team/good');
    await good.write({ 'dvc.yaml': 'artifacts:\n  clf:\n    path: model.pkl\n    type: model\n', 'model.pkl': 'bytes' });
    await good.commit('model', { date: '2025-05-01T10:00:00+02:00' });
    await good.tag('clf@v1.0.0', { message: 'v1', date: '2025-05-01T11:00:00+02:00' });
    await good.tag('clf#prod#1', { message: 'prod', date: '2025-05-02T11:00:00+02:00' });
    const bad = await createRepo(repos, 'team/bad', { bare: true });
    await bad.write({ 'dvc.yaml': 'artifacts: {oops: [\n' });
    await bad.commit('broken', { date: '2025-05-01T10:00:00Z' });
    await bad.tag('oops@v0.0.1', { message: 'x', date: '2025-05-01T10:05:00Z' });
    await bad.close();
    config = join(dir.path, 'modelgate.yaml');
    await writeFile(config, 'sources:\n  - kind: local\n    path: ./repos\n');
  });

  it('prints a JSON summary with repositories, models, versions, problems and seconds', async () => {
    const { code, stdout, stderr } = await run(['index', '--config', config, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ repositories: 2, models: 2, versions: 2, failed: [] });
    expect(typeof summary.seconds).toBe('number');
    expect(summary.problems).toEqual([expect.objectContaining({ repository: 'local:team/bad', file: 'dvc.yaml', message: expect.any(String) })]);
  });

  it('prints a readable summary without --json', async () => {
    const { code, stdout } = await run(['index', '--config', config]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^repositories 2 \(2 indexed, 0 unchanged, 0 failed\)$/m);
    expect(stdout).toMatch(/problem {2}local:team\/bad dvc\.yaml/);
  });

  it('draws a progress bar on a terminal, then the summary', async () => {
    // `script` gives the command a pseudo-terminal, as a person running it in a shell has.
    const command = [process.execPath, BIN, 'index', '--config', config].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.once('error', reject);
      child.once('close', (c) => resolve({ code: c, stdout: out }));
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/\r\[#{30}\] 2\/2 local:team\/(good|bad)/);
    expect(stdout.indexOf('] 2/2')).toBeLessThan(stdout.indexOf('repositories 2 (2 indexed'));
  });

  it('prints no progress bar when its output is not a terminal', async () => {
    const { stdout, stderr } = await run(['index', '--config', config]);
    expect(`${stdout}${stderr}`).not.toContain('[#');
  });

  it('exits 1 when a repository cannot be read', async () => {
    const broken = join(dir.path, 'broken.yaml');
    const repos = join(dir.path, 'unreadable');
    const repo = await createRepo(repos, 'x');
    await repo.write({ 'a.txt': 'a' });
    await repo.commit('a', { date: '2025-01-01T00:00:00Z' });
    // A corrupt HEAD makes every git command on the repository fail.
    await writeFile(join(repos, 'x', '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(repos, 'x', '.git', 'packed-refs'), 'garbage\n');
    await writeFile(broken, `sources:\n  - kind: local\n    path: ${repos}\n`);
    const { code, stdout } = await run(['index', '--config', broken, '--json']);
    const summary = JSON.parse(stdout);
    expect(summary.failed).toEqual([expect.objectContaining({ repository: 'local:x', error: expect.stringContaining('local:x') })]);
    expect(code).toBe(1);
  });

  it('refuses --config without a file instead of reading the next flag as one', async () => {
    const { code, stderr } = await run(['index', '--config', '--json']);
    expect(code).toBe(2);
    expect(stderr).toContain('--config needs a file');
  });

  it('rejects a bad config with the file, the key and what was expected, and exit code 2', async () => {
    const bad = join(dir.path, 'bad.yaml');
    await writeFile(bad, 'sources:\n  - kind: local\n    path: ./repos\nrefresh: { interval: soon }\n');
    const { code, stderr } = await run(['index', '--config', bad]);
    expect(code).toBe(2);
    expect(stderr).toContain(bad);
    expect(stderr).toContain('`refresh.interval` must be a duration like 30s, 10m or 1h, got "soon"');
  });
});

describe('modelgate serve with no config (demo mode)', () => {
  const dir = useTempDir('modelgate-demo-serve');
  let child: ReturnType<typeof spawn> | undefined;

  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('builds the demo repositories, prints the URLs and answers a models query', async () => {
    child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: dir.path,
      env: { ...process.env, PORT: '0', MODELGATE_CACHE_DIR: join(dir.path, 'cache'), MODELGATE_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed; output so far:\n${out}`)), 20000);
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /GraphiQL\s+(http:\/\/\S+)\/graphiql/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    // Serving starts before the first pass ends; wait until it is ready.
    for (let i = 0; i < 100 && (await fetch(`${url}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ models { totalCount nodes { ref latestVersion { version } stages { stage } } } }' }),
    });
    const body = (await response.json()) as { data: { models: { totalCount: number; nodes: { ref: string; latestVersion: { version: string } | null }[] } } };
    expect(body.data.models.totalCount).toBeGreaterThanOrEqual(3);
    expect(body.data.models.nodes.map((m) => m.ref)).toContain('local:acme/churn-model:churn');
    expect(body.data.models.nodes.every((m) => m.latestVersion !== null)).toBe(true);
  });
});

describe('modelgate hosts', () => {
  const dir = useTempDir('modelgate-cli-hosts');
  let child: ReturnType<typeof spawn> | undefined;

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('serves a folder of repositories as GitHub and GitLab APIs, prints the URLs, and exits 0 on SIGTERM', async () => {
    const repo = await createRepo(join(dir.path, 'repos'), 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts: {}\n' });
    await repo.commit('start', { date: '2025-01-01T00:00:00Z' });
    const started = spawn(process.execPath, [BIN, 'hosts', '--repos', join(dir.path, 'repos'), '--port', '0', '--latency', '1', '--token', 's3cret'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let out = '';
    const github = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URLs printed; output so far:\n${out}`)), 15000);
      started.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /GitHub REST\s+(http:\/\/\S+)/.exec(out);
        if (match?.[1] && out.includes('Example:')) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    expect(github).toMatch(/\/api\/v3$/);
    expect(out).toMatch(/GitHub GraphQL\s+http:\/\/\S+\/api\/graphql/);
    expect(out).toMatch(/GitLab REST\s+http:\/\/\S+\/api\/v4/);
    expect(out).toContain(`Example: curl -H 'authorization: token s3cret' ${github}/orgs/acme/repos`);
    const denied = await fetch(`${github}/repos/acme/churn`);
    expect(denied.status).toBe(401);
    const repoJson = (await (await fetch(`${github}/repos/acme/churn`, { headers: { authorization: 'token s3cret' } })).json()) as { full_name: string };
    expect(repoJson.full_name).toBe('acme/churn');
    const exited = new Promise<number | null>((resolve) => started.once('close', resolve));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
  });

  it('refuses to start without --repos, and hosts flags on other commands, with exit code 2', async () => {
    const missing = await run(['hosts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs --repos DIR');
    const misplaced = await run(['index', '--repos', dir.path]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--repos belongs to `modelgate hosts`');
    const help = await run(['help']);
    expect(help.stdout).toContain('modelgate hosts --repos DIR');
  });
});
