/**
 * Ingest benchmark.
 *
 * Sink part: rows/s committing daily-like rows (11 columns, batches of 6000) through
 * SqliteStore.commit vs a raw better-sqlite3 prepared INSERT in one transaction, and peak RSS while
 * streaming 1M (and, with --big, 10M) rows through commits. Rows are generated on the fly.
 *
 *   node dist/bench/ingest.js [--rows N] [--repeat N] [--big] [--rows-per-statement N] [--group-commit-ms N]
 *
 * The store is measured twice: committing every batch durably (groupCommitMs 0, the default) and
 * with group commit (`--group-commit-ms`, default 2000).
 *
 * Throughput runs alternate raw and store `--repeat` times (default 3) and report medians, because
 * a shared machine's noise is larger than the difference being measured. Each RSS figure comes
 * from a fresh child process (`--rss-only N`), so earlier runs do not inflate it.
 *
 * The end-to-end section (against the emulator) is bench/ingest-e2e.ts, run last (`--no-e2e` skips it).
 */
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch, BatchRows } from '../src/core/types.js';
import { createSqliteStore } from '../src/sinks/sqlite/store.js';
import { endToEnd } from './ingest-e2e.js';
import { cliNodeFlags } from '../src/cli/node-flags.js';
import { DAILY_FIELDS } from '../src/emulator/index.js';

export { DAILY_FIELDS };

const SYMBOLS = 5000;

/** Row `i` of a deterministic daily-like table: 5000 symbols per trading day. */
export function dailyRow(i: number): unknown[] {
  const sym = i % SYMBOLS;
  const day = Math.floor(i / SYMBOLS);
  const base = 10 + (sym % 90) + ((day * 7 + sym) % 13) / 10;
  const y = 2000 + Math.floor(day / 366);
  const md = day % 366;
  const date = `${y}${String(1 + (Math.floor(md / 31) % 12)).padStart(2, '0')}${String(1 + (md % 31)).padStart(2, '0')}`;
  return [
    `${String(sym).padStart(6, '0')}.${sym % 2 === 0 ? 'SZ' : 'SH'}`,
    `${date}_${day}`,
    base,
    base * 1.03,
    base * 0.97,
    base * 1.01,
    base,
    base * 0.01,
    1.0 + (sym % 7) / 10,
    1000.5 + sym * 3,
    12345.25 + day,
  ];
}

/** Yields `total` rows as batches of `batchSize`, generated on the fly. */
export function* dailyBatches(total: number, batchSize = 6000): Generator<{ batch: Batch; rows: BatchRows }> {
  for (let start = 0, n = 0; start < total; start += batchSize, n++) {
    const count = Math.min(batchSize, total - start);
    const items = new Array<unknown[]>(count);
    for (let r = 0; r < count; r++) items[r] = dailyRow(start + r);
    yield {
      batch: { key: `b${n}`, params: { n } },
      rows: { fields: DAILY_FIELDS, pages: [{ fields: DAILY_FIELDS, items }], rowCount: count },
    };
  }
}

export interface ThroughputResult {
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSecond: number;
}

export interface RssResult {
  readonly rows: number;
  readonly startRssMb: number;
  readonly peakRssMb: number;
  /** Peak RSS over the second half of the stream / peak over the first half. */
  readonly secondHalfVsFirstHalf: number;
  readonly ms: number;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-bench-'));
}

