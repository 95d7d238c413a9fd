/**
 * From a validated job to the parts of a run: plan spec, source, store, pacer, concurrency rule,
 * split function. The one place where job-file names meet library options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import type { Limit } from '../core/pacing.js';
import type { Source } from '../core/source.js';
import type { Store } from '../core/store.js';
import type { Batch } from '../core/types.js';
import {
  type Calendar,
  type Density,
  type HistoryRecord,
  type PlanSpec,
  constantDensity,
  densityFromHistory,
  loadCalendar,
  loadDensity,
  splitBatch,
  weekdayCalendar,
} from '../plan/index.js';
import { gradientLimit, throughputLimit } from '../run/index.js';
import { openStore } from '../sinks/index.js';
import { createFileSource, createHttpSource, createTushareSource } from '../sources/index.js';
import { columnKindsOf } from '../sources/tushare-catalogue.js';
import type { JobConfig } from './schema.js';
import { sinkWithDb } from './db-flag.js';

export interface PartsOptions {
  /** Directory that relative paths in the job file are resolved against. @default process.cwd() */
  readonly baseDir?: string;
  /** `--db`: overrides the sink's path (sqlite, jsonl) or URL (postgres). */
  readonly db?: string;
  /**
   * SQLite: commit batches together every this many ms (each batch's rows and done mark still
   * commit together; a crash loses the open group, which --resume refetches). Only for the local
   * engine: a queue worker acknowledges a batch as soon as its commit returns.
   * @default 0 (every batch commits on its own)
   */
  readonly groupCommitMs?: number;
}

/** Resolve a path from the job file against the job file's folder. */
function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

export function baseDirOf(jobPath: string | undefined): string {
  return jobPath ? dirname(resolve(jobPath)) : process.cwd();
}

/** One value per line (blank lines and `#` comments skipped). */
export function readValues(file: string, label: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SluiceError(ErrorCodes.BAD_JOB, `${label}: cannot read ${file}`);
  }
  const values = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (values.length === 0) throw new SluiceError(ErrorCodes.BAD_JOB, `${label}: ${file} holds no values`);
  return values;
}

export function createSource(job: JobConfig, options: PartsOptions = {}): Source {
  const s = job.source;
  if (s.type === 'file') {
    return createFileSource({
      path: resolvePath(options.baseDir ?? process.cwd(), s.path),
      api: s.api,
      dateField: s.dateField,
      fields: s.fields,
      rowCap: s.rowCap,
      windowParams: [job.plan.dateParams.start, job.plan.dateParams.end],
    });
  }
  if (s.type === 'tushare') {
    return createTushareSource({
      url: s.url,
      token: s.token ?? '',
      api: s.api,
      fields: s.fields,
      params: s.params,
      rowCap: s.rowCap,
      maxOffset: s.maxOffset,
    });
  }
  return createHttpSource({
    api: s.api,
    url: s.url,
    method: s.method,
    body: s.body,
    queryParams: s.queryParams,
    headers: s.headers,
    secrets: s.secrets,
    params: s.params,
    rowsPath: s.rowsPath,
    fieldsPath: s.fieldsPath,
    fields: s.fields,
    rowCap: s.rowCap,
    pagination: s.pagination,
    rateLimitStatuses: s.rateLimitStatuses,
    maxPages: s.maxPages,
  });
}

export { sinkWithDb } from './db-flag.js';

export function createStore(job: JobConfig, options: PartsOptions = {}): Store {
  const sink = sinkWithDb(job.sink, options.db);
  const table = {
    table: sink.table,
    key: sink.key,
    schema: sink.type === 'postgres' ? sink.schema : undefined,
    // column kinds the API's catalogue declares (integer columns; dates as text)
    columns: job.source.type === 'tushare' ? columnKindsOf(job.source.api) : undefined,
  };
  const baseDir = options.baseDir ?? process.cwd();
  if (sink.type === 'postgres') return openStore({ type: 'postgres', url: sink.url, schema: sink.schema, table });
  const path = options.db ? sink.path : resolvePath(baseDir, sink.path);
  if (sink.type === 'sqlite') return openStore({ type: 'sqlite', path, table, groupCommitMs: options.groupCommitMs });
  return openStore({ type: sink.type, path, table });
}

/** Whether the sink's database already exists (always assumed for PostgreSQL). */
export function sinkExists(job: JobConfig, options: PartsOptions = {}): boolean {
  const sink = sinkWithDb(job.sink, options.db);
  if (sink.type === 'postgres') return true;
  const path = options.db ? sink.path : resolvePath(options.baseDir ?? process.cwd(), sink.path);
  return existsSync(sink.type === 'jsonl' ? `${path}.journal.db` : path);
}

export function createLimit(job: JobConfig): number | Limit {
  const c = job.execution.concurrency;
  if (typeof c === 'number') return c;
  const opts = { min: c.min, max: c.max, initial: c.initial ?? Math.min(c.max, Math.max(c.min, 4)) };
  return c.rule === 'throughput' ? throughputLimit(opts) : gradientLimit(opts);
}

/** Row history of earlier runs of this job: done batches with a window. */
export async function learnedHistory(store: Store, jobName: string, runs = 3): Promise<HistoryRecord[]> {
  const records: HistoryRecord[] = [];
  for (const run of await store.listRuns(jobName, runs)) {
    for (const b of await store.batches(run.id, ['done'])) {
      if (b.batch.window) records.push({ start: b.batch.window.start, end: b.batch.window.end, rows: b.rows });
    }
  }
  return records;
}

/** The planner's view of the job; `history` feeds the learned density of the `rows` strategy. */
export function planSpecOf(
  job: JobConfig,
  options: PartsOptions & { history?: readonly HistoryRecord[] } = {},
  { allowMissingDensity = false } = {},
): PlanSpec {
  const baseDir = options.baseDir ?? process.cwd();
  const p = job.plan;
  const calendar: Calendar = p.calendar
    ? loadCalendar(resolvePath(baseDir, p.calendar), 'plan.calendar')
    : weekdayCalendar;
  let density: Density | undefined;
  if (p.rowsPerDay !== undefined) density = constantDensity(p.rowsPerDay, calendar);
  else if (p.density) density = loadDensity(resolvePath(baseDir, p.density), calendar, 'plan.density');
  else if (p.learnDensity && options.history && options.history.length > 0)
    density = densityFromHistory(options.history, calendar);
  if (p.strategy === 'rows' && !density && !allowMissingDensity) {
    throw new SluiceError(
      ErrorCodes.BAD_JOB,
      'plan.strategy: rows needs plan.rowsPerDay, plan.density, or an earlier run of this job to learn from',
    );
  }
  const values = p.each
    ? (p.each.values ?? readValues(resolvePath(baseDir, p.each.valuesFrom ?? ''), 'plan.each.valuesFrom'))
    : undefined;
  return {
    start: p.start,
    end: p.end,
    strategy: p.strategy,
    frequency: p.frequency,
    calendar: p.calendar ? calendar : undefined,
    density,
    rowCap: job.source.rowCap,
    maxOffset: job.source.type === 'tushare' ? (job.source.maxOffset ?? 100_000) : job.source.maxOffset,
    dateParams: p.dateParams,
    each: p.each && values ? { param: p.each.param, values } : undefined,
  };
}

/** Halves a batch's window on overflow (see plan/splitBatch). */
export function splitterOf(spec: PlanSpec): (batch: Batch) => Batch[] | undefined {
  return (batch) => splitBatch(batch, { dateParams: spec.dateParams, each: spec.each });
}
