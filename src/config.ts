import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors.js';
import { DEFAULT_LIMITS } from './graphql/limits/index.js';
import type { Limits } from './graphql/limits/index.js';
import { DEFAULT_KEY_PREFIX } from './store/redisKeys.js';

/**
 * The only reader of the configuration file and of `process.env`. Everything is checked
 * here, before anything starts, and reported with the file, the key and what was expected.
 */

export interface LocalSourceConfig {
  kind: 'local';
  name: string;
  /** Absolute path of the folder holding the repositories. */
  path: string;
}

export interface GithubSourceConfig {
  kind: 'github';
  name: string;
  url: string;
  token?: string;
  repos: string[];
  orgs: string[];
  webhookSecret?: string;
  /** How refs read before are checked again: batched GraphQL (default) or free 304s (docs/decisions/0002). */
  refsCheck?: 'graphql' | 'etag';
}

export interface GitlabSourceConfig {
  kind: 'gitlab';
  name: string;
  url: string;
  token?: string;
  projects: string[];
  groups: string[];
  webhookSecret?: string;
}

export type SourceConfig = LocalSourceConfig | GithubSourceConfig | GitlabSourceConfig;

export interface Config {
  /** The file read, if any (undefined in demo mode). */
  file?: string;
  /** No configuration anywhere: serve the demo repositories. */
  demo: boolean;
  listen: { host: string; port: number };
  redis?: string;
  /** Prefix of every Redis key (and BullMQ queue); several deployments can share one Redis. */
  redisPrefix: string;
  /** `stallAfterMs`: a job whose worker stopped answering this long goes to another worker. */
  refresh: { intervalMs: number; stallAfterMs?: number };
  sources: SourceConfig[];
  /** Where the demo repositories are built (and other local caches kept). */
  cacheDir: string;
  /** What one GraphQL operation may ask, and whether introspection is allowed (`limits:`, `introspection:`). */
  limits: Limits;
  /** `keep`: registry events kept for `since` replays (the Redis stream's approximate length, or the in-memory ring's). */
  events: { keep: number };
}

