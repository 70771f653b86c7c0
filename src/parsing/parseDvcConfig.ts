import { checkText } from './checkText.js';
import { dirOf, isExternal, joinRepoPath } from './paths.js';
import { clip } from './shapes.js';
import type { DvcConfig, DvcRemote, Parsed, Problem } from './types.js';

interface Setting {
  value: string;
  line: number;
}

/**
 * Reads a `.dvc/config` (research §6): configobj INI, where `['remote "name"']` and
 * `[remote "name"]` are the same section and, as DVC does, section names and keys are
 * lower-cased. Returns `core.remote` and each remote's `url` (required), `version_aware` and
 * `worktree`. A relative local `url` is resolved against the config file's directory and
 * returned as a normalised path from the repository root (`../storage` when it leaves the
 * repository). Linear in the size of the text (no backtracking regular expressions); never
 * throws.
 */
export function parseDvcConfig(text: string, file: string): Parsed<DvcConfig> {
  const unreadable = checkText(text, file);
  if (unreadable) return { value: { remotes: [] }, problems: [unreadable] };
  const problems: Problem[] = [];
  const report = (line: number, message: string): void => void problems.push({ file, line, message });
  const sections = new Map<string, { line: number; settings: Map<string, Setting> }>();
  let current: Map<string, Setting> | undefined;

  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const section = trimmed.startsWith('[') ? readSectionHeader(trimmed) : undefined;
    if (section) {
      const name = unquote(section.name).toLowerCase();
      if (section.open !== section.close) report(line, `unbalanced brackets in section header '${clip(trimmed)}'`);
      const existing = sections.get(name);
      if (existing) report(line, `section [${name}] appears twice (first on line ${existing.line}); configobj rejects this, its keys are merged here`);
      current = existing?.settings ?? new Map<string, Setting>();
      if (!existing) sections.set(name, { line, settings: current });
      return;
    }
    const pair = readKeyValue(trimmed);
    if (!pair) {
      report(line, `cannot read '${clip(trimmed)}': expected 'key = value' or a [section] header`);
      return;
    }
    if (!current) {
      report(line, `'${clip(trimmed)}' is outside any section; put it under [core] or a [remote "name"] section`);
      return;
    }
    const key = unquote(pair.key).toLowerCase();
    const value = readValue(pair.value);
    if (value === undefined) report(line, `unterminated quoted value for '${key}'`);
    else if (current.has(key)) report(line, `'${key}' is set twice in one section; the first value (line ${current.get(key)?.line}) is kept`);
    else current.set(key, { value, line });
  });

  const dir = dirOf(file);
  const remotes: DvcRemote[] = [];
  for (const [name, { line, settings }] of sections) {
    const remoteName = /^remote\s+"(.*)"$/.exec(name)?.[1];
    if (remoteName === undefined) continue;
    const url = settings.get('url');
    if (!url || url.value === '') {
      report(line, `remote '${remoteName}' has no url; add 'url = s3://…' (or a local path) to it`);
      continue;
    }
    const flag = (key: string): boolean => {
      const setting = settings.get(key);
      if (!setting) return false;
      const value = setting.value.toLowerCase();
      if (value === 'true' || value === 'false') return value === 'true';
      report(setting.line, `${key} of remote '${remoteName}' must be true or false, got '${clip(setting.value)}'`);
      return false;
    };
    // A local path that is not absolute is relative to the config file's directory (.dvc/).
    const resolved = isExternal(url.value) || url.value.startsWith('~') ? url.value : joinRepoPath(dir, url.value);
    remotes.push({ name: remoteName, url: resolved, versionAware: flag('version_aware'), worktree: flag('worktree') });
  }

  const value: DvcConfig = { remotes };
  const core = sections.get('core')?.settings.get('remote');
  if (core && core.value !== '') {
    value.defaultRemote = core.value.toLowerCase();
    if (!remotes.some((remote) => remote.name === value.defaultRemote)) {
      report(core.line, `core.remote names '${value.defaultRemote}', which is not a remote with a url in this file`);
    }
  }
  return { value, problems };
}

const isSpace = (char: string | undefined): boolean => char !== undefined && char.trim() === '';

/**
 * `[name]`, `[[name]]`, `['remote "x"']  # comment` as `^(\[+)\s*(.*?)\s*(\]+)\s*(#.*)?$` reads
 * them, without that expression's quadratic backtracking on long lines: the name ends at
 * the first `]` run after which only spaces and a comment follow.
 */
function readSectionHeader(line: string): { open: number; name: string; close: number } | undefined {
  const n = line.length;
  // tail[k]: line[k..] is spaces, optionally followed by a `#` comment.
  const tail = new Uint8Array(n + 1);
  // nextSolid[k]: the first non-space at or after k; runEnd[k]: the end of the `]` run starting at k.
  const nextSolid = new Uint32Array(n + 1);
  const runEnd = new Uint32Array(n + 1);
  tail[n] = 1;
  nextSolid[n] = n;
  runEnd[n] = n;
  for (let k = n - 1; k >= 0; k--) {
    const char = line[k];
    tail[k] = char === '#' || (isSpace(char) && tail[k + 1] === 1) ? 1 : 0;
    nextSolid[k] = isSpace(char) ? (nextSolid[k + 1] as number) : k;
    runEnd[k] = char === ']' ? (runEnd[k + 1] as number) : k;
  }
  let open = 0;
  while (line[open] === '[') open++;
  let start = open;
  while (isSpace(line[start])) start++;
  for (let k = start; k < n; k++) {
    const solid = nextSolid[k] as number;
    if (line[solid] !== ']') continue;
    const end = runEnd[solid] as number;
    if (tail[end] === 1) return { open, name: line.slice(start, k), close: end - solid };
  }
  return undefined;
}

/** `key = value` as `^("[^"]*"|'[^']*'|[^=]+?)\s*=\s*(.*)$` reads it, in one pass. */
function readKeyValue(line: string): { key: string; value: string } | undefined {
  const quote = line[0];
  if (quote === '"' || quote === "'") {
    const close = line.indexOf(quote, 1);
    if (close > 0) {
      let at = close + 1;
      while (isSpace(line[at])) at++;
      if (line[at] === '=') return { key: line.slice(0, close + 1), value: line.slice(at + 1).trimStart() };
    }
  }
  const equals = line.indexOf('=');
  if (equals <= 0) return undefined;
  return { key: line.slice(0, equals).trimEnd(), value: line.slice(equals + 1).trimStart() };
}

/** A value as configobj reads it: quoted as written, otherwise up to a `#` comment. */
function readValue(raw: string): string | undefined {
  const quote = raw[0];
  if (quote === '"' || quote === "'") {
    const end = raw.indexOf(quote, 1);
    return end < 0 ? undefined : raw.slice(1, end);
  }
  const hash = raw.indexOf('#');
  return (hash < 0 ? raw : raw.slice(0, hash)).trim();
}

function unquote(text: string): string {
  const trimmed = text.trim();
  const match = /^(["'])(.*)\1$/.exec(trimmed);
  return match ? (match[2] ?? '') : trimmed;
}
