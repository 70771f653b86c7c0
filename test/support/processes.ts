/**
 * `modelgate` processes as users start them (the built `bin/modelgate.js`; `npm test` builds
 * first): spawn, wait for the line that says it is up, stop with a signal or kill outright.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

const BIN = new URL('../../bin/modelgate.js', import.meta.url).pathname;

export interface ModelgateProcess {
  readonly child: ChildProcess;
  /** The gateway's base URL (`serve` only). */
  readonly url?: string;
  output(): string;
  /** SIGTERM and wait for the exit (the graceful path). */
  stop(): Promise<void>;
  /** SIGKILL: the process dies mid-whatever, as a crashed machine would. */
  kill(): Promise<void>;
}

/** Starts `modelgate <args>` and resolves once it printed `ready` (a RegExp on stdout). */
export async function startModelgate(args: string[], ready: RegExp, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ModelgateProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`modelgate ${args.join(' ')} did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (data: Buffer) => {
      out += data.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(/GraphQL\s+(http:\/\/\S+)\/graphql/.exec(out)?.[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (data: Buffer) => (out += data.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`modelgate ${args.join(' ')} exited with ${code} before it was up:\n${out}`));
    });
  });
  child.stdout?.on('data', (data: Buffer) => (out += data.toString()));
  return {
    child,
    ...(url ? { url } : {}),
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs a GraphQL query; throws on errors. */
export async function graphql<T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL errors from ${url}: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
