/**
 * Peak RSS of a real `sluice run`: the built CLI, started with the flags of its shebang, ingests
 * `daily` from an emulator running in another process (so the emulator's memory is not counted)
 * into SQLite, with no quota, so the run is CPU-bound.
 *
 *   node dist/bench/ingest-run-rss.js [--rows 1m|10m|both] [--repeat N] [--concurrency N] [--by date|symbol]
 *     [--max-rows-held N]   (the job's execution.maxRowsHeld; default: the job default, 0 = no limit)
 *
 * By default (`--by date`) the job fetches by trade date over all 5,000 symbols with
 * `strategy: rows` (no `each`): windows of up to ~100,000 rows paged by 6,000, the fewest calls a
 * quota-bound user can spend (rows / 6,000 + one short page per window). It is also the hardest
 * case for memory: every batch is a whole window of rows, and `concurrency` of them are in flight.
 * `--by symbol` adds `each` over the 5,000 codes instead: one small batch (one call) per symbol,
 * 5,000 calls whatever the range, to show the floor of a run that holds little.
 *
 * Memory is read from outside, from /proc/<pid>/status of the run process every 100 ms: VmRSS for
 * the timeline, VmHWM (the kernel's high-water mark, so nothing between two samples is missed) for
 * the peak, read once more when the process closes its output. The report's own figures (sampled
 * in-process once a second) are printed next to it. "Flat" compares the highest VmRSS sample in
 * the second half of the run with the one in the first half.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { CLI_MAIN, cliNodeFlags } from '../src/cli/node-flags.js';
import { DEMO_TOKEN, dataset } from '../src/emulator/index.js';

const SYMBOLS = 5000;
/** Same end date for both sizes; the 10M range starts earlier. Row counts are from the emulator's dataset. */
const SIZES: Record<string, { start: string; end: string }> = {
  '1m': { start: '20240101', end: '20241130' },
  '10m': { start: '20150901', end: '20241130' },
};

export interface RunRss {
  readonly size: string;
  readonly expectedRows: number;
  readonly writtenRows: number;
  readonly tableRows: number;
  readonly status: string;
  readonly calls: number;
  readonly batches: number;
  readonly wallS: number;
  /** VmHWM of the run process (MB). */
  readonly peakRssMb: number;
  readonly firstHalfPeakMb: number;
  readonly secondHalfPeakMb: number;
  readonly secondHalfVsFirstHalf: number;
  /** The run report's own memory figures. */
  readonly report: { startRssMb: number; peakRssMb: number; peakHeapMb: number; growthMb: number | null };
}

const mb = (kb: number): number => Math.round(kb / 102.4) / 10;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** VmRSS and VmHWM in kB, or undefined once the process is gone. */
function readStatus(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(text);
    const hwm = /VmHWM:\s+(\d+)/.exec(text);
    return rss && hwm ? { rss: Number(rss[1]), hwm: Number(hwm[1]) } : undefined;
  } catch {
    return undefined;
  }
}

/** The emulator as a separate `sluice emulate` process; resolves once it prints where it listens. */
async function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      ...cliNodeFlags(),
      CLI_MAIN,
      'emulate',
      '--port',
      '0',
      '--json',
      '--symbols',
      String(SYMBOLS),
      '--latency-ms',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const lines = createInterface({ input: child.stdout! });
  let text = '';
  for await (const line of lines) {
    text += line;
    try {
      const { url } = JSON.parse(text) as { url: string };
      lines.close();
      return { url, child };
    } catch {
      /* the JSON spans several lines */
    }
  }
  throw new Error('the emulator exited before printing its address');
}

