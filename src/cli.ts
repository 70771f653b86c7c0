import 'reflect-metadata';
import { stat } from 'node:fs/promises';
import { configSecrets, loadConfig } from './config.js';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import type { HostSimulator } from './hosts/index.js';
import type { IndexSummary } from './indexer/index.js';
import { createLogger } from './log.js';
import { indexOnce, startGateway, startWorker } from './main.js';
import { redactRedisUrl } from './store/index.js';

const HELP = `modelgate — a GraphQL gateway over the DVC/GTO model registries in Git

Usage:
  modelgate [serve] [--config FILE] [--no-worker]
                                        index in the background and serve GraphQL (default);
                                        with Redis, --no-worker leaves indexing to workers
  modelgate worker [--config FILE]      run indexing jobs from the shared Redis, serve nothing
  modelgate index [--config FILE] [--json]
                                        index once, print a summary, exit 1 if a repository failed
  modelgate hosts --repos DIR [--port N] [--host H] [--latency MS] [--token T]...
                                        serve DIR's Git repositories as GitHub (REST, GraphQL)
                                        and GitLab APIs: the Git host simulator (port 4400)
  modelgate help                        this text

Configuration: --config FILE, else $MODELGATE_CONFIG, else ./modelgate.yaml.
With none of them, serve runs the demo: a few DVC repositories built locally.
`;

interface Args {
  command: string;
  config?: string;
  json: boolean;
  /** `serve --no-worker`: leave indexing jobs to `modelgate worker` processes. */
  noWorker: boolean;
  /** Options of `modelgate hosts`. */
  hosts: HostsArgs;
}

interface HostsArgs {
  repos?: string;
  port?: number;
  host?: string;
  latencyMs?: number;
  tokens: string[];
}

const HOSTS_FLAGS = new Set(['--repos', '--port', '--host', '--latency', '--token']);

function parseArgs(argv: string[]): Args {
  const args: Args = { command: 'serve', json: false, noWorker: false, hosts: { tokens: [] } };
  let commandSeen = false;
  const hostsFlags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag = arg, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg];
    if (HOSTS_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
        throw new ConfigError(`${flag} needs a value: modelgate hosts --repos ./repos --port 4400 --latency 50 --token secret`);
      }
      readHostsFlag(args.hosts, flag, value);
      hostsFlags.push(flag);
    } else if (arg === '--config' || arg === '-c') {
      const value = argv[++i];
      if (!value || value.startsWith('-')) throw new ConfigError('--config needs a file: modelgate serve --config modelgate.yaml');
      args.config = value;
    } else if (arg.startsWith('--config=')) {
      args.config = arg.slice('--config='.length);
    } else if (arg === '--json') {
      args.json = true;
    } else if (arg === '--no-worker') {
      args.noWorker = true;
    } else if (arg === '--help' || arg === '-h') {
      args.command = 'help';
    } else if (!arg.startsWith('-') && !commandSeen) {
      args.command = arg;
      commandSeen = true;
    } else {
      throw new ConfigError(`Unknown argument "${arg}". Run \`modelgate help\` for the usage.`);
    }
  }
  if (args.noWorker && args.command !== 'serve') throw new ConfigError(`--no-worker belongs to \`modelgate serve\`, not \`modelgate ${args.command}\`.`);
  if (hostsFlags.length > 0 && args.command !== 'hosts') {
    throw new ConfigError(`${hostsFlags[0]} belongs to \`modelgate hosts\`, not \`modelgate ${args.command}\`. Run \`modelgate help\` for the usage.`);
  }
  return args;
}

function readHostsFlag(hosts: HostsArgs, flag: string, value: string): void {
  const number = (min: number, max: number, example: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new ConfigError(`${flag} must be a whole number from ${min} to ${max} (${example}), got "${value}"`);
    return parsed;
  };
  switch (flag) {
    case '--repos':
      hosts.repos = value;
      return;
    case '--port':
      hosts.port = number(0, 65535, '0 picks a free port');
      return;
    case '--host':
      hosts.host = value;
      return;
    case '--latency':
      hosts.latencyMs = number(0, 600_000, 'milliseconds added to every request');
      return;
    case '--token':
      hosts.tokens.push(value);
      return;
    default:
      throw new ConfigError(`Unknown argument "${flag}". Run \`modelgate help\` for the usage.`);
  }
}

/** Runs the command line; resolves to the exit code (serve resolves only on a signal). */
export async function runCli(argv: string[]): Promise<number> {
  let args: Args;
  let config: Config;
  try {
    args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (args.command === 'hosts') return await hosts(args.hosts);
    config = loadConfig(args.config ? { file: args.config } : {});
  } catch (error) {
    return reportStartupError(error);
  }
  switch (args.command) {
    case 'serve':
      return serve(config, args.noWorker);
    case 'worker':
      return worker(config);
    case 'index':
      return index(config, args.json);
    default:
      process.stderr.write(`Unknown command "${args.command}".\n\n${HELP}`);
      return 2;
  }
}

