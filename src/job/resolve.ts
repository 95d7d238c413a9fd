/**
 * From a validated job to its run parts, in one function: the local engine (job/run.ts), the queue
 * workers (distributed/processor.ts) and `sluice plan JOB` all call resolveRun, and plan with
 * planRun, so a default or a job key means the same thing on every path.
 */
import { type DayRange, parseDay, parseRange } from '../core/dates.js';
import { ErrorCodes, isSluiceError } from '../core/errors.js';
import type { CoverageReport } from '../core/report.js';
import type { Limit, RateLimit } from '../core/pacing.js';
import type { Source } from '../core/source.js';
import type { Batch } from '../core/types.js';
import {
  type DoneWindow,
  type HistoryRecord,
  type Plan,
  type PlanSpec,
  clipRanges,
  distinct,
  planJob,
  runCoverage,
  weekdayCalendar,
} from '../plan/index.js';
import type { BackoffOptions, BreakerOptions } from '../run/index.js';
import type { BatchRecord, Store } from '../core/store.js';
import { openJournalReader, openStore, type StoreConfig } from '../sinks/open.js';
import { type KnownFacts, readApiFacts } from './api-facts.js';
import {
  type PartsOptions,
  learnedHistory,
  learnsDensity,
  limitOf,
  planSpecOf,
  sourceOf,
  splitterOf,
  storeConfigOf,
} from './parts.js';
import type { JobConfig } from './schema.js';
import { jobFingerprint } from './fingerprint.js';

export type ResolveOptions = PartsOptions;

/** The executor options a job sets: the same for the local engine and the queue workers. */
export interface JobExecutorOptions {
  /** A number, or a new adaptive rule (workers run one batch per slot and ignore it). */
  readonly concurrency: number | Limit;
  /** The job's quota; each engine builds its pacer from it (in process, or in Redis). */
  readonly pacer: RateLimit | 'adaptive' | undefined;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly backoff: BackoffOptions | undefined;
  readonly maxRowsHeld: number;
  /** A used-up daily quota: wait for its reset instead of stopping the run. */
  readonly waitForQuotaReset: boolean;
  /** The circuit breaker (run/breaker.ts); `false` = off, undefined = its defaults. */
  readonly breaker: BreakerOptions | false | undefined;
  readonly split: (batch: Batch) => Batch[] | undefined;
}

/** Everything a run of the job is made of, before anything is opened. */
export interface RunParts {
  readonly job: JobConfig;
  readonly options: ResolveOptions;
  /** The job's rows and journal: `openStore(parts.store)`. */
  readonly store: StoreConfig;
  /** Whether planning reads earlier runs of the job from its journal (learned density). */
  readonly learnsDensity: boolean;
  /** What the job fetches (job/fingerprint.ts): runs with the same one cover each other's days. */
  readonly fingerprint: string;
  readonly executor: JobExecutorOptions;
  /** Builds the job's source (planning needs none). */
  source(): Source;
  /** The planner's view of the job, given the done batches of earlier runs. */
  planSpec(history?: readonly HistoryRecord[]): PlanSpec;
}

/** Names the planner's errors use for a job (the flag form of `sluice plan` passes flag names). */
export const JOB_PLAN_LABELS = {
  start: 'plan.start',
  end: 'plan.end',
  strategy: 'plan.strategy',
  frequency: 'plan.frequency',
  rowCap: 'source.rowCap',
  maxOffset: 'source.maxOffset',
} as const;

/**
 * Turns a validated job (and `baseDir`, `--db`) into its run parts: the store config, the source,
 * the executor options and the plan spec, as `sluice run`, the queue workers and `sluice plan JOB`
 * all build them.
 * @example
 * ```ts
 * import { loadJobFile, planRun, resolveRun } from 'sluice';
 * const { job } = loadJobFile('daily.yaml');
 * const parts = resolveRun(job, { baseDir: '.' });
 * parts.executor.retries; // the job's execution.retries
 * ```
 */
export function resolveRun(job: JobConfig, options: ResolveOptions = {}): RunParts {
  const e = job.execution;
  return {
    job,
    options,
    store: storeConfigOf(job, options),
    learnsDensity: learnsDensity(job),
    fingerprint: jobFingerprint(job),
    executor: {
      concurrency: limitOf(job),
      pacer: job.source.rateLimit,
      retries: e.retries,
      timeoutMs: e.timeoutMs,
      backoff: e.backoff,
      maxRowsHeld: e.maxRowsHeld,
      waitForQuotaReset: e.waitForQuotaReset,
      breaker: e.breaker,
      split: splitterOf(job),
    },
    source: () => sourceOf(job, options),
    planSpec: (history) => planSpecOf(job, options, history),
  };
}

export interface OpenedParts {
  readonly source: Source;
  /** The job's store, open. */
  readonly store: Store;
  /** What earlier runs learned about the API (api-facts.ts); its row cap is already given to the source. */
  readonly known: KnownFacts;
}

/**
 * Builds the source, then opens the store (so a bad source writes nothing) and hands the source
 * what earlier runs learned about its row cap. The caller closes the store.
 */