export interface LoadConfigOptions {
  /** `--config FILE` from the command line. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const DEFAULT_INTERVAL_MS = 10 * 60 * 1000;

/** Finds and reads the configuration: `--config`, then `MODELGATE_CONFIG`, then `./modelgate.yaml`; none means demo mode. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.MODELGATE_CONFIG;
  const file = explicit ? resolve(cwd, explicit) : existsSync(resolve(cwd, 'modelgate.yaml')) ? resolve(cwd, 'modelgate.yaml') : undefined;
  const cacheDir = resolve(cwd, env.MODELGATE_CACHE_DIR ?? resolve(homedir(), '.cache', 'modelgate'));
  if (!file) {
    return Object.freeze({
      demo: true,
      listen: { host: env.HOST ?? '127.0.0.1', port: portFrom(env.PORT, 'PORT', 'the environment') ?? 4000 },
      ...(env.REDIS_URL ? { redis: redisUrlFrom(env.REDIS_URL, 'REDIS_URL', 'the environment') } : {}),
      redisPrefix: DEFAULT_KEY_PREFIX,
      refresh: { intervalMs: DEFAULT_INTERVAL_MS },
      sources: [{ kind: 'local' as const, name: 'local', path: resolve(cacheDir, 'demo') }],
      cacheDir,
      limits: { ...DEFAULT_LIMITS },
      events: { keep: DEFAULT_EVENTS_KEPT },
    });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the configuration file ${file}: ${(error as Error).message}. Pass an existing file with --config or MODELGATE_CONFIG.`, file);
  }
  return parseConfig(text, file, env, cacheDir);
}

/** Parses configuration text; exported for tests. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, cacheDir = resolve(homedir(), '.cache', 'modelgate')): Config {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line;
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${first?.message.split('\n')[0]}`, file);
  }
  const root: unknown = doc.toJS() ?? {};
  const fail = (key: string, expected: string, got: unknown): never => {
    throw new ConfigError(`${file}: \`${key}\` must be ${expected}, got ${describe(got)}.`, file, key);
  };
  if (!isRecord(root)) fail('(top level)', 'a mapping of settings (listen, redis, refresh, sources)', root);
  const top = expand(root, env, file) as Record<string, unknown>;
  const known = new Set(['listen', 'redis', 'redisPrefix', 'refresh', 'sources', 'limits', 'introspection', 'events']);
  for (const key of Object.keys(top)) {
    if (!known.has(key)) fail(key, `one of ${[...known].join(', ')} (unknown setting)`, key);
  }

  const known2 = (key: string, value: Record<string, unknown>, fields: string[]) => {
    for (const field of Object.keys(value)) if (!fields.includes(field)) fail(`${key}.${field}`, `one of ${fields.join(', ')} (unknown setting)`, field);
  };
  const listen = top.listen ?? {};
  if (!isRecord(listen)) fail('listen', 'a mapping with host and port', listen);
  const l = listen as Record<string, unknown>;
  known2('listen', l, ['host', 'port']);
  const host = env.HOST ?? l.host ?? '0.0.0.0';
  if (typeof host !== 'string') fail('listen.host', 'a host name or address', host);
  const port = portFrom(env.PORT, 'PORT', 'the environment') ?? portFrom(l.port, 'listen.port', file) ?? 4000;

  const redis = env.REDIS_URL !== undefined ? redisUrlFrom(env.REDIS_URL, 'REDIS_URL', 'the environment') : top.redis;
  if (redis !== undefined) redisUrlFrom(redis, 'redis', file);
  const redisPrefix = top.redisPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof redisPrefix !== 'string' || !/^[A-Za-z0-9_.{}:-]+$/.test(redisPrefix)) fail('redisPrefix', 'a non-empty key prefix of letters, digits and _ . - : { } (like mg:v1:)', redisPrefix);

  const refresh = top.refresh ?? {};
  if (!isRecord(refresh)) fail('refresh', 'a mapping like { interval: 10m }', refresh);
  known2('refresh', refresh as Record<string, unknown>, ['interval', 'stallAfter']);
  const interval = (refresh as Record<string, unknown>).interval;
  const intervalMs = interval === undefined ? DEFAULT_INTERVAL_MS : durationMs(interval) ?? fail('refresh.interval', 'a duration like 30s, 10m or 1h', interval);
  const stallAfter = (refresh as Record<string, unknown>).stallAfter;
  const stallAfterMs = stallAfter === undefined ? undefined : durationMs(stallAfter) ?? fail('refresh.stallAfter', 'a duration like 30s', stallAfter);

  const rawSources = top.sources;
  if (!Array.isArray(rawSources) || rawSources.length === 0) fail('sources', 'a non-empty list of sources (kind: local, github or gitlab)', rawSources);
  const sources = (rawSources as unknown[]).map((s, i) => sourceConfig(s, `sources[${i}]`, file, fail));
  const names = new Set<string>();
  sources.forEach((s, i) => {
    if (names.has(s.name)) fail(`sources[${i}].name`, `unique (two sources are named "${s.name}"; give one a \`name\`)`, s.name);
    names.add(s.name);
  });

  const limits = limitsConfig(top.limits, top.introspection, fail);
  const events = top.events ?? {};
  if (!isRecord(events)) fail('events', 'a mapping like { keep: 10000 }', events);
  known2('events', events as Record<string, unknown>, ['keep']);
  const keep = (events as Record<string, unknown>).keep ?? DEFAULT_EVENTS_KEPT;
  if (typeof keep !== 'number' || !Number.isInteger(keep) || keep < 100 || keep > 10_000_000) fail('events.keep', 'a whole number of events from 100 to 10,000,000', keep);

  return Object.freeze({
    file,
    demo: false,
    listen: { host: host as string, port },
    ...(redis ? { redis: redis as string } : {}),
    redisPrefix: redisPrefix as string,
    refresh: { intervalMs, ...(stallAfterMs !== undefined ? { stallAfterMs } : {}) },
    sources,
    cacheDir,
    limits,
    events: { keep: keep as number },
  });
}

/** Registry events kept for `since` replays unless `events.keep` says otherwise. */
const DEFAULT_EVENTS_KEPT = 10_000;

/** Every token and webhook secret in the configuration: the logger and error formatter never write them. */
export function configSecrets(config: Pick<Config, 'sources' | 'redis'>): string[] {
  const secrets: string[] = [];
  for (const source of config.sources) {
    if (source.kind === 'local') continue;
    if (source.token) secrets.push(source.token);
    if (source.webhookSecret) secrets.push(source.webhookSecret);
  }
  if (config.redis) {
    try {
      const url = new URL(config.redis);
      if (url.password) secrets.push(decodeURIComponent(url.password));
    } catch {
      // checked when the config was read; nothing to add
    }
  }
  return secrets;
}

/** The most `limits.pageSize` may be (the resolvers' own backstop, `MAX_PAGE_SIZE` in graphql/paginate.ts). */
const PAGE_SIZE_CEILING = 10_000;

function limitsConfig(raw: unknown, introspection: unknown, fail: (key: string, expected: string, got: unknown) => never): Limits {
  const value = raw ?? {};
  if (!isRecord(value)) return fail('limits', 'a mapping like { depth: 15, cost: 50000, pageSize: 500 }', value);
  const fields = ['depth', 'cost', 'pageSize', 'documentBytes', 'timeout', 'aliases', 'batch'];
  for (const field of Object.keys(value)) if (!fields.includes(field)) fail(`limits.${field}`, `one of ${fields.join(', ')} (unknown setting)`, field);
  const count = (field: 'depth' | 'cost' | 'pageSize' | 'aliases' | 'batch', min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = value[field];
    if (v === undefined) return DEFAULT_LIMITS[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return fail(`limits.${field}`, `a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`, v);
    return v;
  };
  const documentBytes = value.documentBytes === undefined ? DEFAULT_LIMITS.documentBytes : byteSize(value.documentBytes) ?? fail('limits.documentBytes', 'a size like 100kb, 1mb or a number of bytes', value.documentBytes);
  const timeoutMs = value.timeout === undefined ? DEFAULT_LIMITS.timeoutMs : durationMs(value.timeout) ?? fail('limits.timeout', 'a duration like 30s or 500ms', value.timeout);
  if (introspection !== undefined && typeof introspection !== 'boolean') fail('introspection', 'true or false', introspection);
  return {
    depth: count('depth', 1),
    cost: count('cost', 1),
    pageSize: count('pageSize', 1, PAGE_SIZE_CEILING),
    documentBytes,
    timeoutMs,
    aliases: count('aliases', 0),
    batch: count('batch', 0),
    introspection: (introspection as boolean | undefined) ?? DEFAULT_LIMITS.introspection,
  };
}

/** `100kb`, `1mb`, `512b`, or a number of bytes (1 kb = 1024 bytes, as express counts). */
function byteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] as string).toLowerCase() as 'b' | 'kb' | 'mb'];
  const bytes = Math.floor(Number(match[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

function sourceConfig(raw: unknown, key: string, file: string, fail: (key: string, expected: string, got: unknown) => never): SourceConfig {
  if (!isRecord(raw)) return fail(key, 'a mapping with a `kind`', raw);
  const kind = raw.kind;
  const name = raw.name ?? kind;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) fail(`${key}.name`, 'letters, digits, - and _ (it starts every repository ref)', name);
  const str = (field: string, required: boolean): string | undefined => {
    const value = raw[field];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '') return fail(`${key}.${field}`, 'a non-empty string', value);
    return value;
  };
  const list = (field: string): string[] => {
    const value = raw[field] ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) return fail(`${key}.${field}`, 'a list of strings', value);
    return value as string[];
  };
  const allowed = (fields: string[]) => {
    for (const field of Object.keys(raw)) if (!fields.includes(field)) fail(`${key}.${field}`, `one of ${fields.join(', ')} (unknown setting for a ${String(kind)} source)`, field);
  };
  switch (kind) {
    case 'local': {
      allowed(['kind', 'name', 'path']);
      const path = resolve(file, '..', str('path', true) as string);
      if (!existsSync(path)) fail(`${key}.path`, 'an existing folder (relative paths start at the config file)', path);
      return { kind, name: name as string, path };
    }
    case 'github': {
      allowed(['kind', 'name', 'url', 'token', 'repos', 'orgs', 'webhookSecret', 'refsCheck']);
      const token = str('token', false);
      const webhookSecret = str('webhookSecret', false);
      const refsCheck = str('refsCheck', false);
      if (refsCheck !== undefined && refsCheck !== 'graphql' && refsCheck !== 'etag') fail(`${key}.refsCheck`, 'graphql or etag', refsCheck);
      return {
        kind,
        name: name as string,
        url: str('url', false) ?? 'https://api.github.com',
        ...(token ? { token } : {}),
        repos: list('repos'),
        orgs: list('orgs'),
        ...(webhookSecret ? { webhookSecret } : {}),
        ...(refsCheck === 'graphql' || refsCheck === 'etag' ? { refsCheck } : {}),
      };
    }
    case 'gitlab': {
      allowed(['kind', 'name', 'url', 'token', 'projects', 'groups', 'webhookSecret']);
      const token = str('token', false);
      const webhookSecret = str('webhookSecret', false);
      return {
        kind,
        name: name as string,
        url: str('url', false) ?? 'https://gitlab.com',
        ...(token ? { token } : {}),
        projects: list('projects'),
        groups: list('groups'),
        ...(webhookSecret ? { webhookSecret } : {}),
      };
    }
    default:
      return fail(`${key}.kind`, 'one of local, github, gitlab', kind);
  }
}

/** Replaces `${VAR}` in every string value; an unset variable is an error naming it. */
function expand(value: unknown, env: NodeJS.ProcessEnv, file: string, key = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new ConfigError(`${file}: \`${key}\` uses \${${name}}, but the environment variable ${name} is not set.`, file, key);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expand(v, env, file, `${key}[${i}]`));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, env, file, key ? `${key}.${k}` : k)]));
  return value;
}

/** `where` is the config file, or "the environment" for variables. */
function portFrom(value: unknown, key: string, where: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = typeof value === 'string' ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${where}: \`${key}\` must be a port number (0-65535), got ${describe(value)}.`, where, key);
  }
  return port;
}

function redisUrlFrom(value: unknown, key: string, where: string): string {
  if (typeof value !== 'string' || !/^rediss?:\/\//.test(value)) {
    throw new ConfigError(`${where}: \`${key}\` must be a redis:// or rediss:// URL, got ${describe(value)}.`, where, key);
  }
  return value;
}

/** `30s`, `10m`, `1h`, `500ms`, or a number of seconds. */
function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number' && value > 0) return value * 1000;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return n > 0 ? n * unit : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text && text.length > 60 ? `${text.slice(0, 57)}...` : String(text);
}
