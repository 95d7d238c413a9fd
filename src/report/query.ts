/**
 * What `sluice report` and `sluice targets` do, as functions over a Store (so they can be tested
 * with a fake store and reused by other front ends). Reading only: nothing here writes.
 */
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { openStoreAt } from '../sinks/index.js';
import type { RunReport, TargetsReport } from '../core/report.js';
import type { RunRecord, Store } from '../core/store.js';
import { TARGET_KEYS, checkTargets, type TargetMetrics, type TargetOverrides } from './targets.js';
import { trendTable, type TrendRow } from './trend.js';

/**
 * Opens an existing journal for reading (`--db`: a SQLite file, a `.jsonl` file or a postgres://
 * URL) through the sinks room. A missing database is SLUICE_NOT_FOUND (exit 2), never created.
 */
export async function openReadStore(db: string): Promise<Store> {
  const store = openStoreAt(db);
  try {
    await store.open();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

/** The run's record and report; a missing run or a run without a report is exit 2. */
export async function findReport(store: Store, id: string): Promise<{ record: RunRecord; report: RunReport }> {
  const record = await store.getRun(id);
  if (!record) {
    throw new SluiceError(
      ErrorCodes.NOT_FOUND,
      id === 'latest' ? 'no runs in this database' : `no run ${JSON.stringify(id)} in this database`,
    );
  }
  if (!record.report) {
    throw new SluiceError(ErrorCodes.NOT_FOUND, `run ${record.id} has no report yet (status ${record.status})`);
  }
  return { record, report: record.report };
}

/** Trend rows for the last `runs` runs of the report's job that have a report, oldest first. */
export async function jobTrend(store: Store, job: string, runs: number): Promise<TrendRow[]> {
  const records = await store.listRuns(job, runs);
  return trendTable(records.flatMap((r) => (r.report ? [r.report] : [])));
}

/**
 * Re-checks a stored report's measured values against (possibly overridden) targets; a miss here
 * always counts (`sluice targets` exits 1 on it). A target the report did not check reads as not measured.
 */
export function recheckTargets(report: RunReport, overrides: TargetOverrides = {}): TargetsReport {
  const actual = new Map(report.targets.checks.map((c) => [c.metric, c.actual]));
  const metrics = Object.fromEntries(TARGET_KEYS.map((k) => [k, actual.get(k) ?? null])) as TargetMetrics;
  return checkTargets(metrics, overrides, true);
}

/** What the report commands need from the outside; tests pass their own. */
export interface CommandDeps {
  readonly open: (db: string) => Promise<Store>;
  /** Prints one JSON document on stdout. */
  readonly printJson: (value: unknown) => void;
  /** Prints one line (or block) on stderr. */
  readonly printLine: (text: string) => void;
}
