/**
 * The library's defaults: what each part uses when an option is left out. This table is the only
 * place they are written; the parts read it (run/options, run/backoff, sources, plan, workers),
 * and the job file's defaults (JOB_DEFAULTS in job/schema.ts) read it too instead of restating it.
 */

/**
 * What each part of the library uses when an option is left out (the job file's defaults read it).
 * @example
 * ```ts
 * import { DEFAULTS } from 'sluice';
 * DEFAULTS.executor.retries; // 5
 * DEFAULTS.tushare.maxOffset; // 100000
 * ```
 */
export const DEFAULTS = {
  /** execute() and runBatch(). */
  executor: {
    /** Batches in flight. */
    concurrency: 4,
    /** Most fetched rows a run holds in memory at once (0 = no limit). */
    maxRowsHeld: 50_000,
    /** Retries of one call after retryable failures. */
    retries: 5,
    /** Rate-limit refusals one call may get before its batch fails. */
    maxRateLimitRetries: 50,
    /** Per-call timeout (0 = none). */
    timeoutMs: 30_000,
    /** A used-up daily quota stops the run (true: waits for its reset). */
    waitForQuotaReset: false,
    /** The circuit breaker stops a run when every call to an API has failed this long and this often. */
    breaker: { afterMs: 30_000, afterCalls: 20 },
  },
  /** The job lock (one run of a job at a time on a database). */
  lock: {
    /** A lease not renewed for this long is free to take. */
    leaseMs: 30_000,
    /** How often a run waiting for the lock (--wait) asks again. */
    pollMs: 1_000,
  },
  /** Exponential backoff with full jitter between retries. */
  backoff: { baseMs: 250, maxMs: 30_000 },
  /** planJob(). */
  plan: {
    /** Windows chosen online from the rows the first ones return (plan/auto.ts). */
    strategy: 'auto',
    frequency: 'daily',
    /** Trading days before the end of what earlier runs covered that an incremental run fetches again. */
    lookback: 0,
    /** Request parameter names that carry a window. */
    dateParams: { start: 'start_date', end: 'end_date' },
  },
  /** The Tushare source. */
  tushare: {
    url: 'https://api.tushare.pro',
    /** Rows one call returns at most (Tushare's page size for most APIs). */
    rowCap: 6000,
    /** Largest offset Tushare pages to; a window needing more is split. */
    maxOffset: 100_000,
  },
  /** The generic HTTP source. */
  http: {
    method: 'GET',
    queryParams: true,
    rowsPath: '',
    rowCap: 1000,
    maxPages: 10_000,
    rateLimitStatuses: [429],
  },
  /** The file source. */
  file: { api: 'file', dateField: 'trade_date', rowCap: 6000 },
  /**
   * Performance targets a run is checked against (reported in every run; they fail `sluice run` only
   * when the job sets `targets:` or `--targets` is given): seconds (at most), MB of RSS growth (at
   * most), percent fewer batches than one per day (at least), rows per second (at least), calls per
   * second over the quota's calls per second (at least), failed share of calls (at most).
   */
  targets: {
    batch_generation_time: 0.5,
    memory_usage_mb: 75,
    optimization_rate: 70,
    throughput: 1000,
    quota_use: 0.5,
    error_rate: 0.02,
  },
  /** `sluice worker`. */
  worker: {
    /** Batches run at once, per job queue. */
    concurrency: 4,
    /** How long a batch's lock lasts without renewal; a dead worker's batch is retried after it. */
    lockDurationMs: 30_000,
    /** How often stalled batches are looked for. */
    stalledIntervalMs: 30_000,
    /** How often the registry is read for new job queues. */
    discoverMs: 2000,
  },
} as const;
