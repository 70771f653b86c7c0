/**
 * The environment every git process of the local source runs with.
 *
 * Why not `process.env` as is: a gateway started from a Git hook (or a CI step) inherits
 * `GIT_DIR`, `GIT_OBJECT_DIRECTORY`, `GIT_INDEX_FILE`…, which would silently point our reads
 * at another repository. Everything `GIT_*` is dropped; prompts are disabled so a broken
 * setup fails instead of waiting on a terminal; `LC_ALL=C` keeps git's messages stable.
 */
export function gitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  return { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...extra };
}