export async function openParts(parts: RunParts): Promise<OpenedParts> {
  const source = parts.source();
  const store = openStore(parts.store);
  await store.open();
  try {
    const known = await readApiFacts(store, parts.job);
    if (known.cap) source.knownCap?.(known.cap);
    return { source, store, known };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The plan of a run, with the spec it was made from and what the journal gave it.
 * @example
 * ```ts
 * const { plan, coverage }: PlannedRun = await planRun(parts);
 * console.log(plan.batches.length, coverage.skippedDays, coverage.fetchedDays);
 * ```
 */
export interface PlannedRun {
  readonly plan: Plan;
  readonly spec: PlanSpec;
  /** Done batches of earlier runs the density was learned from (0: none learned). */
  readonly learnedFrom: number;
  /** What the plan skips as covered by earlier runs and fetches (`full`: coverage not used). */
  readonly coverage: CoverageReport;
}

/**
 * Options of `planRun`.
 * @example
 * ```ts
 * const { plan } = await planRun(parts, { full: true }); // the whole range, as a first run
 * ```
 */
export interface PlanRunOptions {
  /** Plan the whole range again, whatever earlier runs covered (`--full`). */
  readonly full?: boolean;
}

/** What planning reads from the job's journal: the learned density's history and the done batches. */
interface JournalView {
  readonly history: HistoryRecord[];
  readonly done: BatchRecord[];
}

/** The job's journal as planning needs it; empty when there is no journal yet. */
async function readJournal(parts: RunParts, full: boolean): Promise<JournalView> {
  if (!parts.learnsDensity && full) return { history: [], done: [] };
  const journal = openJournalReader(parts.store);
  try {
    await journal.open();
    const history = parts.learnsDensity ? await learnedHistory(journal, parts.job.name) : [];
    const done = full ? [] : await journal.doneBatches(parts.job.name, parts.fingerprint);
    return { history, done };
  } catch (err) {
    if (isSluiceError(err) && err.code === ErrorCodes.NOT_FOUND) return { history: [], done: [] };
    throw err;
  } finally {
    await journal.close().catch(() => undefined);
  }
}

const DAY_MS = 86_400_000;

/**
 * The days a done batch covers: its window, but not the day its batch finished nor later (data of
 * those days may not have been published yet: the next run fetches them again).
 */
function coveredWindow(record: BatchRecord): DayRange | undefined {
  const w = record.batch.window;
  if (!w) return undefined;
  const start = parseDay(w.start, `batch ${record.key} window start`);
  let end = parseDay(w.end, `batch ${record.key} window end`);
  if (record.finishedAt) end = Math.min(end, Math.floor(Date.parse(record.finishedAt) / DAY_MS) - 1);
  return end >= start ? { start, end } : undefined;
}

/** The done windows of earlier runs, per `each` value. */
function doneWindows(done: readonly BatchRecord[], spec: PlanSpec): DoneWindow[] {
  const param = spec.each?.param;
  const out: DoneWindow[] = [];
  for (const r of done) {
    const window = coveredWindow(r);
    if (!window) continue;
    const value = param === undefined ? '' : r.batch.params[param];
    if (value === undefined) continue;
    out.push({ value: String(value), window, runId: r.runId });
  }
  return out;
}

/**
 * The days to plan per value cut to each value's own days (`eachRanges`, e.g. a stock's listed
 * life): no batch for days a value does not have. Unchanged without ranges.
 */
function withinLives(
  todo: ReadonlyMap<string, readonly DayRange[]> | undefined,
  range: DayRange,
  values: readonly string[],
  lives: ResolveOptions['eachRanges'],
): ReadonlyMap<string, readonly DayRange[]> | undefined {
  if (!lives) return todo;
  const out = new Map<string, readonly DayRange[]>();
  for (const v of values) {
    const days = todo ? (todo.get(v) ?? []) : [range];
    const life = lives[v];
    if (!life) {
      out.set(v, days);
      continue;
    }
    const span = { start: parseDay(life.start, `the range of ${v}`), end: parseDay(life.end, `the range of ${v}`) };
    out.set(v, span.start > span.end ? [] : clipRanges(days, span));
  }
  return out;
}

/**
 * The plan a run of the job makes, exactly: what `sluice run` executes and `sluice plan JOB`
 * prints. What planning learns from the job's journal is read here, and nothing is written. Days
 * that done batches of earlier runs with the job's fingerprint cover are not planned again (but
 * the last `plan.lookback` trading days of them are), unless `full`.
 * @example
 * ```ts
 * import { loadJobFile, planRun, resolveRun } from 'sluice';
 * const { plan, coverage } = await planRun(resolveRun(loadJobFile('daily.yaml').job));
 * console.log(plan.batches.length, plan.stats.estimatedCalls, coverage.skippedDays);
 * ```
 */
export async function planRun(parts: RunParts, options: PlanRunOptions = {}): Promise<PlannedRun> {
  const full = options.full === true;
  const { history, done } = await readJournal(parts, full);
  const base = parts.planSpec(history);
  const learnedFrom = base.density && history.length > 0 && parts.learnsDensity ? history.length : 0;
  const range = parseRange(base.start, base.end, { start: JOB_PLAN_LABELS.start, end: JOB_PLAN_LABELS.end });
  const values = base.each ? distinct(base.each.values.map(String)) : [''];
  const cov = runCoverage(range, values, doneWindows(done, base), {
    lookback: full ? 0 : parts.job.plan.lookback,
    calendar: base.calendar ?? weekdayCalendar,
  });
  const todo = withinLives(full ? undefined : cov.todo, range, values, parts.options.eachRanges);
  const spec: PlanSpec = todo ? { ...base, todo } : base;
  return { plan: planJob(spec, JOB_PLAN_LABELS), spec, learnedFrom, coverage: { ...cov.stats, full } };
}
