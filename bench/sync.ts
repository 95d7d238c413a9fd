/**
 * Calls of a Tushare mirror kept by `runSync` against the emulator: a back-fill of trade_cal,
 * stock_basic, daily, adj_factor, daily_basic and fina_indicator (500 symbols, 2015 to a day D),
 * then one daily update after the server's data moved on one trading day; per dataset, the calls
 * against the lower bound (over each code asked, ceil(rows / row cap), at least 1). Prints one JSON
 * document. `node dist/bench/sync.js [symbols]`.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator/index.js';
import { parseSync } from '../src/sync/load.js';
import { runSync } from '../src/sync/run.js';
import type { RunReport } from '../src/core/report.js';

const SYMBOLS = Number(process.argv[2] ?? 500);
const START = '20150101';
const D = '20241213';

function definition(url: string, token: string, db: string, end: string): Record<string, unknown> {
  return {
    name: 'bench-mirror',
    source: { type: 'tushare', url, token },
    sink: { type: 'sqlite', path: db },
    start: START,
    end,
    execution: { concurrency: 8, retries: 6, backoff: { baseMs: 20, maxMs: 400 } },
    datasets: [
      'trade_cal',
      'stock_basic',
      'daily',
      'adj_factor',
      'daily_basic',
      { api: 'fina_indicator', lookback: 70 },
    ],
  };
}

function figures(r: RunReport, served: Record<string, number>) {
  const s = r.sync!;
  return {
    wallS: Math.round(r.wallMs / 100) / 10,
    total: { calls: s.total.calls, lowerBound: s.total.lowerBound, ratio: s.total.ratio, rows: s.total.rows },
    datasets: s.datasets.map((d) => ({
      name: d.name,
      calls: d.calls,
      served: served[d.api] ?? 0,
      lowerBound: d.lowerBound,
      ratio: d.ratio,
      rows: d.rows,
      state: d.state,
    })),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-sync-'));
const db = join(dir, 'mirror.db');
const emu = await startEmulator({ port: 0, seed: 21, symbols: SYMBOLS, asOf: D, latencyMs: 2 });
try {
  const run = async (end: string) => {
    const before = { ...emu.stats().byApi };
    const { report } = await runSync(parseSync(definition(emu.url, emu.token, db, end), {}, 'bench'), {
      note: () => undefined,
    });
    const after = emu.stats().byApi;
    const served = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
    return figures(report, served);
  };
  const backfill = await run(D);
  const days = emu.dataset.calendar.openDatesBetween(emu.dataset.calendar.first, emu.dataset.calendar.last);
  const next = days[days.indexOf(D) + 1];
  emu.setAsOf(next);
  const update = await run(next);
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'sync',
        symbols: SYMBOLS,
        range: `${START}-${D}`,
        update: `${D} -> ${next} (one trading day)`,
        backfill,
        update1: update,
        machine: {
          node: process.version,
          cpus: cpus().length,
          loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
}
