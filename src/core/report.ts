/**
 * The run report: what `sluice run` stores in `sluice_runs` and `sluice report --json` prints.
 *
 * Every field the report builder writes is listed here, one named interface per section, so a
 * reader gets a definite type and a new field is one line in its section. A field added to the
 * report also gets its "not measured" value in EMPTY_REPORT below (the compiler insists): reports
 * stored before the field existed are read through `readReport`, which fills it in from there.
 */

import { DEFAULTS } from './defaults.js';
import { ErrorCodes, SluiceError } from './errors.js';
import type { ErrorKindCount } from './error-kinds.js';

/**
 * Failed calls of one API (rate-limit refusals are not failures): the most frequent kinds, each
 * with a count and one example message (scrubbed of secrets).
 * @example
 * ```ts
 * for (const a of report.errors ?? []) console.log(a.api, a.failedCalls, a.top[0]?.example);
 * ```
 */
export interface ApiErrorsReport {
  readonly api: string;
  readonly failedCalls: number;
  readonly top: readonly ErrorKindCount[];
}

/**
 * How a metric rates.
 * @example
 * ```ts
 * const worst: Rating[] = Object.values(report.ratings).filter((r): r is Rating => r === 'needs-optimization');
 * ```
 */
export type Rating = 'excellent' | 'good' | 'needs-optimization';

/**
 * Minimum, maximum, mean and (population) variance of sizes.
 * @example
 * ```ts
 * const { min, max, avg } = report.plan.batchSizes;
 * ```
 */
export interface SizeStats {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly variance: number;
}

/**
 * One bin of a size histogram, bounds inclusive.
 * @example
 * ```ts
 * for (const bin of report.batchSizeHistogram) console.log(`${bin.from}-${bin.to} rows: ${bin.count}`);
 * ```
 */
export interface SizeBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/**
 * One target: its limit, the measured value, and whether it was met.
 * @example
 * ```ts
 * const missed: TargetCheck[] = report.targets.checks.filter((c) => c.met === false);
 * ```
 */
export interface TargetCheck {
  readonly metric: string;
  readonly target: number;
  /** What `target` and `actual` are in (`rows/s`, `MB`...); absent from reports of older versions. */
  readonly unit?: string;
  /** null when the run did not measure it. */
  readonly actual: number | null;
  /** null when not measured. */
  readonly met: boolean | null;
}

/**
 * How the range was cut into batches.
 * @example
 * ```ts
 * console.log(
 *   `${report.plan.batchCount} batches (${report.plan.strategy}), ${report.plan.reductionRate}% fewer than daily`,
 * );
 * ```
 */
export interface PlanReport {
  /** The strategy as configured, with the one it resolved to: `smart (quarter)`. */
  readonly strategy: string | null;
  readonly batchCount: number;
  /** Plan generation wall time, ms. */
  readonly generationMs: number;
  /** Percent fewer batches than one per (trading) day. */
  readonly reductionRate: number;
  /** Window size distribution, in `sizeUnit`. */
  readonly batchSizes: SizeStats;
  /** Days per window, or estimated rows per window when a density was known. */
  readonly sizeUnit: 'days' | 'rows';
  readonly timeSpanDays: number;
  /** One batch per day (or trading day with a calendar): what `reductionRate` compares against. */
  readonly baselineBatches: number;
  readonly batchesPerDay: number;
  /** null without a row density. */
  readonly estimatedRows: number | null;
  readonly estimatedCalls: number | null;
}

/**
 * Call figures of one API.
 * @example
 * ```ts
 * for (const api of report.calls.byApi) console.log(api.api, api.calls, api.p95Ms);
 * ```
 */
export interface ApiCallsReport {
  readonly api: string;
  readonly calls: number;
  readonly failed: number;
  readonly retried: number;
  readonly rateLimited: number;
  /** failed / calls. */
  readonly errorRate: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly callsPerSecond: number;
  readonly rows: number;
}

/**
 * Every HTTP call of the run (pages and retries included), and per API.
 * @example
 * ```ts
 * const { total, errorRate, p95Ms } = report.calls;
 * ```
 */
