/**
 * Running a job: plan (or reopen the journal on --resume) -> engine -> store, while the monitor
 * observes; then the run report is built, stored, and handed to alerts. Data flows one way.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../core/engine.js';
import { ErrorCodes, isSluiceError, type SluiceError } from '../core/errors.js';
import { Emitter } from '../core/events.js';
import { printLine } from '../core/log.js';
import type { CoverageReport, RunReport } from '../core/report.js';
import type { BatchRecord, Store } from '../core/store.js';
import type { Batch } from '../core/types.js';
import { createRunMonitor } from '../monitor/index.js';
import { buildReport, landedRows, type TargetOverrides } from '../report/index.js';
import { createPacer } from '../run/index.js';
import { saveApiFacts } from './api-facts.js';
import { createLocalEngine } from './local-engine.js';
import { openParts, planRun, resolveRun, type RunParts } from './resolve.js';
import { type OnlineSpec, OnlineBatches, restOfRun } from '../plan/index.js';
import { concurrencyOf } from './parts.js';
import { createProgress } from './progress.js';
import { startErrorNotes } from './error-notes.js';
import { holdJobLock, type JobLockOptions } from './lock.js';
import { startRunMetrics } from './metrics.js';
import { checkSinkPlace, sinkLabel } from './db-flag.js';
import type { JobConfig } from './schema.js';
import type { LiveServer } from '../ui/live.js';
import type { Calendar } from '../plan/index.js';

export interface EngineContext {
  readonly job: JobConfig;
  /** The run's store, open. */
  readonly store: Store;
  /** The job's run parts (source, executor options). */
  readonly parts: RunParts;
}

/**
 * Options of `runJob`.
 * @example
 * ```ts
 * await runJob(job, { resume: true, db: 'postgres://user@db:5432/market', metricsPort: 9464 });
 * ```
 */
export interface RunJobOptions {
  /** Continue the newest unfinished run of this job (skips done batches). */
  readonly resume?: boolean;
  /** Fetch the whole range again, whatever earlier runs of the job covered (`--full`). */
  readonly full?: boolean;
  /** Overrides the sink's path or URL. */
  readonly db?: string;
  /** Folder relative paths in the job file are resolved against. */
  readonly baseDir?: string;
  /** Stops the run; state is saved for --resume. */
  readonly signal?: AbortSignal;
  /** Serve Prometheus /metrics on this port during the run. */
  readonly metricsPort?: number;
  /** A live page server (src/ui, `sluice run --ui`) to show this run on; its owner closes it. */
  readonly live?: LiveServer;
  /** Keep /metrics up this long after the run ends. @default 0 */
  readonly metricsLingerMs?: number;
  /** Push the run's metrics to this Prometheus Pushgateway at the end (job label: the job's name). */
  readonly pushgateway?: string;
  /** @default 'auto' (bar on a TTY, lines otherwise) */
  readonly progress?: 'auto' | 'quiet';
  /** Another engine (BullMQ); the local in-process engine by default. */
  readonly engine?: (ctx: EngineContext) => Engine;
  /** Where notes go (resume, learned density). @default stderr */
  readonly note?: (line: string) => void;
  /** When another run of the job holds its lock on this database: wait for it instead of refusing. */
  readonly wait?: boolean;
  /**
   * Targets that override the job's (`--targets FILE`). With these, or `targets:` in the job, a run
   * that misses a measured target exits 1; without either, targets are only reported.
   */
  readonly targets?: TargetOverrides;
  /** Lease and poll times of the job lock (tests). */
  readonly lock?: Pick<JobLockOptions, 'leaseMs' | 'pollMs'>;
  /**
   * SQLite group commit window of the local engine. 0 when several runs write one SQLite file from
   * one process (a sync): the driver waits for the file's lock synchronously, so a group held open
   * by one run would block the process until the wait times out. @default 2000
   */
  readonly groupCommitMs?: number;
  /** The trading calendar to plan on when the job names no `plan.calendar` file (a sync's trade_cal). */
  readonly calendar?: Calendar;
  /** Days each `plan.each` value is asked over (a sync's listed lives): no batch outside them. */
  readonly eachRanges?: Readonly<Record<string, { readonly start: string; readonly end: string }>>;
}

/**
 * What a finished run gives back.
 * @example
 * ```ts
 * const { report, exitCode, fatal } = await runJobFile('daily.yaml');
 * if (fatal) console.error(fatal.code, fatal.message);
 * process.exitCode = exitCode;
 * ```
 */
export interface RunJobResult {
  readonly report: RunReport;
  /**
   * 0 all done, 1 some batches failed, a fatal error, a used-up daily quota or a missed target the
   * job set (or `targets` gave), 130 interrupted by a signal.
   */
  readonly exitCode: number;
  /** The fatal error that stopped the run, if any. */
  readonly fatal?: SluiceError;
}

const LOCAL_GROUP_COMMIT_MS = 2000;
const RERUN: ReadonlySet<string> = new Set(['pending', 'running', 'failed']);

