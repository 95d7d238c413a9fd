/**
 * A named quota, paced evenly: `calls` per `intervalMs` becomes bursts of at most `calls` starts
 * per `intervalMs`, a burst at most every SLICE_MS (so 500 a minute is 4 starts every 490 ms, 2 a
 * minute one every 30 s, 10 an hour one every 6 minutes). Pacing evenly keeps the pace safe whether
 * the server counts per aligned period, over a sliding one, or over a shorter window.
 */
import type { Quota } from '../../core/errors.js';

/** Shortest time between two bursts. */
export const SLICE_MS = 500;

/** The even pace of `share` (0..1] of a quota: at most `calls` starts in any `intervalMs`. */
export function spreadQuota(quota: Quota, share = 1): Quota {
  const effective = quota.calls * share;
  const calls = Math.max(1, Math.floor((effective * SLICE_MS) / quota.intervalMs));
  return { calls, intervalMs: (quota.intervalMs * calls) / effective };
}

/** Calls per minute of a quota. */
export function perMinute(quota: Quota): number {
  return (quota.calls * 60_000) / quota.intervalMs;
}
