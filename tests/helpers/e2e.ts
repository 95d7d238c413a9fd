/**
 * End-to-end helpers: write job files, run the built CLI as a child process, read a SQLite table
 * back and compare it with the emulator's own generator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { checksum, type Checksum, type Dataset } from '../../src/emulator/index.js';
import { cliNodeFlags } from '../../src/cli/node-flags.js';

export const CLI = resolve('dist/src/cli/main.js');
export const DAILY_FIELDS = ['ts_code', 'trade_date', 'open', 'high', 'low', 'close', 'vol', 'amount'] as const;

export function tempDir(prefix = 'sluice-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface JobOptions {
  readonly name?: string;
  readonly url: string;
  readonly token: string;
  readonly db: string;
  readonly start?: string;
  readonly end?: string;
  readonly strategy?: string;
  readonly rowCap?: number;
  readonly each?: readonly string[];
  readonly rate?: { calls: number; intervalMs: number } | 'adaptive';
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly sinkType?: 'sqlite' | 'jsonl';
  readonly extra?: Record<string, unknown>;
}

/** A daily-prices job file (JSON) in `dir`; returns its path. */
export function writeDailyJob(dir: string, o: JobOptions): string {
  const job = {
    name: o.name ?? 'e2e-daily',
    source: {
      type: 'tushare',
      url: o.url,
      token: o.token,
      api: 'daily',
      fields: [...DAILY_FIELDS],
      rowCap: o.rowCap ?? 6000,
      ...(o.rate ? { rateLimit: o.rate } : {}),
    },
    plan: {
      start: o.start ?? '20190101',
      end: o.end ?? '20231231',
      strategy: o.strategy ?? 'smart',
      ...(o.each ? { each: { param: 'ts_code', values: [...o.each] } } : {}),
    },
    execution: {
      concurrency: o.concurrency ?? 4,
      retries: 8,
      timeoutMs: o.timeoutMs ?? 3000,
      backoff: { baseMs: 20, maxMs: 400 },
    },
    sink: { type: o.sinkType ?? 'sqlite', path: o.db, table: 'daily', key: ['ts_code', 'trade_date'] },
    ...o.extra,
  };
  const path = join(dir, `${job.name}.json`);
  writeFileSync(path, JSON.stringify(job, null, 2));
  return path;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [...cliNodeFlags(), CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collect a child's output until it exits. */
export function finished(child: ChildProcess): Promise<CliResult> {
  const t0 = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((done) => {
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr, ms: performance.now() - t0 }));
  });
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return finished(spawnCli(args, env));
}

/** Checksum of a SQLite table over `fields`, plus row and distinct key counts. */
export function tableFacts(
  db: string,
  table: string,
  fields: readonly string[] = DAILY_FIELDS,
): { checksum: Checksum; rows: number; keys: number } {
  const conn = new Database(db, { readonly: true });
  try {
    const cols = fields.map((f) => `"${f}"`).join(', ');
    const rows = conn.prepare(`SELECT ${cols} FROM "${table}"`).raw(true).all() as unknown[][];
    const keys = (
      conn.prepare(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT ts_code, trade_date FROM "${table}")`).get() as {
        n: number;
      }
    ).n;
    return { checksum: checksum(rows), rows: rows.length, keys };
  } finally {
    conn.close();
  }
}

/** The emulator's own rows for `daily` over a range (all symbols, or the given ones). */
export function expectedDaily(
  data: Dataset,
  start: string,
  end: string,
  codes?: readonly string[],
  fields: readonly string[] = DAILY_FIELDS,
): Checksum {
  const rows: unknown[][] = [];
  if (codes) {
    for (const ts_code of codes)
      for (const r of data.rows('daily', { ts_code, start_date: start, end_date: end }, [...fields])) rows.push(r);
  } else {
    for (const r of data.rows('daily', { start_date: start, end_date: end }, [...fields])) rows.push(r);
  }
  return checksum(rows);
}

/** Done batches in the newest run's journal (0 while the file or table does not exist yet). */
export function doneBatches(db: string): number {
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare("SELECT COUNT(*) AS n FROM sluice_batches WHERE status = 'done'").get() as { n: number }).n;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
}

export const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