function maxOf(job: JobConfig): number | undefined {
  const c = job.execution.concurrency;
  return typeof c === 'number' ? c : c.max;
}

export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** Leaf batches (split parents excluded) and their totals, read back from the journal. */
function tally(records: readonly BatchRecord[]): {
  total: number;
  done: number;
  failed: number;
  pending: number;
  rows: number;
} {
  const t = { total: 0, done: 0, failed: 0, pending: 0, rows: 0 };
  for (const r of records) {
    if (r.status === 'split') continue;
    t.total += 1;
    if (r.status === 'done') {
      t.done += 1;
      t.rows += r.rows;
    } else if (r.status === 'failed') t.failed += 1;
    else t.pending += 1;
  }
  return t;
}

/** The note a run prints when earlier runs covered some of its days. */
function coverageNote(c: CoverageReport): string {
  const back = c.lookbackDays > 0 ? `, ${c.lookbackDays} of them looked back again` : '';
  return (
    `${c.skippedDays} trading days already landed by ${c.skippedBatches} batches of ${c.fromRuns} earlier run(s) are skipped; ` +
    `fetching ${c.fetchedDays}${back} (--full fetches everything)`
  );
}

/**
 * Runs a validated job: plans it (or reopens its journal with `resume`), runs its batches, and stores and returns the
 * run report.
 * @example
 * ```ts
 * import { parseJob, runJob } from 'sluice';
 * const job = parseJob({
 *   name: 'daily-prices',
 *   source: { type: 'tushare', token: '${TUSHARE_TOKEN}', api: 'daily' },
 *   plan: { start: '20240101', end: 'today', strategy: 'month' },
 *   sink: { path: './market.db', table: 'daily', key: ['ts_code', 'trade_date'] },
 * });
 * const { report, exitCode } = await runJob(job, { progress: 'quiet', signal: AbortSignal.timeout(3_600_000) });
 * ```
 */
