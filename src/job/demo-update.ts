/**
 * The second half of `sluice demo`: the emulated vendor moves on ten trading days and revises the
 * last five days it had served; the same job, its end moved on, runs again as an update and
 * fetches only the new days and the looked-back ones.
 */
import { formatDay, parseDay } from '../core/dates.js';
import { printLine } from '../core/log.js';
import { ErrorCodes, isSluiceError } from '../core/errors.js';
import { DATA_LAST_DAY, type Emulator } from '../emulator/index.js';
import { openJournalReader } from '../sinks/open.js';
import { resolveRun } from './resolve.js';
import type { JobConfig } from './schema.js';
import { formatRunLine } from '../report/index.js';
import { parseJob } from './load.js';
import { runJob } from './run.js';

/** The emulator's quota interval in the demo: the update starts once the back-fill's window has passed. */
const QUOTA_PAUSE_MS = 1100;

/** Trading days the vendor moves on, and days it revises (the job's `plan.lookback`). */
export const DEMO_UPDATE = { days: 10, lookback: 5 } as const;

/**
 * The last day the demo's database already holds for its job (an earlier `sluice demo` updated it
 * past the back-fill), or `end`, whichever is later: the emulated vendor serves data to that day,
 * so that every demo's update moves the data on from where the database is. `covered`: an
 * earlier demo landed some of it (the back-fill then runs with --full, to show the whole of it).
 */
export async function demoServedThrough(
  emulator: Emulator,
  job: JobConfig,
  end: string,
): Promise<{ served: string; covered: boolean }> {
  const parts = resolveRun(job);
  const journal = openJournalReader(parts.store);
  let last = end;
  let covered = false;
  try {
    await journal.open();
    for (const b of await journal.doneBatches(job.name, parts.fingerprint)) {
      covered = true;
      const w = b.batch.window?.end;
      if (w !== undefined && w > last) last = w;
    }
  } catch (err) {
    if (!(isSluiceError(err) && err.code === ErrorCodes.NOT_FOUND)) throw err;
  } finally {
    await journal.close().catch(() => undefined);
  }
  emulator.setAsOf(last);
  return { served: last, covered };
}

export interface DemoUpdateOptions {
  readonly emulator: Emulator;
  /** The last day the vendor served before the update (demoServedThrough). */
  readonly served: string;
  /** The demo's job definition (raw, as demoJob makes it). */
  readonly job: unknown;
  /** Calls the first run made. */
  readonly firstCalls: number;
  readonly quiet: boolean;
  readonly signal?: AbortSignal;
}

/** The open day `n` trading days after `day` (YYYYMMDD) on the emulator's calendar. */
function tradingDaysAfter(emulator: Emulator, day: string, n: number): string {
  const cal = emulator.dataset.calendar;
  return formatDay(cal.openDays[cal.lastIndexUpTo(parseDay(day)) + n]);
}

/** Runs the update; returns its exit code. */
export async function runDemoUpdate(o: DemoUpdateOptions): Promise<number> {
  const raw = o.job as { plan: Record<string, unknown> };
  const served = o.served;
  const end = tradingDaysAfter(o.emulator, served, DEMO_UPDATE.days);
  if (parseDay(end) > DATA_LAST_DAY)
    printLine('sluice demo: the emulated data ends on 20261231: use another --db for a fresh demo');
  o.emulator.setAsOf(end);
  o.emulator.setRevisions({ days: DEMO_UPDATE.lookback, through: served });
  printLine(
    `sluice demo: a day later... the vendor now serves data to ${end} and revised its last ${DEMO_UPDATE.lookback} trading days; ` +
      `running the same job again to ${end} (plan.lookback: ${DEMO_UPDATE.lookback})`,
  );
  const job = parseJob({ ...raw, plan: { ...raw.plan, end, lookback: DEMO_UPDATE.lookback } }, process.env, 'demo job');
  // "a day later": the server's rate window of the back-fill has passed
  await new Promise((resolve) => setTimeout(resolve, QUOTA_PAUSE_MS));
  const before = o.emulator.stats().calls;
  const result = await runJob(job, { signal: o.signal, progress: o.quiet ? 'quiet' : 'auto' });
  const calls = o.emulator.stats().calls - before;
  printLine(`sluice: ${formatRunLine(result.report)}`);
  const c = result.report.coverage;
  if (c) {
    const from = tradingDaysAfter(o.emulator, served, 1 - DEMO_UPDATE.lookback);
    const least = lowerBound(o.emulator, job.plan.each?.values ?? [], from, end, job.source.rowCap);
    printLine(
      `sluice demo: the update took ${calls} calls, against at least ${least} for its days (one per symbol), ` +
        `where the back-fill took ${o.firstCalls}: ${c.fetchedDays} symbol-days fetched ` +
        `(${c.lookbackDays} looked back for revisions), ${c.skippedDays} skipped as already landed`,
    );
  }
  return result.exitCode;
}

/** The fewest calls for the rows of [from, end]: per symbol, ceil(rows / cap), at least one. */
function lowerBound(emulator: Emulator, codes: readonly string[], from: string, end: string, cap: number): number {
  return codes.reduce(
    (n, ts_code) =>
      n + Math.max(1, Math.ceil(emulator.dataset.count('daily', { ts_code, start_date: from, end_date: end }) / cap)),
    0,
  );
}
