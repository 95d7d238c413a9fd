/**
 * Calls against their lower bound: what a user pays for. Against the emulator (2,000 symbols, row
 * cap 6,000, offset limit 100,000, no quota), three datasets, each run through the library
 * (parseJob + runJob) into SQLite in a temp folder:
 *
 *   whole-market daily 2019-2020; daily of 60 symbols (`each: ts_code`) 2010-2024; fina_indicator
 *   of 80 symbols (cap 100) 1995-2024
 *
 * and for each: (i) a first run with no strategy in the job (the default), (ii) a second run with
 * `strategy: rows` learning its density from the first, (iii) the calendar rule (`smart`) on a
 * first run, for comparison, and (iv) the update: the job back-filled to day D (the server's data
 * as of D), the server revises its last 5 days, and the job runs to D + 10 trading days with
 * `plan.lookback: 5` (daily datasets only: fina_indicator's dates are report periods).
 *
 * The ratio is calls spent (all but rate-limit refusals) over the lower bound: the sum over `each`
 * values of max(1, ceil(rows / row cap)), rows taken from the emulator's ground truth (for the
 * update: the 5 looked-back days and the 10 new ones). Every table is checked against the truth
 * (count and checksum); a run that lands a wrong table prints WRONG.
 *
 *   node dist/bench/calls.js [--symbols N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { parseDay } from '../src/core/dates.js';
import { ChecksumBuilder, DAILY_FIELDS, startEmulator, type Emulator } from '../src/emulator/index.js';
import { DEFAULTS, parseJob, runJob, type RunJobOptions, type RunReport } from '../src/index.js';

interface Dataset {
  readonly key: string;
  readonly title: string;
  readonly api: 'daily' | 'fina_indicator';
  readonly fields: readonly string[];
  readonly start: string;
  readonly end: string;
  /** Symbols of `each: ts_code`; none: the whole market by date. */
  readonly symbols?: number;
  readonly rowCap: number;
  /** Whether the update scenario applies (dates are trading days). */
  readonly update: boolean;
}

const DAILY = [...DAILY_FIELDS];
const FINA = ['ts_code', 'ann_date', 'end_date', 'eps', 'bps', 'roe'];

const DATASETS: readonly Dataset[] = [
  {
    key: 'market',
    title: 'whole-market daily, 2019-2020',
    api: 'daily',
    fields: DAILY,
    start: '20190101',
    end: '20201231',
    rowCap: 6000,
    update: true,
  },
  {
    key: 'symbols',
    title: 'daily of 60 symbols (each: ts_code), 2010-2024',
    api: 'daily',
    fields: DAILY,
    start: '20100101',
    end: '20241231',
    symbols: 60,
    rowCap: 6000,
    update: true,
  },
  {
    key: 'fina',
    title: 'fina_indicator of 80 symbols (cap 100), 1995-2024',
    api: 'fina_indicator',
    fields: FINA,
    start: '19950101',
    end: '20241231',
    symbols: 80,
    rowCap: 100,
    update: false,
  },
];

/** Symbols spread over the universe (codes are in listing-independent order), so listing dates differ. */
function pickCodes(all: readonly string[], n: number): string[] {
  const step = all.length / n;
  return Array.from({ length: n }, (_, i) => all[Math.floor(i * step)]);
}

interface Measured {
  readonly spent: number;
  readonly bound: number;
  readonly report: RunReport;
  readonly exact: boolean;
}

/** Rows of the truth for the dataset between two days, per `each` value (one value without `each`). */
function truthRowsPerValue(
  emu: Emulator,
  ds: Dataset,
  codes: readonly string[] | undefined,
  start: string,
  end: string,
) {
  const window = { start_date: start, end_date: end };
  return codes
    ? codes.map((ts_code) => emu.dataset.count(ds.api, { ...window, ts_code }))
    : [emu.dataset.count(ds.api, window)];
}

function lowerBound(rows: readonly number[], cap: number): number {
  return rows.reduce((s, r) => s + Math.max(1, Math.ceil(r / cap)), 0);
}

/** Count and checksum of the table against the truth served now, over [start, end]. */
function tableExact(
  emu: Emulator,
  ds: Dataset,
  codes: readonly string[] | undefined,
  db: string,
  end: string,
): boolean {
  const want = new ChecksumBuilder();
  const window = { start_date: ds.start, end_date: end };
  for (const params of codes ? codes.map((ts_code) => ({ ...window, ts_code })) : [window])
    for (const row of emu.dataset.rows(ds.api, params, ds.fields)) want.add(row);
  const got = new ChecksumBuilder();
  const conn = new Database(db, { readonly: true });
  try {
    const cols = ds.fields.map((f) => `"${f}"`).join(', ');
    for (const row of conn.prepare(`SELECT ${cols} FROM ${ds.key}`).raw().iterate()) got.add(row as unknown[]);
  } finally {
    conn.close();
  }
  const [a, b] = [want.result(), got.result()];
  return a.count === b.count && a.sum === b.sum;
}

interface RunSpec {
  readonly db: string;
  readonly end: string;
  readonly plan: Record<string, unknown>;
  readonly options?: RunJobOptions;
}

