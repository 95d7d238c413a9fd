/**
 * Workers benchmark: batches/s of `sluice run --queue` with 1, 2 and 4 `sluice worker` processes
 * against an emulator with a high quota (so pacing never binds) and a fixed per-call latency.
 * Every batch is one call; the sink is one SQLite file shared by all workers.
 *
 *   node dist/bench/scale-workers.js [--workers 1,2,4] [--symbols N] [--latency-ms N] [--concurrency N] [--json]
 *
 * Needs Redis at redis://127.0.0.1:6379 (or SLUICE_BENCH_REDIS_URL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { startEmulator } from '../src/emulator/index.js';
import { QUEUE_PREFIX, queueNameFor } from '../src/distributed/wire.js';
import { redisOptions } from '../src/distributed/redis.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export interface WorkerBenchOptions {
  /** Worker process counts to measure. @default [1, 2, 4] */
  readonly workers?: readonly number[];
  /** Symbols (batches = symbols x 12 months). @default 40 */
  readonly symbols?: number;
  /** Emulator latency per call. @default 20 */
  readonly latencyMs?: number;
  /** Batches each worker runs at once. @default 4 */
  readonly concurrency?: number;
  /** @default redis://127.0.0.1:6379 */
  readonly queueUrl?: string;
}

export interface WorkerBenchFigure {
  readonly workers: number;
  readonly batches: number;
  readonly calls: number;
  readonly wallMs: number;
  readonly batchesPerSecond: number;
}

function startWorkerProcess(queueUrl: string, job: string, concurrency: number, token: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--queue', queueUrl, '--job', job, '--concurrency', String(concurrency)],
    {
      env: { ...process.env, TUSHARE_TOKEN: token },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('ready on')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${text.trim()}`)));
  });
}

function runProducer(
  jobPath: string,
  queueUrl: string,
  token: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'run', jobPath, '--queue', queueUrl, '--json'], {
    env: { ...process.env, TUSHARE_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

export async function benchWorkers(options: WorkerBenchOptions = {}): Promise<WorkerBenchFigure[]> {
  const queueUrl = options.queueUrl ?? process.env.SLUICE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const symbols = options.symbols ?? 40;
  const concurrency = options.concurrency ?? 4;
  const emu = await startEmulator({
    port: 0,
    seed: 5,
    symbols,
    latencyMs: options.latencyMs ?? 20,
    knee: 64,
    rate: { calls: 1_000_000, intervalMs: 60_000 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-workers-'));
  const figures: WorkerBenchFigure[] = [];
  try {
    for (const count of options.workers ?? [1, 2, 4]) {
      const name = `bench-workers-${count}-${randomUUID().slice(0, 8)}`;
      const jobPath = join(dir, `${name}.json`);
      writeFileSync(
        jobPath,
        JSON.stringify({
          name,
          source: {
            type: 'tushare',
            url: emu.url,
            token: '${TUSHARE_TOKEN}',
            api: 'daily',
            rowCap: 6000,
            rateLimit: { calls: 1_000_000, intervalMs: 60_000 },
          },
          plan: {
            start: '20230101',
            end: '20231231',
            strategy: 'month',
            each: { param: 'ts_code', values: emu.dataset.universe.codes.slice(0, symbols) },
          },
          execution: { concurrency, retries: 5, timeoutMs: 10_000 },
          sink: { type: 'sqlite', path: join(dir, `${name}.db`), table: 'daily', key: ['ts_code', 'trade_date'] },
        }),
      );
      const workers = await Promise.all(
        Array.from({ length: count }, () => startWorkerProcess(queueUrl, name, concurrency, emu.token)),
      );
      try {
        const callsBefore = emu.stats().calls;
        const r = await runProducer(jobPath, queueUrl, emu.token);
        if (r.code !== 0)
          throw new Error(
            `run with ${count} workers exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
          );
        const report = JSON.parse(r.stdout) as { wallMs: number; batches: { done: number } };
        figures.push({
          workers: count,
          batches: report.batches.done,
          calls: emu.stats().calls - callsBefore,
          wallMs: Math.round(report.wallMs),
          batchesPerSecond: Math.round((report.batches.done / (report.wallMs / 1000)) * 10) / 10,
        });
      } finally {
        await stopAll(workers);
        const queue = new Queue(queueNameFor(name), { connection: redisOptions(queueUrl), prefix: QUEUE_PREFIX });
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
      }
    }
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const counts = flag('--workers')?.split(',').map(Number);
  const figures = await benchWorkers({
    workers: counts,
    symbols: flag('--symbols') ? Number(flag('--symbols')) : undefined,
    latencyMs: flag('--latency-ms') ? Number(flag('--latency-ms')) : undefined,
    concurrency: flag('--concurrency') ? Number(flag('--concurrency')) : undefined,
  });
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } else {
    for (const f of figures) {
      process.stdout.write(
        `workers ${f.workers}: ${f.batches} batches, ${f.calls} calls in ${f.wallMs} ms = ${f.batchesPerSecond} batches/s\n`,
      );
    }
  }
}
