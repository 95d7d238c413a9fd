/**
 * The datasets of issue 11, run as a user would (a job file's settings, `runJob`) against the
 * emulator, with the calls the server counted set against the lower bound: the sum, over `each`
 * values (or the whole job), of max(1, ceil(rows / row cap)), rows counted by the emulator's own
 * generator. The landed table is compared with the generator too (count, distinct keys, checksum).
 * Used by bench/auto.ts and tests/e2e/auto.test.ts.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Emulator, FINA_FIELDS, checksum, startEmulator } from '../../src/emulator/index.js';
import { parseJob } from '../../src/job/load.js';
import { runJob } from '../../src/job/run.js';

const DAILY = ['ts_code', 'trade_date', 'open', 'high', 'low', 'close', 'vol', 'amount'];

export interface CallsCase {
  readonly name: string;
  readonly api: 'daily' | 'fina_indicator';
  /** Emulator universe. */
  readonly symbols: number;
  /** The first `each` symbols get one stream each; 0 = the whole market in one stream. */
  readonly each: number;
  readonly start: string;
  readonly end: string;
}

/** The issue's three datasets at full size (bench/auto.ts). */
export const ISSUE_CASES: readonly CallsCase[] = [
  { name: 'whole-market daily 2019-2020', api: 'daily', symbols: 2000, each: 0, start: '20190101', end: '20201231' },
  { name: 'daily of 60 symbols 2010-2024', api: 'daily', symbols: 2000, each: 60, start: '20100101', end: '20241231' },
  {
    name: 'fina_indicator of 80 symbols 1995-2024',
    api: 'fina_indicator',
    symbols: 2000,
    each: 80,
    start: '19950101',
    end: '20241231',
  },
];

export interface CaseRun {
  readonly calls: number;
  readonly lowerBound: number;
  readonly ratio: number;
  readonly batches: number;
  readonly exitCode: number;
  /** The table against the generator. */
  readonly exact: boolean;
  readonly rows: number;
}

/** An emulator for a case: fast, unpaced, no faults. */
export function caseEmulator(c: CallsCase, seed = 11): Promise<Emulator> {
  return startEmulator({ port: 0, seed, symbols: c.symbols, latencyMs: 0 });
}

function fieldsOf(c: CallsCase): string[] {
  return c.api === 'daily' ? DAILY : [...FINA_FIELDS];
}

function keyOf(c: CallsCase): string[] {
  return c.api === 'daily' ? ['ts_code', 'trade_date'] : ['ts_code', 'end_date'];
}

function codesOf(emu: Emulator, c: CallsCase): string[] | undefined {
  return c.each > 0 ? emu.dataset.universe.codes.slice(0, c.each) : undefined;
}

/** Each stream's params (one per `each` value, or one for the whole market). */
function streamParams(emu: Emulator, c: CallsCase): Record<string, string>[] {
  const range = { start_date: c.start, end_date: c.end };
  const codes = codesOf(emu, c);
  return codes ? codes.map((ts_code) => ({ ...range, ts_code })) : [range];
}

/** Sum over streams of max(1, ceil(rows / cap)). */
export function lowerBound(emu: Emulator, c: CallsCase, rowCap: number): number {
  let sum = 0;
  for (const p of streamParams(emu, c)) sum += Math.max(1, Math.ceil(emu.dataset.count(c.api, p) / rowCap));
  return sum;
}

/** Run the case's job once; `plan` is merged into the job's plan section (e.g. a strategy). */
export async function runCase(
  emu: Emulator,
  c: CallsCase,
  dir: string,
  plan: Record<string, unknown> = {},
  options: { readonly execution?: Record<string, unknown>; readonly full?: boolean } = {},
): Promise<CaseRun> {
  const rowCap = c.api === 'daily' ? 6000 : 100;
  const codes = codesOf(emu, c);
  const db = join(dir, `${c.api}-${c.each}.db`);
  const job = parseJob(
    {
      name: `calls-${c.api}-${c.each}`,
      source: { type: 'tushare', url: emu.url, token: emu.token, api: c.api, fields: fieldsOf(c) },
      plan: {
        start: c.start,
        end: c.end,
        ...(codes ? { each: { param: 'ts_code', values: codes } } : {}),
        ...plan,
      },
      execution: { retries: 2, timeoutMs: 30_000, ...options.execution },
      sink: { type: 'sqlite', path: db, table: c.api, key: keyOf(c) },
    },
    {},
    c.name,
  );
  const before = emu.stats().calls;
  // `full`: fetch everything again (a later run of the job otherwise skips the days it has)
  const result = await runJob(job, { progress: 'quiet', note: () => {}, full: options.full });
  const calls = emu.stats().calls - before;
  const bound = lowerBound(emu, c, rowCap);
  const table = tableCheck(emu, c, db);
  return {
    calls,
    lowerBound: bound,
    ratio: Math.round((calls / bound) * 1000) / 1000,
    batches: result.report.batches.total,
    exitCode: result.exitCode,
    exact: table.exact,
    rows: table.rows,
  };
}

/** The table holds exactly the generator's rows: same count, distinct keys, checksum. */
export function tableCheck(emu: Emulator, c: CallsCase, db: string): { exact: boolean; rows: number } {
  const fields = fieldsOf(c);
  const want: unknown[][] = [];
  for (const p of streamParams(emu, c)) for (const r of emu.dataset.rows(c.api, p, fields)) want.push(r);
  const conn = new Database(db, { readonly: true });
  try {
    const cols = fields.map((f) => `"${f}"`).join(', ');
    const got = conn.prepare(`SELECT ${cols} FROM "${c.api}"`).raw(true).all() as unknown[][];
    const key = keyOf(c)
      .map((k) => `"${k}"`)
      .join(', ');
    const keys = (
      conn.prepare(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${key} FROM "${c.api}")`).get() as { n: number }
    ).n;
    const a = checksum(got);
    const b = checksum(want);
    return { exact: a.count === b.count && a.sum === b.sum && keys === want.length, rows: got.length };
  } finally {
    conn.close();
  }
}