export async function runJob(job: JobConfig, options: RunJobOptions = {}): Promise<RunJobResult> {
  const note = options.note ?? ((line: string) => printLine(`sluice: ${line}`));
  checkSinkPlace(job.sink, options); // a directory or a read-only place: exit 2 before any call
  // The local engine commits SQLite batches in groups of up to two seconds (see PartsOptions), as bench/ingest measures.
  const groupCommitMs = options.engine ? 0 : (options.groupCommitMs ?? LOCAL_GROUP_COMMIT_MS);
  const parts = resolveRun(job, { ...options, groupCommitMs });
  // Plan before touching the database, so that bad input writes nothing (`sluice plan JOB` makes the same plan).
  const { plan, learnedFrom, coverage } = await planRun(parts, { full: options.full });
  if (learnedFrom > 0) note(`row density learned from ${learnedFrom} batches of earlier runs`);
  // what earlier runs learned about the API (its quota and row cap) comes with the open store
  const { source, store, known } = await openParts(parts);
  const cleanups: Array<() => unknown> = [];
  try {
    // One run of a job at a time on a database: taken before the journal is written (see lock.ts).
    const candidateId = newRunId();
    const lock = await holdJobLock(store, job.name, {
      ...options.lock,
      runId: candidateId,
      wait: options.wait,
      signal: options.signal,
      note,
      where: sinkLabel(job.sink, options.db),
    });
    cleanups.push(() => lock.release());
    const startedAt = new Date().toISOString();
    let runId: string;
    let pending: Batch[];
    // batches done before this session (a resumed run's): the calls' lower bound counts this session's
    let doneBefore: ReadonlySet<string> = new Set();
    let online: OnlineBatches | undefined;
    // batches planned online are journaled before they run, and counted by the progress line
    let onPlanned = (_: Batch): void => undefined;
    const startOnline = (spec: OnlineSpec, first: readonly Batch[]): OnlineBatches =>
      new OnlineBatches(
        spec,
        { concurrency: concurrencyOf(job), maxRowsHeld: job.execution.maxRowsHeld },
        {
          first,
          onPlanned: async (batch) => {
            await store.addBatches(runId, [batch]);
            onPlanned(batch);
          },
        },
      );
    const previous = options.resume ? await store.latestUnfinishedRun(job.name) : undefined;
    if (previous) {
      runId = previous.id;
      lock.setRun(runId);
      await store.reopenRun(runId);
      const records = await store.batches(runId);
      pending = records.filter((r) => RERUN.has(r.status)).map((r) => r.batch);
      doneBefore = new Set(records.filter((r) => r.status === 'done').map((r) => r.key));
      note(`resuming run ${runId}: ${pending.length} batches left`);
      if (plan.online) {
        // plan only the days no batch of the run covers; its done batches are what it learned
        online = startOnline(restOfRun(plan.online, records), pending);
        for (const r of records) online.known(r);
      }
    } else {
      if (options.resume) note(`no unfinished run of ${job.name} to resume; starting a new run`);
      runId = candidateId;
      await store.createRun(
        { id: runId, job: job.name, startedAt, fingerprint: parts.fingerprint },
        plan.online ? [] : plan.batches,
      );
      pending = plan.online ? [] : plan.batches;
      if (plan.online) online = startOnline(plan.online, []);
      if (coverage.skippedDays > 0) note(coverageNote(coverage));
    }

    const events = new Emitter();
    const monitor = createRunMonitor(events, { rowCap: job.source.rowCap, quota: job.source.rateLimit });
    cleanups.push(() => monitor.stop());
    const errorNotes = startErrorNotes({ events, note });
    cleanups.push(() => errorNotes.stop());
    const metrics = await startRunMetrics(
      options,
      events,
      { runId, job: job.name, apis: [source.api], plannedBatches: pending.length },
      note,
    );
    if (metrics) cleanups.push(() => metrics.close());
    const planStats = {
      ...plan.stats,
      strategy: plan.strategy === plan.resolved ? plan.strategy : `${plan.strategy} (${plan.resolved})`,
    };
    // targets are checked in every run; they fail it only when the job or --targets states them
    const targets = { ...job.targets, ...options.targets };
    const enforceTargets = job.targets !== undefined || options.targets !== undefined;
    const live = options.live?.add(
      {
        runId,
        job: job.name,
        startedAt,
        total: pending.length,
        plan: planStats,
        rowCap: job.source.rowCap,
        concurrencyMax: maxOf(job),
        targets,
        enforceTargets,
        byEach: job.plan.each !== undefined,
      },
      events,
      monitor,
    );
    const progress = createProgress({ total: pending.length, events, quiet: options.progress === 'quiet' });
    cleanups.push(() => progress.stop());
    onPlanned = () => progress.addTotal(1);
    if (online) cleanups.push(() => online.close());

    // the local pacer starts at the quota earlier runs learned (a queue run shares it through Redis)
    const pacer = options.engine
      ? undefined
      : createPacer(parts.executor.pacer, {
          events,
          learned: known.quota ? { [source.api]: known.quota } : undefined,
        });
    const learned = () => ({ quota: pacer?.learnedQuota?.(source.api), cap: source.capFacts?.() });
    cleanups.push(() => saveApiFacts(store, job, known, learned()));
    const engine = options.engine
      ? options.engine({ job, store, parts })
      : createLocalEngine(store, { ...parts.executor, source, pacer });
    cleanups.push(() => engine.close());

    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => options.signal?.removeEventListener('abort', onAbort));

    let fatal: SluiceError | undefined;
    try {
      const batches = online ?? pending;
      for await (const outcome of engine.run({ runId, batches, signal: controller.signal, events })) {
        online?.observe(outcome);
        if (outcome.status === 'split') progress.addTotal(outcome.children.length - 1);
        else progress.batchFinished(outcome.status === 'done' ? outcome.rows : 0);
      }
    } catch (err) {
      if (!isSluiceError(err)) throw err;
      fatal = err;
    }
    progress.stop();

    // a used-up daily quota stops the run like an interruption: nothing failed, --resume continues
    const exhausted = fatal?.code === ErrorCodes.QUOTA_EXHAUSTED;
    const interrupted = (controller.signal.aborted && !fatal) || exhausted;
    const records = await store.batches(runId);
    const counts = tally(records);
    const landed = landedRows(records, job.plan.each?.param, (r) => !doneBefore.has(r.key));
    const status: RunReport['status'] = interrupted
      ? 'interrupted'
      : fatal || counts.failed > 0 || counts.pending > 0
        ? 'failed'
        : 'succeeded';
    const finishedAt = new Date().toISOString();
    const snapshot = monitor.snapshot();
    const built = buildReport({
      runId,
      job: job.name,
      status,
      startedAt,
      finishedAt,
      plan: online ? { ...online.stats(plan.stats.generationMs), strategy: `${plan.strategy} (online)` } : planStats,
      monitor: snapshot,
      rowsWritten: counts.rows,
      batches: { total: counts.total, done: counts.done, failed: counts.failed, pending: counts.pending },
      rowCap: Math.min(job.source.rowCap, source.capFacts?.().exact ?? Infinity),
      landed,
      concurrencyMax: maxOf(job),
      targets,
      enforceTargets,
    });
    // A resumed run's report covers this session's calls and time; the journal's counts cover the run.
    const runCoverage = previous ? previous.report?.coverage : coverage;
    const extra = {
      ...(previous ? { resumedFrom: previous.startedAt } : {}),
      ...(runCoverage ? { coverage: runCoverage } : {}),
      ...(fatal ? { error: fatal.message } : {}),
      errors: errorNotes.tally.snapshot(),
    };
    const report: RunReport = { ...built, ...extra };
    await store.finishRun(runId, status, report);
    live?.finish(report);
    await metrics?.push(job.name);
    const missed = enforceTargets && !report.targets.met;
    const exitCode = exhausted ? 1 : interrupted ? 130 : status === 'succeeded' && !missed ? 0 : 1;
    return { report, exitCode, fatal };
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        /* cleanup must not mask the result */
      }
    }
    await store.close();
  }
}
