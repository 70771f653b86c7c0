import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gitlab } from '@gitbeaker/rest';
import { HostSimulator } from '../src/hosts/index.js';
import { createLogger, createRedactor } from '../src/log.js';
import type { Logger } from '../src/log.js';
import { createGitHubClient } from '../src/sources/index.js';
import { createRepo, useTempDir } from './support/gitRepo.js';

/** A real logger whose lines are kept instead of written to stderr. */
function capturedLogger(secrets: string[] = []): { log: Logger; text: () => string } {
  const lines: string[] = [];
  return { log: createLogger({ secrets, write: (line) => void lines.push(line) }), text: () => lines.join('') };
}

const GITHUB_TOKEN = 'ghp_0123456789abcdefABCDEF0123456789abcd';
const GITLAB_TOKEN = 'glpat-AbCdEf0123456789xyzW';

describe('the logger keeps secrets out of the log', () => {
  const dir = useTempDir('modelgate-log');
  let sim: HostSimulator;

  beforeAll(async () => {
    const repo = await createRepo(dir.path, 'acme/churn');
    await repo.write({ 'dvc.yaml': 'artifacts: {}\n' });
    await repo.commit('init', { date: '2025-01-10T09:00:00Z' });
    // Only this token is accepted: the ones the tests send are refused with 401.
    sim = await HostSimulator.start({ reposDir: dir.path, tokens: { 'the-only-valid-token': {} } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('logs an Octokit RequestError from a refused request with its status but without the GitHub token', async () => {
    const { log, text } = capturedLogger();
    const octokit = createGitHubClient({ baseUrl: sim.githubUrl, token: GITHUB_TOKEN, log });
    const error = await octokit.rest.repos.get({ owner: 'acme', repo: 'churn' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { status?: number }).status).toBe(401);
    log.error('reading github:acme/churn failed', error);
    expect(text()).toMatch(/reading github:acme\/churn failed: HttpError: Bad credentials.*\(status 401\)/s);
    expect(text()).not.toContain(GITHUB_TOKEN);
  });

  it('logs a Gitbeaker error from a refused request without the PRIVATE-TOKEN its request carries', async () => {
    const { log, text } = capturedLogger();
    const gitlab = new Gitlab({ host: sim.url, token: GITLAB_TOKEN });
    const error = await gitlab.Projects.show('acme/churn').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    log.error('reading gitlab:acme/churn failed', error);
    log.error('its cause', (error as { cause?: unknown }).cause);
    log.info(`request headers were ${inspect((error as { cause?: { request?: Request } }).cause?.request?.headers)}`);
    expect(inspect((error as { cause?: { request?: Request } }).cause?.request?.headers)).toContain(GITLAB_TOKEN);
    expect(text()).toMatch(/reading gitlab:acme\/churn failed: GitbeakerRequestError/);
    expect(text()).toMatch(/private-token.*\[REDACTED\]/i);
    expect(text()).not.toContain(GITLAB_TOKEN);
  });

  it('removes the password of a Redis URL from a logged message and from the error logged with it', () => {
    const { log, text } = capturedLogger();
    const url = 'redis://modelgate:s3cret-pass@127.0.0.1:6390/2';
    log.error(`Redis at ${url} is not answering`, new Error(`connect ${url} ECONNREFUSED`));
    expect(text()).toContain('redis://modelgate:[REDACTED]@127.0.0.1:6390/2 is not answering');
    expect(text()).not.toContain('s3cret-pass');
  });

  it('never writes a configured token or webhook secret, whatever its shape', () => {
    const { log, text } = capturedLogger(['enterprise-token-7f3a', 'hook secret with spaces']);
    log.info('using enterprise-token-7f3a for acme; webhook signed with hook secret with spaces');
    expect(text()).toContain('using [REDACTED] for acme; webhook signed with [REDACTED]');
  });
});

describe('the redactor', () => {
  const redact = createRedactor();
  it.each([
    ['Authorization: token ghx-not-a-known-shape', 'Authorization: token [REDACTED]'],
    ['{"authorization":"Bearer abc.def.ghi"}', '{"authorization":"Bearer [REDACTED]"}'],
    ['PRIVATE-TOKEN: secretvalue1', 'PRIVATE-TOKEN: [REDACTED]'],
    ['x-modelgate-token-github=caller-token-1', 'x-modelgate-token-github=[REDACTED]'],
    ['clone https://x-access-token:abc123@github.com/acme/churn.git', 'clone https://x-access-token:[REDACTED]@github.com/acme/churn.git'],
    ['GET /user?access_token=abc123&per_page=1', 'GET /user?access_token=[REDACTED]&per_page=1'],
    ['token github_pat_11ABCDEFG0123456789_abcdefghijklmnop in text', 'token [REDACTED] in text'],
    ['gho_0123456789abcdefghij and glpat-0123456789abcdef', '[REDACTED] and [REDACTED]'],
  ])('redacts %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves text without secrets as it is', () => {
    const text = 'indexed local:acme/churn in 120 ms (3 models, https://github.com/acme/churn)';
    expect(redact(text)).toBe(text);
  });
});