export interface CallsReport {
  readonly total: number;
  /** Calls that failed other than by a rate-limit answer. */
  readonly failed: number;
  /** Calls that were a retry. */
  readonly retried: number;
  /** Calls the server refused with "too many calls". */
  readonly rateLimited: number;
  /** failed / total. */
  readonly errorRate: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Calls per second of wall time. */
  readonly callsPerSecond: number;
  /** Waits after rate-limit answers, and their total time. */
  readonly rateLimitWaits: number;
  readonly rateLimitWaitMs: number;
  /** Waits for a pacing slot of the run's own quota, and their total time. */
  readonly quotaWaits: number;
  readonly quotaWaitMs: number;
  /** Upstream codes seen (e.g. "40203"), with counts. */
  readonly byCode: Readonly<Record<string, number>>;
  readonly byApi: readonly ApiCallsReport[];
  /** The quota line of the calls chart, calls per second: the job's `rateLimit`, else the pace the server named; null without either. */
  readonly quotaPerSecond: number | null;
  /**
   * The calls the run spent on its data: every call it made (pages, probes and retries of failed
   * calls included) except the server's rate-limit refusals, which are counted in `rateLimited`.
   */
  readonly spent: number;
  /**
   * The fewest calls that could have fetched the rows this session landed: the sum, over the job's
   * `each` values (the whole job when it has none), of max(1, ceil(rows / row cap)), with the row cap
   * the run used. Null without done batches.
   */
  readonly lowerBound: number | null;
  /** spent / lowerBound: 1 is the fewest calls possible; null when lowerBound is. */
  readonly overLowerBound: number | null;
}

/**
 * Rows fetched from the source and written to the store.
 * @example
 * ```ts
 * console.log(report.rows.fetched, report.rows.written);
 * ```
 */
export interface RowsReport {
  readonly fetched: number;
  /** Rows of done batches, from the journal (the whole run, earlier sessions included). */
  readonly written: number;
}

export interface HeapSpaceGrowth {
  readonly space: string;
  readonly growthMb: number;
}

/**
 * Process memory over the run and the row budget's waits.
 * @example
 * ```ts
 * console.log(`peak RSS ${report.memory.peakRssMb} MB, growth ${report.memory.growthMb ?? 'not measured'}`);
 * ```
 */
export interface MemoryReport {
  readonly startRssMb: number;
  readonly peakRssMb: number;
  /** Peak RSS minus start RSS: the figure that is rated; null when memory was not sampled. */
  readonly growthMb: number | null;
  readonly peakHeapMb: number;
  /** Calls that waited for the row budget (rows held in memory), and their total wait. */
  readonly rowBudgetWaits: number;
  readonly rowBudgetWaitMs: number;
  /** The row budget; null when no call ever waited for it. */
  readonly maxRowsHeld: number | null;
  /** v8 heap used growth over the run; null when not measured. */
  readonly heapGrowthMb: number | null;
  /** The v8 heap spaces that grew most (at most five). */
  readonly heapSpaces: readonly HeapSpaceGrowth[];
  readonly samples: number;
}

/**
 * The concurrency limit over the run.
 * @example
 * ```ts
 * console.log(report.concurrency.min, report.concurrency.max, report.concurrency.final);
 * ```
 */
export interface ConcurrencyReport {
  /** Concurrency limit: lowest, highest and last value. */
  readonly min: number;
  readonly max: number;
  readonly final: number;
  /** Most batches in flight at once. */
  readonly maxInflight: number;
  /** False when the engine reported no concurrency (the figures above are then 0). */
  readonly observed: boolean;
}

/**
 * Leaf batches of the run from the journal (split parents not counted).
 * @example
 * ```ts
 * if (report.batches.failed > 0)
 *   console.log(`${report.batches.failed} of ${report.batches.total} failed: resume the run`);
 * ```
 */
export interface BatchesReport {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** Not finished: interrupted, or left when the run stopped. */
  readonly pending: number;
  /** Windows that overflowed the row cap and were split (this session). */
  readonly split: number;
  /** Batches this session finished per minute of wall time; null without batches. */
  readonly perMinute: number | null;
}

export type RatingKey = 'generationTime' | 'memory' | 'optimizationRate' | 'callRate' | 'errorRate';