async function serve(config: Config, noWorker: boolean): Promise<number> {
  const log = createLogger({ secrets: configSecrets(config) });
  let gateway;
  try {
    if (noWorker && !config.redis) throw new ConfigError('--no-worker needs a Redis shared with `modelgate worker` processes (`redis:` in the config, or REDIS_URL); without one this gateway would never index.', config.file, 'redis');
    gateway = await startGateway(config, log, { worker: !noWorker });
  } catch (error) {
    return reportStartupError(error);
  }
  const { url } = gateway.server;
  process.stdout.write(`Modelgate is serving${config.demo ? ' the demo registry' : ''}:\n  GraphQL   ${url}/graphql\n  GraphiQL  ${url}/graphiql\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('shutting down');
  await gateway.stop();
  return 0;
}

/** `modelgate worker`: indexing jobs from the shared Redis until SIGINT or SIGTERM. */
async function worker(config: Config): Promise<number> {
  const log = createLogger({ secrets: configSecrets(config) });
  let running;
  try {
    running = await startWorker(config, log);
  } catch (error) {
    return reportStartupError(error);
  }
  process.stdout.write(`Modelgate worker: indexing jobs from ${redactRedisUrl(config.redis ?? '')} (sources: ${config.sources.map((s) => s.name).join(', ')}).\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('shutting down: finishing the jobs under way');
  await running.stop();
  return 0;
}

/** The Git host simulator over a folder of repositories, until SIGINT or SIGTERM. */
async function hosts(options: HostsArgs): Promise<number> {
  if (!options.repos) throw new ConfigError('modelgate hosts needs --repos DIR: the folder whose Git repositories it serves (owner/name, group/…/name).');
  const isFolder = await stat(options.repos).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new ConfigError(`--repos must be a folder of Git repositories, got "${options.repos}" (not a folder).`);
  const log = createLogger();
  // Loaded only for this command: `serve` never needs the simulator.
  const { HostSimulator: Simulator } = await import('./hosts/index.js');
  let simulator: HostSimulator;
  try {
    simulator = await Simulator.start({
      reposDir: options.repos,
      port: options.port ?? 4400,
      ...(options.host ? { host: options.host } : {}),
      latencyMs: options.latencyMs ?? 0,
      ...(options.tokens.length > 0 ? { tokens: Object.fromEntries(options.tokens.map((token, i) => [token, { name: options.tokens.length > 1 ? `token${i + 1}` : 'cli' }])) } : {}),
      log,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(`modelgate: cannot listen on port ${options.port ?? 4400} (${(error as Error).message}). Pick another with --port (0 picks a free one).\n`);
      return 1;
    }
    throw error;
  }
  const repositories = await simulator.git.repositories();
  const example = repositories.find((r) => r.path.split('/').length === 2)?.path.split('/')[0] ?? 'OWNER';
  const auth = options.tokens[0] ? `-H 'authorization: token ${options.tokens[0]}' ` : '';
  process.stdout.write(
    [
      `Git host simulator serving ${repositories.length} repositories from ${options.repos}${options.tokens.length > 0 ? ` (tokens required: ${options.tokens.length})` : ' (open: no token needed)'}:`,
      `  GitHub REST     ${simulator.githubUrl}`,
      `  GitHub GraphQL  ${simulator.graphqlUrl}`,
      `  GitLab REST     ${simulator.gitlabUrl}`,
      `  Call counters   ${simulator.url}/_sim/stats`,
      `Example: curl ${auth}${simulator.githubUrl}/orgs/${example}/repos`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('shutting down the Git host simulator');
  await simulator.close();
  return 0;
}

async function index(config: Config, json: boolean): Promise<number> {
  const tty = process.stderr.isTTY && !json;
  let summary: IndexSummary;
  try {
    summary = await indexOnce(
      config,
      tty
        ? (done, total, ref) => {
            const width = 30;
            const filled = Math.round((done / Math.max(total, 1)) * width);
            process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${ref.slice(0, 50).padEnd(50)}`);
          }
        : undefined,
    );
  } catch (error) {
    return reportStartupError(error);
  }
  if (tty) process.stderr.write('\n');
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const lines = [
      `repositories ${summary.repositories} (${summary.updated} indexed, ${summary.unchanged} unchanged, ${summary.failed.length} failed)`,
      `models       ${summary.models}`,
      `versions     ${summary.versions}`,
      `problems     ${summary.problems.length}`,
      `seconds      ${summary.seconds.toFixed(2)}`,
      ...Object.entries(summary.apiCalls).map(([source, calls]) => `api calls    ${calls} (${source})`),
      ...summary.problems.map((p) => `  problem  ${p.repository} ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`),
      ...summary.failed.map((f) => `  failed   ${f.repository}: ${f.error}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return summary.failed.length > 0 ? 1 : 0;
}

function reportStartupError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`modelgate: ${error.message}\n`);
    return 2;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const what = code === 'EADDRINUSE' ? 'is already in use' : 'needs more privileges than this process has';
    process.stderr.write(`modelgate: the listen address ${what} (${(error as Error).message}). Pick another port with PORT=4100 or listen.port in the config.\n`);
    return 1;
  }
  process.stderr.write(`modelgate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
