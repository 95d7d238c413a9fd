/**
 * A job's fingerprint: what its runs fetch and where the rows land. Runs with the same fingerprint
 * cover each other's days (an incremental run skips the days their done batches hold); a change
 * to the API, the params, the fields, the `each` parameter or the table starts coverage afresh.
 */
import { createHash } from 'node:crypto';
import type { JobConfig } from './schema.js';

/** JSON with object keys sorted, so that the same content always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * 16 hex digits naming the job's name, API, params, fields (as a set), `each` parameter and
 * table. The date range, the strategy and the `each` values are not part of it: those are what
 * an incremental run compares against the journal.
 * @example
 * ```ts
 * import { jobFingerprint, loadJobFile } from 'sluice';
 * const fp = jobFingerprint(loadJobFile('daily.yaml').job); // e.g. '3f9a0c1d2b4e5f60'
 * ```
 */
export function jobFingerprint(job: JobConfig): string {
  const parts = {
    name: job.name,
    api: job.source.api,
    params: job.source.params ?? {},
    fields: job.source.fields ? [...new Set(job.source.fields)].sort() : null,
    each: job.plan.each?.param ?? null,
    table: job.sink.table,
  };
  return createHash('sha256').update(canonical(parts)).digest('hex').slice(0, 16);
}
