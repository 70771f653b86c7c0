/**
 * A minimal structured logger: one line per message on stderr (`time level message`),
 * errors with their name, code, status, stack and causes. Every line passes through a
 * redactor first, so tokens, passwords and secrets never reach a log, whatever an error
 * object carries (Octokit and Gitbeaker errors hold request headers and URLs).
 */
export interface Logger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface LoggerOptions {
  quiet?: boolean;
  /** Values never to write (the configured tokens and webhook secrets), on top of the known secret shapes. */
  secrets?: readonly string[];
  /** Where lines go; stderr by default (tests capture them here). */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = createRedactor(options.secrets ?? []);
  const out = options.write ?? ((line: string) => void process.stderr.write(line));
  const write = (level: string, message: string) => {
    out(redact(`${new Date().toISOString()} ${level} ${message}\n`));
  };
  return {
    info: (message) => {
      if (!options.quiet) write('info', message);
    },
    error: (message, error) => {
      write('error', error === undefined ? message : `${message}: ${describeError(error)}`);
    },
  };
}

const REDACTED = '[REDACTED]';

/** Secret shapes found in text, whatever their source: the replacement keeps what kind of thing was there. */
const SHAPES: readonly [RegExp, string][] = [
  // GitHub tokens: personal (classic and fine-grained), OAuth, app installation, user-to-server, refresh.
  [/\bgh[pousr]_[A-Za-z0-9]{16,255}\b/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{16,255}\b/g, REDACTED],
  // GitLab tokens: personal, deploy, runner, pipeline trigger, OAuth, CI job, feed, agent...
  [/\bgl(?:pat|dt|rt|ptt|oas|cbt|imt|soat|ft|agent)-[A-Za-z0-9_-]{10,}/g, REDACTED],
  // Header values, in `name: value`, `name=value` and JSON (`"name":"value"`) forms.
  [/(\bauthorization["']?\s*[:=]\s*["']?)((?:bearer|token|basic)\s+)?[^\s"',;}\]]+/gi, `$1$2${REDACTED}`],
  [/(\b(?:private-token|job-token|x-gitlab-token|x-modelgate-token-[\w-]+|x-hub-signature(?:-256)?)["']?\s*[:=]\s*["']?)[^\s"',;}\]]+/gi, `$1${REDACTED}`],
  // Passwords in URLs: redis://user:pass@host, https://x-access-token:TOKEN@github.com.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  // Tokens in query strings.
  [/([?&](?:access_token|private_token|token|client_secret|secret)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

/**
 * Removes secrets from text: the known shapes (GitHub `ghp_`/`gho_`/`github_pat_`…,
 * GitLab `glpat-`…, `Authorization`/`PRIVATE-TOKEN`/`X-Modelgate-Token-*` header values,
 * URL passwords, `?access_token=`) and every one of `secrets` (values shorter than 4
 * characters are left alone: replacing them would shred ordinary words, not hide anything).
 */
export function createRedactor(secrets: readonly string[] = []): (text: string) => string {
  const literal = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  const exact = literal.length > 0 ? new RegExp(literal.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined;
  return (text) => {
    let result = exact ? text.replace(exact, REDACTED) : text;
    for (const [pattern, replacement] of SHAPES) result = result.replace(pattern, replacement);
    return result;
  };
}

/**
 * An error as one readable block: name, code and HTTP status when it has them, the stack
 * (or message), then its causes. Deliberately not its other properties: host clients'
 * errors carry the whole request (headers included), which has no place in a log.
 */
function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return describeValue(error);
  const { status, code } = error as { status?: unknown; code?: unknown };
  const facts = [typeof status === 'number' ? `status ${status}` : undefined, typeof code === 'string' ? `code ${code}` : undefined].filter(Boolean);
  const head = `${error.stack ?? `${error.name}: ${error.message}`}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
  const cause = (error as { cause?: unknown }).cause;
  if (cause === undefined || depth >= 3) return head;
  return `${head}\n  caused by: ${describeError(cause, depth + 1)}`;
}

/** A thrown non-Error (Gitbeaker's causes are `{ description, request, response }`): its words, never its request. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const { description, message } = value as { description?: unknown; message?: unknown };
    if (typeof description === 'string') return description;
    if (typeof message === 'string') return message;
  }
  return safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