function mb(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

/** Rows/s through SqliteStore.commit (journal row + upsert + done mark per batch). */
export async function benchStoreCommit(
  total: number,
  rowsPerStatement = 1,
  groupCommitMs = 0,
): Promise<ThroughputResult> {
  const dir = tempDir();
  try {
    const store = createSqliteStore({
      path: join(dir, 'store.db'),
      table: { table: 'daily', key: ['ts_code', 'trade_date'] },
      rowsPerStatement,
      groupCommitMs,
    });
    await store.open();
    const batches = [...Array(Math.ceil(total / 6000)).keys()].map((n) => ({ key: `b${n}`, params: { n } }));
    await store.createRun({ id: 'bench', job: 'bench', startedAt: new Date().toISOString() }, batches);
    const t0 = performance.now();
    let rows = 0;
    for (const { batch, rows: batchRows } of dailyBatches(total))
      rows += await store.commit('bench', batch, batchRows, 1);
    const ms = performance.now() - t0;
    await store.close();
    return { rows, ms: Math.round(ms), rowsPerSecond: Math.round((rows / ms) * 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows/s through one raw prepared INSERT in one transaction (same schema, same generator). */
export function benchRawInsert(total: number): ThroughputResult {
  const dir = tempDir();
  try {
    const db = new Database(join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE daily (ts_code TEXT NOT NULL, trade_date TEXT NOT NULL, open REAL, high REAL, low REAL, close REAL, ' +
        'pre_close REAL, change REAL, pct_chg REAL, vol REAL, amount REAL, PRIMARY KEY (ts_code, trade_date))',
    );
    const insert = db.prepare('INSERT INTO daily VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const t0 = performance.now();
    let rows = 0;
    db.transaction(() => {
      for (const { rows: batchRows } of dailyBatches(total)) {
        for (const row of batchRows.pages[0].items) insert.run(row as unknown[]);
        rows += batchRows.rowCount;
      }
    })();
    const ms = performance.now() - t0;
    db.close();
    return { rows, ms: Math.round(ms), rowsPerSecond: Math.round((rows / ms) * 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS while streaming `total` rows through SqliteStore.commit, sampled after each commit. */
export async function benchRss(total: number, groupCommitMs = 0): Promise<RssResult> {
  const dir = tempDir();
  try {
    const store = createSqliteStore({
      path: join(dir, 'rss.db'),
      table: { table: 'daily', key: ['ts_code', 'trade_date'] },
      groupCommitMs,
    });
    await store.open();
    const count = Math.ceil(total / 6000);
    await store.createRun({ id: 'rss', job: 'bench', startedAt: new Date().toISOString() }, []);
    const startRss = process.memoryUsage.rss();
    let firstHalf = 0;
    let secondHalf = 0;
    let n = 0;
    const t0 = performance.now();
    for (const { batch, rows } of dailyBatches(total)) {
      // Journal rows are added as we go so that the journal itself is not a big up-front allocation.
      store.database
        .prepare('INSERT INTO sluice_batches (run_id, seq, batch_key, params) VALUES (?, ?, ?, ?)')
        .run('rss', n, batch.key, '{}');
      await store.commit('rss', batch, rows, 1);
      const rss = process.memoryUsage.rss();
      if (n < count / 2) firstHalf = Math.max(firstHalf, rss);
      else secondHalf = Math.max(secondHalf, rss);
      n++;
    }
    const ms = performance.now() - t0;
    await store.close();
    return {
      rows: total,
      startRssMb: mb(startRss),
      peakRssMb: mb(Math.max(firstHalf, secondHalf)),
      secondHalfVsFirstHalf: Math.round((secondHalf / firstHalf) * 1000) / 1000,
      ms: Math.round(ms),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** End-to-end section (emulator -> run -> SQLite under a quota), see bench/ingest-e2e.ts; `--no-e2e` skips it. */
export async function benchEndToEnd(): Promise<Record<string, unknown> | undefined> {
  return process.argv.includes('--no-e2e') ? undefined : endToEnd();
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** RSS figures from a fresh process. */
function rssInChild(total: number, groupCommitMs: number): RssResult {
  const out = execFileSync(
    process.execPath,
    [
      ...cliNodeFlags(),
      fileURLToPath(import.meta.url),
      '--rss-only',
      String(total),
      '--group-commit-ms',
      String(groupCommitMs),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out) as RssResult;
}

/** Raw vs store, alternating, `repeat` times each; medians and their ratio. */
export async function benchSqlite(
  total: number,
  repeat: number,
  rowsPerStatement = 1,
  groupCommitMs = 2000,
): Promise<Record<string, unknown>> {
  const raw: number[] = [];
  const perBatch: number[] = [];
  const grouped: number[] = [];
  for (let i = 0; i < repeat; i++) {
    raw.push(benchRawInsert(total).rowsPerSecond);
    perBatch.push((await benchStoreCommit(total, rowsPerStatement, 0)).rowsPerSecond);
    grouped.push((await benchStoreCommit(total, rowsPerStatement, groupCommitMs)).rowsPerSecond);
  }
  const ratio = (x: number[]): number => Math.round((median(x) / median(raw)) * 1000) / 1000;
  return {
    rows: total,
    rowsPerStatement,
    groupCommitMs,
    rawRowsPerSecond: raw,
    perBatchCommitRowsPerSecond: perBatch,
    groupCommitRowsPerSecond: grouped,
    rawMedian: median(raw),
    perBatchCommitMedian: median(perBatch),
    groupCommitMedian: median(grouped),
    perBatchCommitRatio: ratio(perBatch),
    groupCommitRatio: ratio(grouped),
  };
}

/** Measure under the flags the `sluice` command runs with: re-run this bench with them when missing. */
function underCliFlags(): boolean {
  const flags = cliNodeFlags();
  if (flags.every((f) => process.execArgv.includes(f))) return true;
  const child = spawnSync(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exitCode = child.status ?? 1;
  return false;
}

export async function main(): Promise<void> {
  if (!underCliFlags()) return;
  const rssOnly = flag('--rss-only');
  if (rssOnly) {
    process.stdout.write(JSON.stringify(await benchRss(Number(rssOnly), Number(flag('--group-commit-ms') ?? 0))));
    return;
  }
  const total = Number(flag('--rows') ?? 1_000_000);
  const repeat = Number(flag('--repeat') ?? 3);
  const per = Number(flag('--rows-per-statement') ?? 1);
  const groupMs = Number(flag('--group-commit-ms') ?? 2000);
  const big = process.argv.includes('--big');
  const out: Record<string, unknown> = {
    machine: {
      node: process.version,
      nodeFlags: process.execArgv,
      cpus: (await import('node:os')).cpus().length,
      loadavg: (await import('node:os')).loadavg(),
    },
  };
  out.sqlite = await benchSqlite(total, repeat, per, groupMs);
  const rss1 = rssInChild(1_000_000, groupMs);
  const rss: Record<string, unknown> = { groupCommitMs: groupMs, '1M': rss1 };
  if (big) {
    const rss10 = rssInChild(10_000_000, groupMs);
    rss['10M'] = rss10;
    rss.peak10Mvs1M = Math.round((rss10.peakRssMb / rss1.peakRssMb) * 1000) / 1000;
  }
  out.rss = rss;
  const e2e = await benchEndToEnd();
  if (e2e) out.endToEnd = e2e;
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
