/** Durations on the command line: `15s`, `500ms`, `2m`, or a bare number of seconds. */
import { usageError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration flag; undefined when absent; a usage error naming the flag when bad. */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) throw usageError(`${name}: expected a duration such as 15s, 500ms or 2m, got ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']);
}
