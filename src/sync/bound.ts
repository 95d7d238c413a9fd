/**
 * The fewest calls that could have fetched what a run fetched: over each value it asked for (each
 * code of a per-code job, or the one whole-market value), ceil(rows / row cap), at least 1. Read
 * from the run's done batches in the journal.
 */
import type { BatchRecord } from '../core/store.js';

export function lowerBoundOf(records: readonly BatchRecord[], cap: number, eachParam?: string): number {
  const rows = new Map<string, number>();
  for (const r of records) {
    if (r.status !== 'done') continue;
    const value = eachParam === undefined ? '' : String(r.batch.params[eachParam]);
    rows.set(value, (rows.get(value) ?? 0) + r.rows);
  }
  let bound = 0;
  for (const n of rows.values()) bound += Math.max(1, Math.ceil(n / cap));
  return bound;
}
