/**
 * The pieces a job's run is made of, each from the validated job: source, store config, plan spec,
 * concurrency rule, split function. Callers go through resolveRun (resolve.ts), which puts them
 * together; this is where job-file names meet library options.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULTS } from '../core/defaults.js';
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
import type { StoreConfig } from '../sinks/open.js';
import { createFileSource, createHttpSource, createTushareSource } from '../sources/index.js';
import { columnKindsOf } from '../sources/tushare-catalogue.js';
import { JOB_DEFAULTS, type JobConfig } from './schema.js';
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
  /** The trading calendar, when the caller has one (a sync's trade_cal); the job's `plan.calendar` file wins. */
  readonly calendar?: Calendar;
  /** Days each `plan.each` value is asked over (a sync's listed lives): planRun cuts its days to them. */
  readonly eachRanges?: Readonly<Record<string, { readonly start: string; readonly end: string }>>;
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

export function sourceOf(job: JobConfig, options: PartsOptions = {}): Source {
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
      maxOffset: maxOffsetOf(job),
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

/** Where the job's rows and journal go: the sink with `--db` applied and paths resolved. */
export function storeConfigOf(job: JobConfig, options: PartsOptions = {}): StoreConfig {
  const sink = sinkWithDb(job.sink, options.db);
  const table = {
    table: sink.table,
    key: sink.key,
    schema: sink.type === 'postgres' ? sink.schema : undefined,
    // column kinds the API's catalogue declares (integer columns; dates as text)
    columns: job.source.type === 'tushare' ? columnKindsOf(job.source.api) : undefined,
  };
  if (sink.type === 'postgres') return { type: 'postgres', url: sink.url, schema: sink.schema, table };
  const path = options.db ?? resolvePath(options.baseDir ?? process.cwd(), sink.path);
  if (sink.type === 'sqlite') return { type: 'sqlite', path, table, groupCommitMs: options.groupCommitMs };
  return { type: 'jsonl', path, table };
}

/** The job's concurrency: a number, or a new adaptive rule (rules hold state: one per run). */
export function limitOf(job: JobConfig): number | Limit {
  const c = job.execution.concurrency;
  if (typeof c === 'number') return c;
  const initial = c.initial ?? Math.min(c.max, Math.max(c.min, JOB_DEFAULTS.execution.concurrency));
  const opts = { min: c.min, max: c.max, initial };
  return c.rule === 'throughput' ? throughputLimit(opts) : gradientLimit(opts);
}

/** Row history of earlier runs of this job: done batches with a window. */
export async function learnedHistory(
  store: Pick<Store, 'listRuns' | 'batches'>,
  jobName: string,
  runs = 3,
): Promise<HistoryRecord[]> {
  const records: HistoryRecord[] = [];
  for (const run of await store.listRuns(jobName, runs)) {
    for (const b of await store.batches(run.id, ['done'])) {
      if (b.batch.window) records.push({ start: b.batch.window.start, end: b.batch.window.end, rows: b.rows });
    }
  }
  return records;
}

/**
 * The planner's view of the job; `history` (done batches of earlier runs) gives the learned
 * density when the job names none. `rows` without any density is a SLUICE_BAD_JOB.
 */
export function planSpecOf(
  job: JobConfig,
  options: PartsOptions = {},
  history: readonly HistoryRecord[] = [],
): PlanSpec {
  const baseDir = options.baseDir ?? process.cwd();
  const p = job.plan;
  const given = p.calendar ? loadCalendar(resolvePath(baseDir, p.calendar), 'plan.calendar') : options.calendar;
  const calendar: Calendar = given ?? weekdayCalendar;
  let density: Density | undefined;
  if (p.rowsPerDay !== undefined) density = constantDensity(p.rowsPerDay, calendar);
  else if (p.density) density = loadDensity(resolvePath(baseDir, p.density), calendar, 'plan.density');
  else if (learnsDensity(job) && history.length > 0) density = densityFromHistory(history, calendar);
  if (p.strategy === 'rows' && !density) {
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
    calendar: given,
    density,
    rowCap: job.source.rowCap,
    maxOffset: maxOffsetOf(job),
    dateParams: p.dateParams,
    each: p.each && values ? { param: p.each.param, values } : undefined,
    concurrency: concurrencyOf(job),
    maxRowsHeld: job.execution.maxRowsHeld,
  };
}

/** Batches the job keeps in flight at most (an adaptive rule's max). */
export function concurrencyOf(job: JobConfig): number {
  const c = job.execution.concurrency;
  return typeof c === 'number' ? c : c.max;
}

/** Whether planning reads earlier runs of the job (a density is learned when none is given). */
export function learnsDensity(job: JobConfig): boolean {
  return job.plan.learnDensity && job.plan.rowsPerDay === undefined && job.plan.density === undefined;
}

/** The offset limit the source pages to: Tushare's by default, none for other sources unless set. */
export function maxOffsetOf(job: JobConfig): number | undefined {
  const s = job.source;
  return s.type === 'tushare' ? (s.maxOffset ?? DEFAULTS.tushare.maxOffset) : s.maxOffset;
}

/**
 * Halves a batch's window on overflow (see plan/splitBatch). It needs only the job's parameter
 * names, so workers build it without reading the job's files.
 */
export function splitterOf(job: JobConfig): (batch: Batch) => Batch[] | undefined {
  const each = job.plan.each ? { param: job.plan.each.param, values: [] } : undefined;
  return (batch) => splitBatch(batch, { dateParams: job.plan.dateParams, each });
}
