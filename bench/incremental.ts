/**
 * Incremental runs at the scale (issue 11, item 2), against the emulator on loopback:
 * a job back-filled to day D, run again to D + 10 trading days with `plan.lookback: 5` after the
 * server revised the last 5 days it served, then with its start a year earlier. Prints the calls
 * of each run against the lower bound of the rows it had to fetch (per `each` value
 * max(1, ceil(rows / cap)), summed) and checks the table against the emulator's truth.
 *
 *   node dist/bench/incremental.js            # both jobs, the default strategy and `rows`
 *   node dist/bench/incremental.js market     # one job: market | each
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../src/core/defaults.js';
import { formatDay, parseDay } from '../src/core/dates.js';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { parseJob } from '../src/job/load.js';
import { runJob } from '../src/job/run.js';
import { lookbackRange, weekdayCalendar } from '../src/plan/index.js';
import { expectedDaily, tableFacts, tempDir } from '../tests/helpers/e2e.js';

const CAP = 6000;
const FIELDS = ['ts_code', 'trade_date', 'open', 'high', 'low', 'close', 'vol', 'amount'];

export interface UpdateCase {
  readonly name: string;
  readonly start: string;
  /** The back-fill's last day (D). */
  readonly served: string;
  /** The start moved earlier. */
  readonly earlier: string;
  /** `each: ts_code` over these codes; whole market when left out. */
  readonly codes?: readonly string[];
  /** Plan strategy; with `rows`, the density is rowsPerDay. */
  readonly strategy: string;
  readonly rowsPerDay?: number;
}

export interface UpdateResult {
  readonly backfill: { calls: number; bound: number };
  readonly update: { calls: number; bound: number };
  readonly extend: { calls: number; bound: number };
  readonly exact: boolean;
}

/** Lower bound of calls for the rows of [start, end] (per code when `codes`). */
function bound(emu: Emulator, start: string, end: string, codes?: readonly string[]): number {
  const count = (p: Record<string, string>): number =>
    emu.dataset.count('daily', { ...p, start_date: start, end_date: end });
  if (!codes) return Math.max(1, Math.ceil(count({}) / CAP));
  return codes.reduce((n, ts_code) => n + Math.max(1, Math.ceil(count({ ts_code }) / CAP)), 0);
}

/** The first day of the last `days` weekdays through `end` (the job names no calendar). */
function lookbackStart(end: string, days: number): string {
  return formatDay(lookbackRange(parseDay(end), days, weekdayCalendar, 0)!.start);
}

async function runOnce(emu: Emulator, c: UpdateCase, db: string, start: string, end: string): Promise<number> {
  const job = parseJob(
    {
      name: `bench-${c.name}`,
      source: { type: 'tushare', url: emu.url, token: emu.token, api: 'daily', fields: FIELDS, rowCap: CAP },
      plan: {
        start,
        end,
        strategy: c.strategy,
        lookback: 5,
        ...(c.rowsPerDay !== undefined ? { rowsPerDay: c.rowsPerDay } : {}),
        ...(c.codes ? { each: { param: 'ts_code', values: [...c.codes] } } : {}),
      },
      execution: { concurrency: 8 },
      sink: { type: 'sqlite', path: db, table: 'daily', key: ['ts_code', 'trade_date'] },
    },
    {},
    'bench job',
  );
  const before = emu.stats().calls;
  const r = await runJob(job, { progress: 'quiet', note: () => undefined });
  if (r.exitCode !== 0) throw new Error(`run failed: ${r.fatal?.message ?? r.report.status}`);
  return emu.stats().calls - before;
}

/** Back-fill, update (+10 trading days, 5 revised and looked back), start a year earlier. */
export async function updateScenario(emu: Emulator, c: UpdateCase, dir: string): Promise<UpdateResult> {
  const db = join(dir, `${c.name}.db`);
  rmSync(db, { force: true });
  const cal = emu.dataset.calendar;
  const end = formatDay(cal.openDays[cal.lastIndexUpTo(parseDay(c.served)) + 10]);
  emu.setAsOf(c.served);
  emu.setRevisions(undefined);
  const backfill = {
    calls: await runOnce(emu, c, db, c.start, c.served),
    bound: bound(emu, c.start, c.served, c.codes),
  };
  emu.setAsOf(end);
  emu.setRevisions({ days: 5, through: c.served });
  const update = {
    calls: await runOnce(emu, c, db, c.start, end),
    bound: bound(emu, lookbackStart(c.served, 5), end, c.codes),
  };
  const dayBefore = formatDay(parseDay(c.start) - 1);
  const extend = {
    calls: await runOnce(emu, c, db, c.earlier, end),
    bound: bound(emu, c.earlier, dayBefore, c.codes) + bound(emu, lookbackStart(end, 5), end, c.codes),
  };
  const truth = expectedDaily(emu.dataset, c.earlier, end, c.codes, FIELDS);
  const facts = tableFacts(db, 'daily', FIELDS);
  const exact = facts.rows === truth.count && facts.keys === truth.count && facts.checksum.sum === truth.sum;
  rmSync(db, { force: true });
  return { backfill, update, extend, exact };
}

const ratio = (x: { calls: number; bound: number }): string =>
  `${x.calls} / ${x.bound} = ${(x.calls / x.bound).toFixed(2)}x`;

async function main(): Promise<void> {
  const only = process.argv[2];
  const emu = await startEmulator({ seed: 42, symbols: 2000, rowCap: CAP });
  const dir = tempDir('sluice-bench-incr-');
  try {
    const codes = emu.dataset.universe.codes.slice(0, 60);
    const cases: UpdateCase[] = [];
    // the default plan, the calendar rule when it is not the default, and `rows` with a density
    const byDefault: string = DEFAULTS.plan.strategy;
    const strategies: [string, boolean][] = [[byDefault, false]];
    if (byDefault !== 'smart') strategies.push(['smart', false]);
    strategies.push(['rows', true]);
    for (const [strategy, rows] of strategies) {
      if (only !== 'each')
        cases.push({
          name: `market-${strategy}`,
          start: '20190101',
          served: '20201218',
          earlier: '20180101',
          strategy,
          rowsPerDay: rows ? 2000 : undefined,
        });
      if (only !== 'market')
        cases.push({
          name: `each-${strategy}`,
          start: '20100101',
          served: '20241213',
          earlier: '20090101',
          codes,
          strategy,
          rowsPerDay: rows ? 1 : undefined,
        });
    }
    console.log(
      '| job | strategy | back-fill calls / bound | update (+10 days, 5 looked back) | start a year earlier | table |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const c of cases) {
      const t0 = performance.now();
      const r = await updateScenario(emu, c, dir);
      const job = c.codes
        ? `daily, ${c.codes.length} symbols (each), ${c.start.slice(0, 4)}-`
        : `daily, whole market (2,000), ${c.start.slice(0, 4)}-`;
      console.log(
        `| ${job} | ${c.strategy} | ${ratio(r.backfill)} | **${ratio(r.update)}** | ${ratio(r.extend)} | ${r.exact ? 'exact' : 'NOT EXACT'} (${((performance.now() - t0) / 1000).toFixed(1)} s) |`,
      );
    }
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('incremental.js')) await main();
