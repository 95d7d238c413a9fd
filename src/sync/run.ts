/**
 * Running a sync: the reference datasets first (the calendar, then the lists of codes), then the
 * others at once, each as a job through runJob (the same path as `sluice run`: its plan, its own
 * API's quota, its journal, incremental when the job machinery is). A failed dataset does not stop
 * the others. The sync's own record in the journal holds one report: each dataset and the totals.
 */
import { parseDay } from '../core/dates.js';
import { type SluiceError, isSluiceError, messageOf, usageError } from '../core/errors.js';
import { printLine } from '../core/log.js';
import { EMPTY_REPORT, type RunReport, type SyncDatasetReport } from '../core/report.js';
import type { Store } from '../core/store.js';
import { newRunId, runJob, type RunJobOptions } from '../job/run.js';
import { storeConfigOf } from '../job/parts.js';
import { type Calendar, calendarFromDays } from '../plan/index.js';
import { readColumns } from '../sinks/read.js';
import type { StoreConfig } from '../sinks/open.js';
import { createPostgresStore } from '../sinks/postgres/store.js';
import { createSqliteStore } from '../sinks/sqlite/store.js';
import { type SyncDataset, jobOf, rawJobOf } from './datasets.js';
import type { LoadedSync } from './load.js';

/**
 * Options of `runSync`.
 * @example
 * ```ts
 * await runSync(loadSyncFile('mirror.yaml'), { only: ['daily', 'adj_factor'], resume: true });
 * ```
 */
export interface RunSyncOptions {
  /** Run only these datasets (by table name); the others' tables are read for the calendar and codes. */
  readonly only?: readonly string[];
  /**
   * Fetch every dataset over its whole range again, not only what is new. Reference lists are
   * always fetched whole.
   */
  readonly full?: boolean;
  /** Continue the newest unfinished sync: datasets it finished are not run again, the others resume. */
  readonly resume?: boolean;
  /** Folder relative paths in the sync file are resolved against. */
  readonly baseDir?: string;
  /** Stops every dataset; state is saved for --resume. */
  readonly signal?: AbortSignal;
  /** Where notes go. @default stderr */
  readonly note?: (line: string) => void;
  /** The environment `${VAR}`s are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Another engine for a dataset's job (the queue); the local engine when undefined. */
  readonly engineFor?: (ds: SyncDataset, raw: Record<string, unknown>) => RunJobOptions['engine'];
  /** A live page server (`sluice sync --ui`): each dataset's run shows on it; its owner closes it. */
  readonly live?: RunJobOptions['live'];
  /** Extra options of every dataset's runJob (tests: lock times; `full` once the job takes it). */
  readonly job?: Partial<RunJobOptions>;
}

/**
 * What a finished sync gives back.
 * @example
 * ```ts
 * const { report, exitCode } = await runSync(loadSyncFile('mirror.yaml'));
 * for (const d of report.sync?.datasets ?? []) console.log(d.name, d.state, d.calls);
 * ```
 */
export interface RunSyncResult {
  readonly report: RunReport;
  /** 0 every dataset done, 1 one failed (each named in the report), 130 interrupted. */
  readonly exitCode: number;
}

const FAR_END = '29991231';

/** The sync's journal (its own record; datasets' runs live beside it in the same database). */
function openJournal(config: StoreConfig): Store {
  if (config.type === 'postgres') return createPostgresStore({ url: config.url, schema: config.schema });
  if (config.type === 'sqlite') return createSqliteStore({ path: config.path });
  throw usageError('a sync writes to SQLite or PostgreSQL');
}