/**
 * The rating of each metric; null when the run did not measure it.
 * @example
 * ```ts
 * const memoryRating = report.ratings.memory; // 'excellent' | 'good' | 'needs-optimization' | null
 * ```
 */
export type Ratings = Readonly<Record<RatingKey, Rating | null>>;

/**
 * The run checked against its performance targets.
 * @example
 * ```ts
 * if (!report.targets.met) console.log(report.targets.checks.filter((c) => c.met === false));
 * ```
 */
export interface TargetsReport {
  readonly met: boolean;
  /** Whether a miss fails the run (exit 1): the job set `targets:` or `--targets` was given. */
  readonly enforced: boolean;
  readonly checks: readonly TargetCheck[];
}

/**
 * How well the plan's windows fit the API.
 * @example
 * ```ts
 * const { fillRatio, rowsStrategyCalls } = report.analysis;
 * ```
 */
export interface BatchAnalysis {
  readonly strategy: string | null;
  readonly batchCount: number;
  readonly timeSpanDays: number;
  readonly baselineBatches: number;
  readonly baselineUnit: 'days' | 'trading-days';
  /** Percent fewer batches than the baseline. */
  readonly reductionRate: number;
  readonly batchesPerDay: number;
  readonly sizeUnit: 'days' | 'rows';
  readonly windowSizes: SizeStats;
  /** Rows per done batch. */
  readonly rowsPerBatch: SizeStats;
  /** Rows fetched per successful call (null without calls). */
  readonly rowsPerCall: number | null;
  readonly rowCap: number | null;
  /** rowsPerCall / rowCap: how full the average page was (null without a cap or calls). */
  readonly fillRatio: number | null;
  /** Done batches holding under a quarter of the row cap (null when unknown). */
  readonly underfilledBatches: number | null;
  /** Windows that overflowed the row cap and were split. */
  readonly overflowedWindows: number;
  /**
   * Calls a row-budget plan would need at least for the rows fetched: ceil(rows / rowCap), and at
   * least one per partition value (rows of different symbols cannot share a call). Null without a cap.
   */
  readonly rowsStrategyCalls: number | null;
  /** Successful calls this run made for its pages. */
  readonly pageCalls: number;
  /** `each` values the calls' lower bound was summed over (null when the job has no `each`). */
  readonly eachValues: number | null;
}

/**
 * One bucket of the run's timeline (`bucketMs` wide).
 * @example
 * ```ts
 * const peakCallsPerSecond = Math.max(0, ...report.timeline.map((s) => s.callsPerSecond));
 * ```
 */
export interface TimelineSample {
  /** Bucket start, ms since the run started. */
  readonly tMs: number;
  readonly callsPerSecond: number;
  readonly rowsPerSecond: number;
  /** Average latency of the calls that ended in the bucket (0 when none). */
  readonly avgMs: number;
  /** Most batches in flight in the bucket. */
  readonly inflight: number;
  /** Concurrency limit at the end of the bucket. */
  readonly limit: number;
  readonly rssMb: number;
  /** Average number of batches in each state over the bucket (absent from older reports). */
  readonly slots?: Readonly<Record<SlotState, number>>;
}

/**
 * Where a batch's time goes, from its start until it is written: waiting for the row budget,
 * waiting for quota (pacing, or after a rate-limit answer), fetching, queued for the writer, writing.
 * @example
 * ```ts
 * const state: SlotState = 'quota';
 * const batchesWaiting = report.timeline.at(-1)?.slots?.[state] ?? 0;
 * ```
 */
export type SlotState = 'rows' | 'quota' | 'fetch' | 'queued' | 'write';

/**
 * One batch on its lane (the lowest lane free when it started); times in ms since the run started.
 * @example
 * ```ts
 * const waited = batch.segments.filter(([s]) => s === 'quota').reduce((t, [, a, b]) => t + b - a, 0);
 * ```
 */
export interface LaneBatch {
  readonly key: string;
  readonly lane: number;
  readonly startMs: number;
  /** null while the batch is open. */
  readonly endMs: number | null;
  readonly status: 'fetching' | 'queued' | 'done' | 'failed' | 'split';
  /** Consecutive [state, fromMs, toMs] segments. */
  readonly segments: ReadonlyArray<readonly [SlotState, number, number]>;
}

