/** A minimal logger: one line per message on stderr, errors with their stack. */
export interface Logger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

export function createLogger(options: { quiet?: boolean } = {}): Logger {
  const write = (level: string, message: string) => {
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  };
  return {
    info: (message) => {
      if (!options.quiet) write('info', message);
    },
    error: (message, error) => {
      const detail = error instanceof Error ? `: ${error.stack ?? error.message}` : error !== undefined ? `: ${String(error)}` : '';
      write('error', `${message}${detail}`);
    },
  };
}
