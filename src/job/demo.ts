/**
 * `sluice demo`: zero configuration. Starts the local emulator (with a quota and a few injected
 * faults), runs a real daily-prices job against it into SQLite, and prints the run report and
 * where to look next. The job it runs is the same kind of file a user would write.
 */
import { resolve } from 'node:path';
import { type Dataset, startEmulator } from '../emulator/index.js';
import { callsFor, planJob } from '../plan/index.js';
import { printLine } from '../core/log.js';
import { parseJob } from './load.js';
import { finishRun } from './finish.js';
import { runJob } from './run.js';
import { JOB_DEFAULTS } from './schema.js';
import { demoServedThrough, runDemoUpdate } from './demo-update.js';

/** What the demo uses when an option is left out. */
export const DEMO_DEFAULTS = { db: JOB_DEFAULTS.sink.path, symbols: 40, html: './sluice-report.html' } as const;
const DEMO_RANGE = { start: '20220101', end: '20241231' } as const;
const DEMO_ROW_CAP = 6000;

export interface DemoOptions {
  /** SQLite file. @default './sluice.db' */
  readonly db?: string;
  /** @default 40 */
  readonly symbols?: number;
  /** HTML report file. @default './sluice-report.html' */
  readonly html?: string;
  readonly json?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The demo's job: per-symbol daily prices, 2022-2024, paced at 25 calls/s. Its table is `demo_daily`,
 * so emulated prices never mix with a real `daily` table in the same database.
 */
export function demoJob(url: string, token: string, codes: readonly string[], db: string): unknown {
  return {
    name: 'demo-daily',
    source: {
      type: 'tushare',
      url,
      token,
      api: 'daily',
      fields: [
        'ts_code',
        'trade_date',
        'open',
        'high',
        'low',
        'close',
        'pre_close',
        'change',
        'pct_chg',
        'vol',
        'amount',
      ],
      rowCap: DEMO_ROW_CAP,
      rateLimit: { calls: 25, intervalMs: 1000 },
    },
    // no strategy: the default plan (auto)
    plan: { start: DEMO_RANGE.start, end: DEMO_RANGE.end, each: { param: 'ts_code', values: codes } },
    execution: {
      concurrency: { adaptive: true, min: 2, max: 16 },
      retries: 6,
      timeoutMs: 2000,
      backoff: { baseMs: 50, maxMs: 1000 },
    },
    sink: { type: 'sqlite', path: db, table: 'demo_daily', key: ['ts_code', 'trade_date'] },
  };
}

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const db = resolve(options.db ?? DEMO_DEFAULTS.db);
  const html = resolve(options.html ?? DEMO_DEFAULTS.html);
  // The emulator's quota is 30 calls/s; the job paces at 25/s, so no call is refused for rate.
  const emulator = await startEmulator({
    port: 0,
    seed: 7,
    symbols: options.symbols ?? DEMO_DEFAULTS.symbols,
    rate: { calls: 30, intervalMs: 1000, window: 'sliding' },
    faults: 'all:0.01',
  });
  try {
    printLine(`sluice demo: emulator at ${emulator.url} (1% injected faults, quota 30 calls/s)`);
    const raw = demoJob(emulator.url, emulator.token, emulator.dataset.universe.codes, db);
    const job = parseJob(raw, process.env, 'demo job');
    // the vendor's data as of the back-fill's end (or of an earlier demo's update); the update moves it on
    const { served, covered } = await demoServedThrough(emulator, job, DEMO_RANGE.end);
    printLine(`sluice demo: fetching daily prices of ${emulator.dataset.universe.size} symbols, 2022-2024, into ${db}`);
    // --full when an earlier demo left the range in the database: the back-fill fetches all of it again
    const result = await runJob(job, {
      full: covered,
      signal: options.signal,
      progress: options.json ? 'quiet' : 'auto',
    });
    let code = await finishRun(result, job, { json: options.json, html });
    const stats = emulator.stats();
    printLine(`sluice demo: the emulator answered ${stats.calls} calls (${stats.rejectedRate} refused for rate)`);
    const smart = calendarRuleCalls(emulator.dataset, emulator.dataset.universe.codes);
    printLine(
      `sluice demo: the default plan (auto) made ${result.report.analysis.pageCalls} page calls; the calendar rule (smart) would have made ${smart} (counted from the rows each of its windows holds)`,
    );
    if (code === 0) {
      code = await runDemoUpdate({
        emulator,
        served,
        job: raw,
        firstCalls: stats.calls,
        quiet: options.json === true,
        signal: options.signal,
      });
    }
    printLine(
      [
        'next:',
        ...alignComments([
          [`sluice report latest --db ${db}`, 'the stored run report'],
          [`sluice report latest --db ${db} --runs 5`, 'trend across runs'],
          [`sluice targets latest --db ${db}`, 'performance targets'],
          [`open ${html}`, 'charts'],
          [`sluice ui --db ${db}`, 'the stored runs in a browser'],
          ['sluice run examples/daily.yaml --ui', 'your own job, watched live (see README)'],
        ]),
        '  sluice plan --start 20100101 --end 20241231 --strategy rows --rows-per-day 5000 --row-cap 6000',
      ].join('\n'),
    );
    return code;
  } finally {
    await emulator.close();
  }
}

/**
 * Page calls the calendar rule's plan would make for the demo job: for each of its windows and
 * each symbol, ceil(rows / cap) (at least one), rows counted by the emulator's generator.
 */
export function calendarRuleCalls(data: Dataset, codes: readonly string[]): number {
  const { windows } = planJob({ ...DEMO_RANGE, strategy: 'smart' });
  let calls = 0;
  for (const w of windows)
    for (const ts_code of codes)
      calls += callsFor(data.count('daily', { ts_code, start_date: w.start, end_date: w.end }), DEMO_ROW_CAP);
  return calls;
}

/** `  command   # comment` lines with the comments in one column. */
function alignComments(lines: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...lines.map(([cmd]) => cmd.length));
  return lines.map(([cmd, note]) => `  ${cmd.padEnd(width)}   # ${note}`);
}