/**
 * Where the run's batch time went, in total and batch by batch (the last 500 batches).
 * @example
 * ```ts
 * const { quota, fetch } = report.slots?.totalMs ?? { quota: 0, fetch: 0 };
 * ```
 */
export interface SlotsReport {
  /** Most lanes (batches in flight or waiting to be written) in use at once. */
  readonly lanes: number;
  /** Batch-ms in each state over the run. */
  readonly totalMs: Readonly<Record<SlotState, number>>;
  /** Finished batches not kept in `batches`. */
  readonly dropped: number;
  readonly batches: readonly LaneBatch[];
}

/**
 * Failed calls (by status and code) or failed batches (by code), with the latest example.
 * @example
 * ```ts
 * for (const e of report.latestErrors) console.log(e.scope, e.kind, e.code, e.count, e.latest.key);
 * ```
 */
export interface LatestErrorReport {
  /** `call`: one attempt failed (it may have been retried); `batch`: the batch failed. */
  readonly scope: 'call' | 'batch';
  /** The call's status (retryable, rate-limited, overflow, fatal), `failed` for a batch, `other` past 40 kinds. */
  readonly kind: string;
  /** Upstream or Sluice code; "" when none. */
  readonly code: string;
  readonly count: number;
  readonly latest: {
    readonly key: string;
    /** ms since the run started. */
    readonly atMs: number;
    readonly api?: string;
    /** The batch's error message (batch failures). */
    readonly message?: string;
  };
}

/**
 * One bin of the call latency histogram.
 * @example
 * ```ts
 * const slow = report.latencyHistogram
 *   .filter((b) => b.leMs === null || b.leMs > 1000)
 *   .reduce((n, b) => n + b.count, 0);
 * ```
 */
export interface LatencyBin {
  /** Upper bound in ms; null for the last bin (everything above). */
  readonly leMs: number | null;
  readonly count: number;
}

/**
 * What an incremental run skipped as covered by earlier runs of the job (same fingerprint) and
 * what it fetched. Days are trading days by the plan's calendar, summed over `each` values.
 * @example
 * ```ts
 * const c = report.coverage;
 * if (c) console.log(`${c.fetchedDays} days fetched (${c.lookbackDays} looked back), ${c.skippedDays} skipped`);
 * ```
 */
export interface CoverageReport {
  /** Days the run planned: new days and the lookback. */
  readonly fetchedDays: number;
  /** Days done batches of earlier runs held, not fetched again. */
  readonly skippedDays: number;
  /** Covered days fetched again (`plan.lookback`), part of fetchedDays. */
  readonly lookbackDays: number;
  /** Done batches of earlier runs whose days were skipped. */
  readonly skippedBatches: number;
  /** Earlier runs those batches came from. */
  readonly fromRuns: number;
  /** `--full`: the whole range was planned, coverage not used. */
  readonly full: boolean;
}

/**
 * One dataset of a sync (`sluice sync`): its run, rows, calls against their lower bound, time, state.
 * @example
 * ```ts
 * for (const d of report.sync?.datasets ?? []) console.log(d.name, d.calls, d.lowerBound, d.state);
 * ```
 */
export interface SyncDatasetReport {
  /** Its table (and its name in `--only`). */
  readonly name: string;
  readonly api: string;
  /** calendar (trade_cal), codes (a reference list), data. */
  readonly role: 'calendar' | 'codes' | 'data';
  /** Its run in the journal (`sluice report RUN_ID`); null when it did not run. */
  readonly runId: string | null;
  /** succeeded, failed, interrupted; `skipped` when it did not run (the reason in `error`); `done` when an earlier session of a resumed sync finished it. */
  readonly state: 'succeeded' | 'failed' | 'interrupted' | 'skipped' | 'done';
  readonly rows: number;
  /** Calls its run spent (its `calls.spent`: rate-limit refusals not counted). */
  readonly calls: number;
  /** Its run's `calls.lowerBound`: over each value asked (each code), ceil(rows / row cap), at least 1; 0 without rows landed. */
  readonly lowerBound: number;
  /** calls / lowerBound (null when nothing was asked). */
  readonly ratio: number | null;
  readonly wallMs: number;
  readonly error?: string;
  /** Calls per second over the run, for its chart: [ms since the sync started, calls/s]. */
  readonly timeline: ReadonlyArray<readonly [number, number]>;
}