async function runOnce(emu: Emulator, ds: Dataset, codes: readonly string[] | undefined, spec: RunSpec) {
  const job = parseJob(
    {
      name: `calls-${ds.key}`,
      source: { type: 'tushare', url: emu.url, token: emu.token, api: ds.api, fields: [...ds.fields] },
      plan: {
        start: ds.start,
        end: spec.end,
        ...(codes ? { each: { param: 'ts_code', values: [...codes] } } : {}),
        ...spec.plan,
      },
      execution: { concurrency: 8 },
      sink: { path: spec.db, table: ds.key },
    },
    {},
    'bench',
  );
  const before = emu.stats().calls;
  const { report, exitCode } = await runJob(job, { progress: 'quiet', note: () => {}, ...spec.options });
  if (exitCode !== 0) throw new Error(`${ds.key}: run exited ${exitCode}: ${report.error ?? report.status}`);
  return { report, served: emu.stats().calls - before };
}

/** A first run, or a run on a database that already holds one. */
async function measure(
  emu: Emulator,
  ds: Dataset,
  codes: readonly string[] | undefined,
  spec: RunSpec,
): Promise<Measured> {
  const { report } = await runOnce(emu, ds, codes, spec);
  const bound = lowerBound(truthRowsPerValue(emu, ds, codes, ds.start, spec.end), ds.rowCap);
  if (report.calls.lowerBound !== bound)
    throw new Error(`${ds.key}: the report's lower bound ${report.calls.lowerBound} is not the truth's ${bound}`);
  return { spent: report.calls.spent, bound, report, exact: tableExact(emu, ds, codes, spec.db, spec.end) };
}

/** Whether this Sluice knows `plan.lookback` (incremental runs). */
function knowsLookback(): boolean {
  try {
    parseJob(
      {
        name: 'probe',
        source: { type: 'tushare', token: 't', api: 'daily' },
        plan: { start: '20240101', end: '20240131', lookback: 5 },
        sink: { path: 'x.db', table: 'daily' },
      },
      {},
      'probe',
    );
    return true;
  } catch {
    return false;
  }
}

/** The update: back-fill to D, the server revises its last 5 days and moves on 10 trading days, run again. */
async function update(emu: Emulator, ds: Dataset, codes: readonly string[] | undefined, dir: string) {
  const days = emu.dataset.calendar.openDatesBetween(parseDay(ds.start), parseDay(ds.end));
  const d = days[days.length - 11];
  const db = join(dir, `${ds.key}-update.db`);
  emu.setAsOf(d);
  try {
    await runOnce(emu, ds, codes, { db, end: d, plan: { lookback: 5 } });
    emu.setRevisions({ days: 5, through: d });
    emu.setAsOf(ds.end);
    const { report } = await runOnce(emu, ds, codes, { db, end: ds.end, plan: { lookback: 5 } });
    const from = days[days.length - 15]; // the 5 looked-back days, then the 10 new ones
    const bound = lowerBound(truthRowsPerValue(emu, ds, codes, from, ds.end), ds.rowCap);
    return { spent: report.calls.spent, bound, report, exact: tableExact(emu, ds, codes, db, ds.end) };
  } finally {
    emu.setRevisions(undefined);
    emu.setAsOf(undefined);
  }
}

const ratio = (m: { spent: number; bound: number; exact: boolean }) =>
  `${(m.spent / m.bound).toFixed(2)}x (${m.spent} / ${m.bound})${m.exact ? '' : ' WRONG TABLE'}`;

export async function callsBench(symbols = 2000): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-calls-'));
  const emu = await startEmulator({ port: 0, seed: 1, symbols, rowCap: 6000, maxOffset: 100_000 });
  const lookback = knowsLookback();
  const out: Record<string, unknown> = {};
  try {
    console.log(
      `calls / lower bound against the emulator (${symbols} symbols, row cap 6000, offset limit 100000), SQLite; ` +
        `default strategy: ${DEFAULTS.plan.strategy}`,
    );
    console.log(
      'dataset | first run, nothing stated | second run, strategy: rows (learned) | smart, first run | update (lookback 5)',
    );
    for (const ds of DATASETS) {
      const codes = ds.symbols ? pickCodes(emu.dataset.universe.codes, ds.symbols) : undefined;
      const t0 = performance.now();
      const db = join(dir, `${ds.key}.db`);
      const first = await measure(emu, ds, codes, { db, end: ds.end, plan: {} });
      // the learned run fetches the whole range again (--full): the first one covered it all
      const learned = await measure(emu, ds, codes, {
        db,
        end: ds.end,
        plan: { strategy: 'rows' },
        options: { full: true },
      });
      const smart = await measure(emu, ds, codes, {
        db: join(dir, `${ds.key}-smart.db`),
        end: ds.end,
        plan: { strategy: 'smart' },
      });
      const upd = ds.update && lookback ? await update(emu, ds, codes, dir) : undefined;
      const updText = !ds.update
        ? '— (report periods, not trading days)'
        : upd
          ? ratio(upd)
          : 'n/a (plan.lookback not in this build)';
      console.log(
        `${ds.title} | ${ratio(first)} ${first.report.plan.strategy} | ${ratio(learned)} | ${ratio(smart)} | ${updText}` +
          `  [${first.report.rows.written} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s]`,
      );
      out[ds.key] = {
        first: first.spent / first.bound,
        learned: learned.spent / learned.bound,
        smart: smart.spent / smart.bound,
        update: upd ? upd.spent / upd.bound : null,
        exact: [first, learned, smart, ...(upd ? [upd] : [])].every((m) => m.exact),
      };
    }
    return out;
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--symbols');
  await callsBench(i >= 0 ? Number(process.argv[i + 1]) : 2000);
}
