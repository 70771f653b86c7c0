import { performance } from 'node:perf_hooks';

/** Runs `call` and fails when it takes longer than `boundMs` (a bound for one parser call on hostile input). */
export function bounded<T>(call: () => T, boundMs = 1000): T {
  const started = performance.now();
  const result = call();
  const elapsed = performance.now() - started;
  if (elapsed > boundMs) throw new Error(`took ${elapsed.toFixed(0)} ms, over the ${boundMs} ms bound`);
  return result;
}
