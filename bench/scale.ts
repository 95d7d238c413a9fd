/**
 * Scale benchmark.
 *
 * Postgres part: rows/s into PostgreSQL through PostgresStore.commit (COPY into a staging table,
 * one upsert, done mark; one transaction per batch of 6000) vs row-by-row parameterised
 * `INSERT ... ON CONFLICT DO UPDATE` (one statement per row, one transaction per batch), on the
 * same daily-like rows as bench/ingest. Each run writes into a fresh schema that is dropped after.
 *
 *   node dist/bench/scale.js [--rows N] [--repeat N] [--url postgres://...]
 *
 * The BullMQ workers' figures come from bench/scale-workers.ts (`--no-workers` skips them).
 */
import pg from 'pg';
import { cpus, loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createPostgresStore } from '../src/sinks/postgres/store.js';
import { redactUrls } from '../src/core/secrets.js';
import { DAILY_FIELDS, dailyBatches, type ThroughputResult } from './ingest.js';
import { benchWorkers } from './scale-workers.js';

const DEFAULT_URL = process.env.SLUICE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEY = ['ts_code', 'trade_date'];

function schemaName(): string {
  return `sluice_bench_${randomBytes(4).toString('hex')}`;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

function result(rows: number, ms: number): ThroughputResult {
  return { rows, ms: Math.round(ms), rowsPerSecond: Math.round((rows / ms) * 1000) };
}

/** Rows/s through PostgresStore.commit (the COPY path). */
export async function benchCopyPath(url: string, total: number): Promise<ThroughputResult> {
  const schema = schemaName();
  const store = createPostgresStore({ url, schema, table: { table: 'daily', key: KEY } });
  try {
    await store.open();
    const batches = Array.from({ length: Math.ceil(total / 6000) }, (_, n) => ({ key: `b${n}`, params: { n } }));
    await store.createRun({ id: 'bench', job: 'bench', startedAt: new Date().toISOString() }, batches);
    const t0 = performance.now();
    let rows = 0;
    for (const { batch, rows: batchRows } of dailyBatches(total))
      rows += await store.commit('bench', batch, batchRows, 1);
    return result(rows, performance.now() - t0);
  } finally {
    await store.close();
    await dropSchema(url, schema);
  }
}

/** Rows/s through one parameterised INSERT ... ON CONFLICT per row, one transaction per batch. */
export async function benchRowByRow(url: string, total: number): Promise<ThroughputResult> {
  const schema = schemaName();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA "${schema}"`);
    await c.query(
      `CREATE TABLE "${schema}".daily (ts_code text NOT NULL, trade_date text NOT NULL, open double precision, high double precision, ` +
        'low double precision, close double precision, pre_close double precision, change double precision, pct_chg double precision, ' +
        'vol double precision, amount double precision, PRIMARY KEY (ts_code, trade_date))',
    );
    const cols = DAILY_FIELDS.map((f) => `"${f}"`).join(', ');
    const params = DAILY_FIELDS.map((_, i) => `$${i + 1}`).join(', ');
    const updates = DAILY_FIELDS.slice(2)
      .map((f) => `"${f}" = EXCLUDED."${f}"`)
      .join(', ');
    const text = `INSERT INTO "${schema}".daily (${cols}) VALUES (${params}) ON CONFLICT (ts_code, trade_date) DO UPDATE SET ${updates}`;
    const t0 = performance.now();
    let rows = 0;
    for (const { rows: batchRows } of dailyBatches(total)) {
      await c.query('BEGIN');
      for (const row of batchRows.pages[0].items)
        await c.query({ name: 'sluice-bench-insert', text, values: row as unknown[] });
      await c.query('COMMIT');
      rows += batchRows.rowCount;
    }
    return result(rows, performance.now() - t0);
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await c.end();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** COPY path vs row by row, alternating `repeat` times; medians and their ratio. */
export async function benchPostgres(url: string, total: number, repeat: number): Promise<Record<string, unknown>> {
  const copy: number[] = [];
  const rowByRow: number[] = [];
  for (let i = 0; i < repeat; i++) {
    copy.push((await benchCopyPath(url, total)).rowsPerSecond);
    rowByRow.push((await benchRowByRow(url, total)).rowsPerSecond);
  }
  return {
    url: redactUrls(url),
    rows: total,
    batchRows: 6000,
    copyRowsPerSecond: copy,
    rowByRowRowsPerSecond: rowByRow,
    copyMedian: median(copy),
    rowByRowMedian: median(rowByRow),
    speedup: Math.round((median(copy) / median(rowByRow)) * 100) / 100,
  };
}

// ---------------------------------------------------------------------------------------------
// BullMQ workers: batches/s with 1, 2 and 4 workers (bench/scale-workers.ts); `--no-workers` skips it.
export async function benchWorkersSection(): Promise<unknown> {
  return process.argv.includes('--no-workers') ? undefined : benchWorkers();
}
// ---------------------------------------------------------------------------------------------

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export async function main(): Promise<void> {
  const url = flag('--url') ?? DEFAULT_URL;
  const total = Number(flag('--rows') ?? 200_000);
  const repeat = Number(flag('--repeat') ?? 3);
  const out: Record<string, unknown> = { machine: { node: process.version, cpus: cpus().length, loadavg: loadavg() } };
  out.postgres = await benchPostgres(url, total, repeat);
  const workers = await benchWorkersSection();
  if (workers !== undefined) out.workers = workers;
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`${redactUrls(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    process.exit(1);
  });
}
