/**
 * End-to-end ingest benchmark: a real job (Tushare protocol, pacing, executor, SQLite journal)
 * against the local emulator under a quota. The figure that matters to a user is how close the
 * run gets to the quota's floor: wall time / (calls / quota). 1.00 is perfect; the goal is <= 1.05.
 *
 *   node dist/bench/ingest-e2e.js [--calls-per-second N] [--symbols N]
 *
 * A sliding-window pacer may start the first `calls` of a run at once (nothing was spent yet), so
 * the floor is (calls - quotaPerInterval) / rate; both ratios are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import { parseJob } from '../src/job/load.js';
import { runJob } from '../src/job/run.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export async function endToEnd(callsPerSecond = 20, symbols = 100): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-e2e-'));
  const emulator = await startEmulator({
    port: 0,
    seed: 1,
    symbols,
    rate: { calls: callsPerSecond, intervalMs: 1000, window: 'sliding' },
  });
  try {
    const job = parseJob(
      {
        name: 'bench-e2e',
        source: {
          type: 'tushare',
          url: emulator.url,
          token: emulator.token,
          api: 'daily',
          rowCap: 6000,
          rateLimit: { calls: callsPerSecond, intervalMs: 1000 },
        },
        plan: {
          start: '20200101',
          end: '20241231',
          strategy: 'year',
          each: { param: 'ts_code', values: emulator.dataset.universe.codes },
        },
        execution: { concurrency: 8 },
        sink: { path: join(dir, 'bench.db'), table: 'daily', key: ['ts_code', 'trade_date'] },
      },
      {},
      'bench',
    );
    const { report } = await runJob(job, { progress: 'quiet', note: () => {} });
    const calls = report.calls.total;
    const floorMs = (calls / callsPerSecond) * 1000;
    const burstFloorMs = (Math.max(0, calls - callsPerSecond) / callsPerSecond) * 1000;
    const refused = emulator.stats().rejectedRate;
    console.log(
      `end-to-end against the emulator (quota ${callsPerSecond} calls/s, ${symbols} symbols x 5 years, SQLite)`,
    );
    console.log(`  status ${report.status}, ${report.rows.written} rows, ${calls} calls, ${refused} refused (40203)`);
    console.log(`  wall ${(report.wallMs / 1000).toFixed(2)} s; calls/quota ${(floorMs / 1000).toFixed(2)} s`);
    console.log(`  wall / (calls / quota)                 = ${(report.wallMs / floorMs).toFixed(3)}  (goal <= 1.05)`);
    console.log(`  wall / ((calls - first window) / quota) = ${(report.wallMs / burstFloorMs).toFixed(3)}`);
    console.log(
      `  rows/s ${(report.rows.written / (report.wallMs / 1000)).toFixed(0)}, achieved ${(calls / (report.wallMs / 1000)).toFixed(2)} calls/s`,
    );
    return {
      status: report.status,
      quotaPerSecond: callsPerSecond,
      calls,
      refused,
      rows: report.rows.written,
      wallMs: Math.round(report.wallMs),
      wallOverFloor: Number((report.wallMs / floorMs).toFixed(3)),
      wallOverBurstFloor: Number((report.wallMs / burstFloorMs).toFixed(3)),
    };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await endToEnd(flag('--calls-per-second', 20), flag('--symbols', 100));
}
