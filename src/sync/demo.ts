/**
 * `sluice demo --sync`: a small Tushare mirror kept current against the local emulator. A back-fill
 * of eight datasets from one sync definition, then the emulator's data moves on ten trading days
 * and the same sync runs again as an update; the calls of each dataset are printed both times.
 * Tables are named `demo_<api>`, so emulated data never mixes with a real mirror in one database.
 */
import { resolve } from 'node:path';
import { printLine, printText } from '../core/log.js';
import { startEmulator } from '../emulator/index.js';
import { formatSyncSummary } from '../report/text.js';
import { parseSync } from './load.js';
import { runSync } from './run.js';

/** What the sync demo uses when an option is left out. */
export const SYNC_DEMO_DEFAULTS = { db: './sluice-mirror.db', symbols: 40 } as const;

export interface SyncDemoOptions {
  /** SQLite file. @default './sluice-mirror.db' */
  readonly db?: string;
  /** @default 40 */
  readonly symbols?: number;
  readonly signal?: AbortSignal;
}

const FIRST = '20241213';
const APIS = ['trade_cal', 'stock_basic', 'index_basic', 'daily', 'adj_factor', 'daily_basic', 'index_daily'];

/** The demo's sync definition: from 2020 to `end`, every dataset paced at 25 calls/s. */
export function demoSync(url: string, token: string, db: string, end: string): Record<string, unknown> {
  return {
    name: 'demo-mirror',
    source: { type: 'tushare', url, token, rateLimit: { calls: 25, intervalMs: 1000 } },
    sink: { type: 'sqlite', path: db },
    start: '20200101',
    end,
    execution: { retries: 6, timeoutMs: 2000, backoff: { baseMs: 50, maxMs: 1000 } },
    datasets: [
      ...APIS.map((api) => ({ api, table: `demo_${api}` })),
      // reports come out up to three months after their quarter: look back that far for late ones
      { api: 'fina_indicator', table: 'demo_fina_indicator', lookback: 70 },
    ],
  };
}

export async function runSyncDemo(options: SyncDemoOptions = {}): Promise<number> {
  const db = resolve(options.db ?? SYNC_DEMO_DEFAULTS.db);
  const emulator = await startEmulator({
    port: 0,
    seed: 7,
    symbols: options.symbols ?? SYNC_DEMO_DEFAULTS.symbols,
    rate: { calls: 30, intervalMs: 1000, window: 'sliding' },
    asOf: FIRST,
  });
  try {
    const days = emulator.dataset.calendar.openDatesBetween(
      emulator.dataset.calendar.first,
      emulator.dataset.calendar.last,
    );
    const later = days[days.indexOf(FIRST) + 10];
    printLine(`sluice demo: emulator at ${emulator.url}, data as of ${FIRST}; mirror in ${db}`);
    let code = 0;
    let last = '';
    for (const [step, end] of [
      ['back-fill', FIRST],
      ['update', later],
    ] as const) {
      if (step === 'update') {
        emulator.setAsOf(later);
        printLine(`sluice demo: the server's data moved on to ${later} (10 trading days); syncing again`);
      } else {
        printLine(`sluice demo: back-filling ${APIS.length + 1} datasets from 20200101 to ${end}`);
      }
      const loaded = parseSync(demoSync(emulator.url, emulator.token, db, end), process.env, 'demo sync');
      const { report, exitCode } = await runSync(loaded, { signal: options.signal, note: () => undefined });
      printText(`${step}:\n${formatSyncSummary(report)}`);
      code = exitCode;
      last = report.runId;
      if (exitCode !== 0) break;
    }
    const next = [
      [`sluice report ${last} --db ${db}`, "the update's report (each dataset, the total)"],
      [`sluice report ${last} --db ${db} --html mirror.html`, 'a chart per dataset'],
      ['sluice sync examples/mirror.yaml', 'your own mirror (see README: Mirror)'],
    ];
    const width = Math.max(...next.map(([c]) => c.length));
    printLine(['next:', ...next.map(([c, n]) => `  ${c.padEnd(width)}   # ${n}`)].join('\n'));
    return code;
  } finally {
    await emulator.close();
  }
}