function rounded(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Open days of the trading calendar table (the SSE's when it holds several exchanges). */
async function readCalendar(config: StoreConfig): Promise<Calendar | undefined> {
  const rows = await readColumns(config, ['exchange', 'cal_date', 'is_open']);
  if (!rows || rows.length === 0) return undefined;
  const exchange = rows.some((r) => r[0] === 'SSE') ? 'SSE' : rows[0][0];
  const all = rows.filter((r) => r[0] === exchange).map((r) => [parseDay(String(r[1])), Number(r[2])] as const);
  const open = all.filter(([, o]) => o === 1).map(([d]) => d);
  const days = all.map(([d]) => d);
  return calendarFromDays(open, { name: 'trade_cal', first: Math.min(...days), last: Math.max(...days) });
}

/** Codes of a reference list and the days each traded (list date to delist date). */
async function readCodes(
  config: StoreConfig,
  api: SyncDataset['api'],
  param: string,
): Promise<{ codes: string[]; ranges: Record<string, { start: string; end: string }> } | undefined> {
  const hasList = api.dateColumns.includes('list_date');
  const hasDelist = api.dateColumns.includes('delist_date');
  const code = param === 'index_code' ? 'ts_code' : param;
  const columns = [code, ...(hasList ? ['list_date'] : []), ...(hasDelist ? ['delist_date'] : [])];
  const rows = await readColumns(config, columns);
  if (!rows || rows.length === 0) return undefined;
  const codes: string[] = [];
  const ranges: Record<string, { start: string; end: string }> = {};
  for (const r of rows) {
    const c = String(r[0]);
    codes.push(c);
    const list = hasList ? r[1] : null;
    const delist = hasDelist ? r[2] : null;
    if (typeof list === 'string' && list !== '') {
      ranges[c] = { start: list, end: typeof delist === 'string' && delist !== '' ? delist : FAR_END };
    }
  }
  return { codes: codes.sort(), ranges };
}

/** A dataset's line of the sync report from its run's report (its calls' lower bound is the run's). */
function datasetReport(ds: SyncDataset, r: RunReport, syncStartMs: number, fatal?: SluiceError): SyncDatasetReport {
  const lowerBound = r.calls.lowerBound ?? 0;
  const shift = Date.parse(r.startedAt) - syncStartMs;
  const error = fatal?.message ?? r.error ?? (r.batches.failed > 0 ? `${r.batches.failed} batches failed` : undefined);
  return {
    name: ds.name,
    api: ds.api.name,
    role: ds.role,
    runId: r.runId,
    state: r.status,
    rows: r.rows.written,
    calls: r.calls.spent,
    lowerBound,
    ratio: lowerBound > 0 ? rounded(r.calls.spent / lowerBound) : null,
    wallMs: r.wallMs,
    ...(r.status === 'succeeded' || error === undefined ? {} : { error }),
    timeline: r.timeline.map((s) => [Math.max(0, shift + s.tMs), s.callsPerSecond] as const),
  };
}

function skipped(ds: SyncDataset, error: string): SyncDatasetReport {
  return {
    name: ds.name,
    api: ds.api.name,
    role: ds.role,
    runId: null,
    state: 'skipped',
    rows: 0,
    calls: 0,
    lowerBound: 0,
    ratio: null,
    wallMs: 0,
    error,
    timeline: [],
  };
}

/** The sync's report: a run report whose figures are the datasets' totals, with each dataset. */
function syncReport(
  runId: string,
  name: string,
  startedAt: string,
  datasets: readonly SyncDatasetReport[],
  interrupted: boolean,
  resumedFrom?: string,
): RunReport {
  const finishedAt = new Date().toISOString();
  const sum = (f: (d: SyncDatasetReport) => number) => datasets.reduce((n, d) => n + f(d), 0);
  const calls = sum((d) => d.calls);
  const lowerBound = sum((d) => d.lowerBound);
  const failed = datasets.filter((d) => d.state === 'failed' || d.state === 'skipped').length;
  const status: RunReport['status'] = interrupted ? 'interrupted' : failed > 0 ? 'failed' : 'succeeded';
  const wallMs = Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt));
  const failures = datasets.filter((d) => d.error !== undefined).map((d) => `${d.name}: ${d.error}`);
  return {
    ...EMPTY_REPORT,
    runId,
    job: name,
    status,
    startedAt,
    finishedAt,
    wallMs,
    ...(resumedFrom ? { resumedFrom } : {}),
    ...(failures.length > 0 ? { error: failures.join('; ') } : {}),
    plan: { ...EMPTY_REPORT.plan, strategy: 'sync', batchCount: datasets.length },
    calls: {
      ...EMPTY_REPORT.calls,
      total: calls,
      spent: calls,
      lowerBound: lowerBound > 0 ? lowerBound : null,
      overLowerBound: lowerBound > 0 ? rounded(calls / lowerBound) : null,
      callsPerSecond: wallMs > 0 ? rounded(calls / (wallMs / 1000)) : 0,
    },
    rows: { fetched: sum((d) => d.rows), written: sum((d) => d.rows) },
    batches: {
      ...EMPTY_REPORT.batches,
      total: datasets.length,
      done: datasets.filter((d) => d.state === 'succeeded' || d.state === 'done').length,
      failed,
      pending: datasets.filter((d) => d.state === 'interrupted').length,
    },
    targets: { met: true, enforced: false, checks: [] },
    sync: {
      datasets,
      total: {
        rows: sum((d) => d.rows),
        calls,
        lowerBound,
        ratio: lowerBound > 0 ? rounded(calls / lowerBound) : null,
        failed,
      },
    },
  };
}