/**
 * What a sync adds to its report: each dataset, and the totals.
 * @example
 * ```ts
 * const s = report.sync;
 * if (s) console.log(`${s.total.calls} calls for ${s.total.rows} rows (${s.total.ratio}x the lower bound)`);
 * ```
 */
export interface SyncReport {
  readonly datasets: readonly SyncDatasetReport[];
  readonly total: {
    readonly rows: number;
    readonly calls: number;
    readonly lowerBound: number;
    readonly ratio: number | null;
    readonly failed: number;
  };
}

/**
 * The run report: what `sluice run` stores and `sluice report --json` prints.
 * @example
 * ```ts
 * const { report } = await runJobFile('daily.yaml');
 * console.log(report.status, report.calls.total, report.rows.written, report.targets.met);
 * ```
 */
export interface RunReport {
  readonly runId: string;
  readonly job: string;
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  /** ISO timestamps of this session. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly wallMs: number;
  /** Set when the run was resumed: when its first session started. */
  readonly resumedFrom?: string;
  /** What the plan skipped as covered by earlier runs and fetched (absent from older reports). */
  readonly coverage?: CoverageReport;
  /** The fatal error that stopped the run, if any (scrubbed of secrets when stored). */
  readonly error?: string;
  /** Failed calls per API, most frequent kinds first (absent from reports of older versions). */
  readonly errors?: readonly ApiErrorsReport[];
  readonly plan: PlanReport;
  readonly calls: CallsReport;
  readonly rows: RowsReport;
  readonly memory: MemoryReport;
  readonly concurrency: ConcurrencyReport;
  readonly batches: BatchesReport;
  readonly ratings: Ratings;
  readonly targets: TargetsReport;
  readonly recommendations: readonly string[];
  readonly analysis: BatchAnalysis;
  /** Width of one timeline bucket, ms. */
  readonly bucketMs: number;
  readonly timeline: readonly TimelineSample[];
  readonly latencyHistogram: readonly LatencyBin[];
  /** Rows per done batch. */
  readonly batchSizeHistogram: readonly SizeBin[];
  /** Planned window sizes, in `plan.sizeUnit`. */
  readonly windowSizeHistogram: readonly SizeBin[];
  /** Where the batches' time went; null when not measured. */
  readonly slots: SlotsReport | null;
  /** Failed calls and batches by kind. */
  readonly latestErrors: readonly LatestErrorReport[];
  /** A sync's report (`sluice sync`): its datasets and totals; absent on a job's run. */
  readonly sync?: SyncReport;
}

const NO_SIZES: SizeStats = { min: 0, max: 0, avg: 0, variance: 0 };