async function runOnce(
  size: string,
  url: string,
  concurrency: number,
  by: string,
  maxRowsHeld: number | undefined,
): Promise<RunRss> {
  const { start, end } = SIZES[size];
  const dir = mkdtempSync(join(tmpdir(), 'sluice-run-rss-'));
  try {
    const db = join(dir, 'rss.db');
    const jobPath = join(dir, 'job.json');
    writeFileSync(
      jobPath,
      JSON.stringify({
        name: `run-rss-${size}`,
        source: { type: 'tushare', url, token: DEMO_TOKEN, api: 'daily', rowCap: 6000 },
        plan:
          by === 'symbol'
            ? {
                start,
                end,
                strategy: 'rows',
                rowsPerDay: 1,
                each: { param: 'ts_code', values: dataset({ symbols: SYMBOLS }).universe.codes },
              }
            : { start, end, strategy: 'rows', rowsPerDay: SYMBOLS },
        execution: maxRowsHeld === undefined ? { concurrency } : { concurrency, maxRowsHeld },
        sink: { type: 'sqlite', path: db, table: 'daily', key: ['ts_code', 'trade_date'] },
      }),
    );
    const child = spawn(process.execPath, [...cliNodeFlags(), CLI_MAIN, 'run', jobPath, '--json', '--quiet'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = child.pid as number;
    const t0 = performance.now();
    const samples: Array<{ t: number; rss: number }> = [];
    let hwm = 0;
    const sample = (): void => {
      const s = readStatus(pid);
      if (!s) return;
      samples.push({ t: performance.now() - t0, rss: s.rss });
      hwm = Math.max(hwm, s.hwm);
    };
    sample();
    const timer = setInterval(sample, 100);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    // The report is printed last: read the high-water mark again as soon as output ends.
    child.stdout!.on('end', sample);
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    clearInterval(timer);
    const wallMs = performance.now() - t0;
    if (code !== 0) throw new Error(`sluice run exited with ${code}`);
    const report = JSON.parse(stdout) as {
      status: string;
      rows: { written: number };
      calls: { total: number };
      batches: { total: number };
      memory: { startRssMb: number; peakRssMb: number; peakHeapMb: number; growthMb: number | null };
    };
    const conn = new Database(db, { readonly: true });
    const tableRows = (conn.prepare('SELECT COUNT(*) AS n FROM daily').get() as { n: number }).n;
    conn.close();
    const half = wallMs / 2;
    const first = Math.max(...samples.filter((s) => s.t < half).map((s) => s.rss));
    const second = Math.max(...samples.filter((s) => s.t >= half).map((s) => s.rss));
    return {
      size,
      expectedRows: dataset({ symbols: SYMBOLS }).count('daily', { start_date: start, end_date: end }),
      writtenRows: report.rows.written,
      tableRows,
      status: report.status,
      calls: report.calls.total,
      batches: report.batches.total,
      wallS: Math.round(wallMs / 100) / 10,
      peakRssMb: mb(hwm),
      firstHalfPeakMb: mb(first),
      secondHalfPeakMb: mb(second),
      secondHalfVsFirstHalf: Math.round((second / first) * 1000) / 1000,
      report: {
        startRssMb: report.memory.startRssMb,
        peakRssMb: report.memory.peakRssMb,
        peakHeapMb: report.memory.peakHeapMb,
        growthMb: report.memory.growthMb,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function line(r: RunRss): string {
  const rowsOk = r.writtenRows === r.expectedRows && r.tableRows === r.expectedRows ? 'rows ok' : 'ROWS WRONG';
  return (
    `  ${r.size.padEnd(3)} ${r.status}, ${r.writtenRows} rows (${rowsOk}), ${r.calls} calls, ${r.batches} batches, ${r.wallS} s: ` +
    `peak RSS ${r.peakRssMb} MB (VmHWM); halves ${r.firstHalfPeakMb} / ${r.secondHalfPeakMb} MB = ${r.secondHalfVsFirstHalf}; ` +
    `report: start ${r.report.startRssMb}, peak ${r.report.peakRssMb}, heap peak ${r.report.peakHeapMb} MB`
  );
}

export async function main(): Promise<void> {
  const which = flag('--rows') ?? '1m';
  const sizes = which === 'both' ? ['1m', '10m'] : [which];
  if (!sizes.every((s) => s in SIZES)) throw new Error(`--rows: expected 1m, 10m or both, got ${which}`);
  const repeat = Number(flag('--repeat') ?? 1);
  const concurrency = Number(flag('--concurrency') ?? 4);
  const by = flag('--by') ?? 'date';
  const held = flag('--max-rows-held');
  const maxRowsHeld = held === undefined ? undefined : Number(held);
  if (by !== 'date' && by !== 'symbol') throw new Error(`--by: expected date or symbol, got ${by}`);
  const emulator = await startEmulatorProcess();
  const runs: RunRss[] = [];
  try {
    console.log(
      `sluice run, ${SYMBOLS} symbols, strategy rows by ${by}, rowCap 6000, concurrency ${concurrency}, maxRowsHeld ${maxRowsHeld ?? 'default'}, no quota; node ${cliNodeFlags().join(' ')}; load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    for (let i = 0; i < repeat; i++) {
      for (const size of sizes) {
        const r = await runOnce(size, emulator.url, concurrency, by, maxRowsHeld);
        runs.push(r);
        console.log(line(r));
      }
    }
  } finally {
    emulator.child.kill('SIGTERM');
  }
  const peaks = (size: string): number[] => runs.filter((r) => r.size === size).map((r) => r.peakRssMb);
  const summary: Record<string, unknown> = {
    machine: { node: process.version, cpus: cpus().length, loadavg: loadavg() },
    by,
    concurrency,
    maxRowsHeld: maxRowsHeld ?? 'default',
    runs,
  };
  if (sizes.length === 2)
    summary.peak10Mvs1M = Math.round((Math.max(...peaks('10m')) / Math.max(...peaks('1m'))) * 1000) / 1000;
  const ok = runs.every(
    (r) => r.status === 'succeeded' && r.writtenRows === r.expectedRows && r.tableRows === r.expectedRows,
  );
  summary.rowsOk = ok;
  console.log(JSON.stringify(summary));
  if (!ok) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
