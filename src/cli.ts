import 'reflect-metadata';
import { loadConfig } from './config.js';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import type { IndexSummary } from './indexer/index.js';
import { createLogger } from './log.js';
import { indexOnce, startGateway } from './main.js';

const HELP = `modelgate — a GraphQL gateway over the DVC/GTO model registries in Git

Usage:
  modelgate [serve] [--config FILE]     index in the background and serve GraphQL (default)
  modelgate index [--config FILE] [--json]
                                        index once, print a summary, exit 1 if a repository failed
  modelgate help                        this text

Configuration: --config FILE, else $MODELGATE_CONFIG, else ./modelgate.yaml.
With none of them, serve runs the demo: a few DVC repositories built locally.
`;

interface Args {
  command: string;
  config?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: 'serve', json: false };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--config' || arg === '-c') {
      const value = argv[++i];
      if (!value || value.startsWith('-')) throw new ConfigError('--config needs a file: modelgate serve --config modelgate.yaml');
      args.config = value;
    } else if (arg.startsWith('--config=')) {
      args.config = arg.slice('--config='.length);
    } else if (arg === '--json') {
      args.json = true;
    } else if (arg === '--help' || arg === '-h') {
      args.command = 'help';
    } else if (!arg.startsWith('-') && !commandSeen) {
      args.command = arg;
      commandSeen = true;
    } else {
      throw new ConfigError(`Unknown argument "${arg}". Run \`modelgate help\` for the usage.`);
    }
  }
  return args;
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
    config = loadConfig(args.config ? { file: args.config } : {});
  } catch (error) {
    return reportStartupError(error);
  }
  switch (args.command) {
    case 'serve':
      return serve(config);
    case 'index':
      return index(config, args.json);
    default:
      process.stderr.write(`Unknown command "${args.command}".\n\n${HELP}`);
      return 2;
  }
}

async function serve(config: Config): Promise<number> {
  const log = createLogger();
  let gateway;
  try {
    gateway = await startGateway(config, log);
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