/** A report of nothing measured: what a field missing from an older stored report reads as. */
export const EMPTY_REPORT: RunReport = {
  runId: '',
  job: '',
  status: 'failed',
  startedAt: '',
  finishedAt: '',
  wallMs: 0,
  plan: {
    strategy: null,
    batchCount: 0,
    generationMs: 0,
    reductionRate: 0,
    batchSizes: NO_SIZES,
    sizeUnit: 'days',
    timeSpanDays: 0,
    baselineBatches: 0,
    batchesPerDay: 0,
    estimatedRows: null,
    estimatedCalls: null,
  },
  calls: {
    total: 0,
    failed: 0,
    retried: 0,
    rateLimited: 0,
    errorRate: 0,
    avgMs: 0,
    p50Ms: 0,
    p95Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    callsPerSecond: 0,
    rateLimitWaits: 0,
    rateLimitWaitMs: 0,
    quotaWaits: 0,
    quotaWaitMs: 0,
    byCode: {},
    byApi: [],
    quotaPerSecond: null,
    spent: 0,
    lowerBound: null,
    overLowerBound: null,
  },
  rows: { fetched: 0, written: 0 },
  memory: {
    startRssMb: 0,
    peakRssMb: 0,
    growthMb: null,
    peakHeapMb: 0,
    rowBudgetWaits: 0,
    rowBudgetWaitMs: 0,
    maxRowsHeld: null,
    heapGrowthMb: null,
    heapSpaces: [],
    samples: 0,
  },
  concurrency: { min: 0, max: 0, final: 0, maxInflight: 0, observed: false },
  batches: { total: 0, done: 0, failed: 0, pending: 0, split: 0, perMinute: null },
  ratings: { generationTime: null, memory: null, optimizationRate: null, callRate: null, errorRate: null },
  targets: { met: false, enforced: false, checks: [] },
  recommendations: [],
  analysis: {
    strategy: null,
    batchCount: 0,
    timeSpanDays: 0,
    baselineBatches: 0,
    baselineUnit: 'days',
    reductionRate: 0,
    batchesPerDay: 0,
    sizeUnit: 'days',
    windowSizes: NO_SIZES,
    rowsPerBatch: NO_SIZES,
    rowsPerCall: null,
    rowCap: null,
    fillRatio: null,
    underfilledBatches: null,
    overflowedWindows: 0,
    rowsStrategyCalls: null,
    pageCalls: 0,
    eachValues: null,
  },
  bucketMs: 0,
  timeline: [],
  latencyHistogram: [],
  batchSizeHistogram: [],
  windowSizeHistogram: [],
  slots: null,
  latestErrors: [],
};

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `value` over `defaults`, section by section: what `value` has wins, what it lacks comes from `defaults`. */
function over(defaults: unknown, value: unknown): unknown {
  if (value === undefined) return defaults;
  if (!isPlain(defaults) || !isPlain(value)) return value;
  const out: Plain = { ...value };
  for (const [k, d] of Object.entries(defaults)) out[k] = over(d, value[k]);
  return out;
}

/**
 * A stored report (parsed JSON) as a complete RunReport: fields an older Sluice did not write
 * read as not measured (EMPTY_REPORT), and the window sizes are `plan.batchSizes` even when the
 * report calls them `plan.sizes`.
 * @example
 * ```ts
 * import { readReport } from 'sluice';
 * const report = readReport(JSON.parse(row.report)); // a report stored by any version of Sluice
 * ```
 */
export function readReport(stored: unknown): RunReport {
  if (!isPlain(stored)) throw new SluiceError(ErrorCodes.SINK, 'a stored run report is not a JSON object');
  let value = stored;
  const plan = stored.plan;
  if (isPlain(plan) && plan.batchSizes === undefined && plan.sizes !== undefined) {
    const { sizes, ...rest } = plan;
    value = { ...stored, plan: { ...rest, batchSizes: sizes } };
  }
  return fromOlderVersions(over(EMPTY_REPORT, value) as RunReport, value);
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * What a report of an older version wrote differently: no `calls.spent` (it is all calls but the
 * rate-limit refusals, as then), and a `throughput` target in batches per minute (no `unit`),
 * read as the rows per second of the same run against today's default target.
 */
function fromOlderVersions(report: RunReport, stored: Plain): RunReport {
  const calls = isPlain(stored.calls) ? stored.calls : {};
  const spent = finite(calls.spent) ? calls.spent : Math.max(0, report.calls.total - report.calls.rateLimited);
  const checks = report.targets.checks.map((c): TargetCheck => {
    if (c.metric !== 'throughput' || c.unit !== undefined) return c;
    const target = DEFAULTS.targets.throughput;
    const seconds = report.wallMs / 1000;
    if (!(seconds > 0) || !finite(report.rows.fetched))
      return { metric: c.metric, target, unit: 'rows/s', actual: null, met: null };
    const actual = Math.round((report.rows.fetched / seconds) * 1000) / 1000;
    return { metric: c.metric, target, unit: 'rows/s', actual, met: actual >= target };
  });
  const changed = checks.some((c, i) => c !== report.targets.checks[i]);
  const targets = changed ? { ...report.targets, checks, met: checks.every((c) => c.met !== false) } : report.targets;
  return { ...report, calls: { ...report.calls, spent }, targets };
}
