/**
 * Journal rows <-> records, shared by the SQLite and Postgres journals. Params and reports are
 * scrubbed of registered secrets before they are stored.
 */
import type { Batch } from '../core/types.js';
import type { BatchRecord, BatchStatus, RunRecord, RunStatus } from '../core/store.js';
import { readReport, type RunReport } from '../core/report.js';
import { scrub } from '../core/secrets.js';

/** A `sluice_runs` row as either database returns it. */
export interface RunRow {
  readonly id: string;
  readonly job: string;
  readonly status: string;
  readonly started_at: string | Date;
  readonly finished_at: string | Date | null;
  readonly report: string | object | null;
}

/** A `sluice_batches` row as either database returns it. */
export interface BatchRow {
  readonly run_id: string;
  readonly batch_key: string;
  readonly params: string | object;
  readonly window: string | object | null;
  readonly status: string;
  readonly attempts: number | string;
  readonly rows: number | string;
  readonly started_at: string | Date | null;
  readonly finished_at: string | Date | null;
  readonly last_error: string | null;
}

/** Statuses `latestUnfinishedRun` looks for. */
export const UNFINISHED: readonly RunStatus[] = ['running', 'interrupted', 'failed'];

function iso(value: string | Date | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : value;
}

function parsed<T>(value: string | object | null): T | null {
  if (value === null) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    job: row.job,
    status: row.status as RunStatus,
    startedAt: iso(row.started_at) as string,
    finishedAt: iso(row.finished_at),
    report: row.report === null ? null : readReport(parsed<unknown>(row.report)),
  };
}

export function toBatchRecord(row: BatchRow): BatchRecord {
  const window = parsed<{ start: string; end: string }>(row.window);
  const batch: Batch = {
    key: row.batch_key,
    params: parsed<Record<string, unknown>>(row.params) ?? {},
    ...(window ? { window } : {}),
  };
  return {
    runId: row.run_id,
    key: row.batch_key,
    batch,
    status: row.status as BatchStatus,
    attempts: Number(row.attempts),
    rows: Number(row.rows),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    lastError: row.last_error,
  };
}

/** The batch's own request parameters as JSON, scrubbed (a token never belongs here). */
export function paramsJson(batch: Batch): string {
  return scrub(JSON.stringify(batch.params ?? {}));
}

export function windowJson(batch: Batch): string | null {
  return batch.window ? JSON.stringify({ start: batch.window.start, end: batch.window.end }) : null;
}

/** The report as stored: JSON, scrubbed. */
export function reportJson(report: RunReport): string {
  return scrub(JSON.stringify(report));
}

/** An error message as stored in `last_error`: scrubbed and bounded. */
export function errorText(error: string): string {
  return scrub(error).slice(0, 2000);
}

export function nowIso(): string {
  return new Date().toISOString();
}
