import { clip, entriesOf, isMapping, setOwn } from './shapes.js';

/** `${ name.sub[0] }`, not preceded by a backslash (`\${` is a literal `${`). */
const PLACEHOLDER = /(\\)?\$\{([^{}]*)\}/g;
/** A `${` without a backslash before it. */
const UNESCAPED_OPEN = /(?:^|[^\\])\$\{/;

/**
 * Resolves DVC's `${…}` placeholders in every string (keys included) of `value`, as
 * `dvc/parsing` does: a string that is one placeholder takes the variable's value and type,
 * otherwise scalars are spliced in as text (`true`/`false` for booleans). A placeholder
 * that names no variable, or that would splice a list or mapping into text, stays as
 * written and is listed in `errors` (once each); so is a `${` that is never closed, which
 * DVC leaves as text. Values of variables are never resolved again, so nothing can loop.
 */
export function interpolate(value: unknown, context: Record<string, unknown>): { value: unknown; errors: string[] } {
  const errors = new Set<string>();
  return { value: resolve(value, context, errors), errors: [...errors] };
}

function resolve(value: unknown, context: Record<string, unknown>, errors: Set<string>): unknown {
  if (typeof value === 'string') return value.includes('${') ? resolveString(value, context, errors) : value;
  if (Array.isArray(value)) return value.map((item) => resolve(item, context, errors));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of entriesOf(value)) {
      setOwn(out, String(resolve(key, context, errors)), resolve(item, context, errors));
    }
    return out;
  }
  return value;
}

function resolveString(text: string, context: Record<string, unknown>, errors: Set<string>): unknown {
  // What is left once the complete placeholders are taken out (each becomes a NUL, so no new `${` forms).
  if (UNESCAPED_OPEN.test(text.replace(PLACEHOLDER, '\u0000'))) {
    errors.add(`unterminated '\${' in '${clip(text)}': DVC keeps it as text; close it with '}', or write '\\\${' for a literal '\${'`);
  }
  const whole = /^\$\{([^{}]*)\}$/.exec(text);
  if (whole) {
    const found = lookup(whole[1] ?? '', context);
    if (found !== undefined) return found;
    errors.add(unresolved(whole[1] ?? ''));
    return text;
  }
  return text.replace(PLACEHOLDER, (match, escaped: string | undefined, inner: string) => {
    if (escaped) return match.slice(1);
    const found = lookup(inner, context);
    if (typeof found === 'boolean') return found ? 'true' : 'false';
    if (typeof found === 'string' || typeof found === 'number') return String(found);
    if (found === null) return 'None';
    if (found === undefined) errors.add(unresolved(inner));
    else errors.add(`cannot put ${Array.isArray(found) ? 'a list' : 'a mapping'} inside text: '${match}'`);
    return match;
  });
}

/**
 * The first string (key or value) in `value` with an unescaped `${`, found without
 * recursion; DVC refuses those inside `vars` ("interpolating is not allowed").
 */
export function findPlaceholder(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (UNESCAPED_OPEN.test(item)) return item;
    } else if (Array.isArray(item)) for (const child of item) stack.push(child);
    else if (isMapping(item)) for (const [key, child] of entriesOf(item)) stack.push(key, child);
  }
  return undefined;
}

/** The variable at a dotted path (`train.layers[0]`, `train.layers.0`), own properties only. */
function lookup(expression: string, context: Record<string, unknown>): unknown {
  const steps = expression.trim().match(/[^.[\]\s]+/g) ?? [];
  let current: unknown = steps.length > 0 ? context : undefined;
  for (const step of steps) {
    if (Array.isArray(current) && /^\d+$/.test(step)) current = current[Number(step)];
    else if (isMapping(current) && Object.prototype.hasOwnProperty.call(current, step)) current = current[step];
    else return undefined;
  }
  return current;
}

function unresolved(expression: string): string {
  return `could not resolve '\${${expression.trim()}}': no such variable in the file's vars or its params.yaml`;
}