/**
 * Runs a sync: reference datasets, then the rest concurrently, each through `runJob`; stores the
 * sync's report (`sluice report`, `sluice targets` read it) and returns it.
 * @example
 * ```ts
 * import { loadSyncFile, runSync } from 'sluice';
 * const { report, exitCode } = await runSync(loadSyncFile('mirror.yaml'), { signal: AbortSignal.timeout(3_600_000) });
 * console.log(report.sync?.total.calls, report.sync?.total.ratio);
 * ```
 */
export async function runSync(loaded: LoadedSync, options: RunSyncOptions = {}): Promise<RunSyncResult> {
  const note = options.note ?? ((line: string) => printLine(`sluice: ${line}`));
  const env = options.env ?? process.env;
  const all = loaded.datasets;
  const only = options.only;
  for (const n of only ?? []) {
    if (!all.some((d) => d.name === n)) {
      throw usageError(`--only: ${n} is not a dataset of ${loaded.sync.name} (${all.map((d) => d.name).join(', ')})`);
    }
  }
  const selected = (ds: SyncDataset) => !only || only.includes(ds.name);
  const configOf = (ds: SyncDataset, codes?: readonly string[]) =>
    storeConfigOf(jobOf(ds, loaded.path, env, codes ?? ['-']), { baseDir: options.baseDir });
  const journal = openJournal(configOf(all[0]));
  await journal.open();
  try {
    const previous = options.resume ? await journal.latestUnfinishedRun(loaded.sync.name) : undefined;
    let runId: string;
    const startedAt = new Date().toISOString();
    if (previous) {
      runId = previous.id;
      await journal.reopenRun(runId);
      note(`resuming sync ${runId}`);
    } else {
      if (options.resume) note(`no unfinished sync of ${loaded.sync.name} to resume; starting a new one`);
      runId = newRunId();
      await journal.createRun({ id: runId, job: loaded.sync.name, startedAt }, []);
    }
    const syncStartMs = Date.parse(startedAt);

    /** A dataset an earlier session of this sync finished: its newest run, done since the sync began. */
    const finishedBefore = async (ds: SyncDataset): Promise<string | undefined> => {
      if (!previous) return undefined;
      const [latest] = await journal.listRuns(`${loaded.sync.name}.${ds.name}`, 1);
      return latest && latest.status === 'succeeded' && latest.startedAt >= previous.startedAt ? latest.id : undefined;
    };

    const reports = new Map<string, SyncDatasetReport>();
    const extras: { calendar?: Calendar; codes: Map<string, Awaited<ReturnType<typeof readCodes>>> } = {
      codes: new Map(),
    };

    const runOne = async (ds: SyncDataset): Promise<void> => {
      const earlier = await finishedBefore(ds);
      const done = earlier ? (await journal.getRun(earlier))?.report : undefined;
      if (done) {
        const line = datasetReport(ds, done, syncStartMs);
        reports.set(ds.name, { ...line, state: 'done' });
        note(`${ds.name}: finished by an earlier session of this sync`);
        return;
      }
      let codes: string[] | undefined;
      let ranges: Record<string, { start: string; end: string }> | undefined;
      if (ds.codesFrom) {
        const list = extras.codes.get(ds.codesFrom);
        if (!list || list.codes.length === 0) {
          reports.set(ds.name, skipped(ds, `no codes: ${ds.codesFrom} holds none (fetch it first)`));
          return;
        }
        codes = list.codes;
        ranges = list.ranges;
      }
      const job = jobOf(ds, loaded.path, env, codes);
      const raw = rawJobOf(ds, codes);
      try {
        const result = await runJob(job, {
          ...options.job,
          resume: options.resume,
          // a reference list is not in date windows: it is asked whole every time
          full: ds.role === 'codes' || options.full === true,
          baseDir: options.baseDir,
          signal: options.signal,
          progress: 'quiet',
          // the datasets share one database from one process: no SQLite commit group held open (see RunJobOptions)
          groupCommitMs: 0,
          note: (line) => note(`${ds.name}: ${line}`),
          calendar: ds.role === 'data' ? extras.calendar : undefined,
          eachRanges: ranges,
          engine: options.engineFor?.(ds, raw),
          live: options.live,
        });
        const line = datasetReport(ds, result.report, syncStartMs, result.fatal);
        reports.set(ds.name, line);
        note(
          `${ds.name}: ${line.state}, ${line.rows} rows, ${line.calls} calls (lower bound ${line.lowerBound})` +
            (line.error ? `: ${line.error}` : ''),
        );
      } catch (err) {
        // a dataset that cannot start (its sink, its lock) fails alone; a bug is not swallowed
        if (!isSluiceError(err)) throw err;
        reports.set(ds.name, { ...skipped(ds, messageOf(err)), state: 'failed' });
        note(`${ds.name}: failed: ${messageOf(err)}`);
      }
    };

    // 1. the calendar, then the lists of codes (read back from their tables, selected or not)
    for (const ds of all.filter((d) => d.role === 'calendar')) {
      if (selected(ds)) await runOne(ds);
      if (!options.signal?.aborted) extras.calendar = await readCalendar(configOf(ds));
    }
    const lists = all.filter((d) => d.role === 'codes');
    await Promise.all(lists.filter(selected).map((ds) => runOne(ds)));
    for (const ds of lists) {
      const users = all.filter((d) => d.codesFrom === ds.api.name && selected(d));
      if (users.length === 0 || options.signal?.aborted) continue;
      const param = users[0].codeParam ?? 'ts_code';
      extras.codes.set(ds.api.name, await readCodes(configOf(ds), ds.api, param));
    }
    // 2. the rest, at once, each paced by its own API's quota
    if (!options.signal?.aborted) await Promise.all(all.filter((d) => d.role === 'data' && selected(d)).map(runOne));

    const interrupted = options.signal?.aborted ?? false;
    const lines = all.filter(selected).map(
      (ds) =>
        reports.get(ds.name) ?? {
          ...skipped(ds, 'not run: the sync was interrupted'),
          state: 'interrupted' as const,
        },
    );
    // like a resumed run's, the report covers this session's time; `resumedFrom` is when the sync began
    const report = syncReport(runId, loaded.sync.name, startedAt, lines, interrupted, previous?.startedAt);
    await journal.finishRun(runId, report.status, report);
    const exitCode = interrupted ? 130 : report.status === 'succeeded' ? 0 : 1;
    return { report, exitCode };
  } finally {
    await journal.close();
  }
}
