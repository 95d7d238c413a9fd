/**
 * Incremental runs against the emulator (issue 11, item 2): a job back-filled to day D, run again
 * to D + 10 trading days after the server revised the last 5 days it served, with `plan.lookback:
 * 5`, spends about the lower bound of calls for the looked-back and new days and lands the revised
 * truth; then the same job with its start a year earlier fetches only that year and the lookback.
 * Whole-market and `each: ts_code` jobs, SQLite and PostgreSQL sinks.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pg from 'pg';
import { checksum, startEmulator, type Checksum, type Emulator } from '../../src/emulator/index.js';
import { parseJob } from '../../src/job/load.js';
import { runJob } from '../../src/job/run.js';
import type { RunReport } from '../../src/core/report.js';
import { openStoreAt } from '../../src/sinks/open.js';
import { DAILY_FIELDS, expectedDaily, tableFacts, tempDir } from '../helpers/e2e.js';
import { dropSchemas, requirePostgres, uniqueName } from '../helpers/services.js';

const CAP = 100;
const SYMBOLS = 24;
const D = '20240315'; // a Friday; no emulator holiday from 20240311 to 20240329
const D10 = '20240329'; // D + 10 trading days
const LOOKED_BACK = '20240311'; // the 5 trading days through D start here
const START = '20230101';
const YEAR_EARLIER = '20220101';

type Sink = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string; schema: string };

/** Lower bound of calls for rows fetched per `each` value: sum of max(1, ceil(rows / cap)). */
function lowerBound(emu: Emulator, start: string, end: string, codes?: readonly string[]): number {
  const count = (p: Record<string, string>) => emu.dataset.count('daily', { ...p, start_date: start, end_date: end });
  if (!codes) return Math.max(1, Math.ceil(count({}) / CAP));
  return codes.reduce((n, ts_code) => n + Math.max(1, Math.ceil(count({ ts_code }) / CAP)), 0);
}

async function tableChecksum(sink: Sink): Promise<Checksum & { keys: number }> {
  if (sink.type === 'sqlite') {
    const f = tableFacts(sink.path, 'daily');
    return { ...f.checksum, keys: f.keys };
  }
  const client = new pg.Client({ connectionString: sink.url });
  await client.connect();
  try {
    const cols = DAILY_FIELDS.map((c) => `"${c}"`).join(', ');
    const r = await client.query({ text: `SELECT ${cols} FROM "${sink.schema}".daily`, rowMode: 'array' });
    const k = await client.query<{ n: number }>(
      `SELECT count(DISTINCT (ts_code, trade_date))::int AS n FROM "${sink.schema}".daily`,
    );
    return { ...checksum(r.rows as unknown[][]), keys: k.rows[0].n };
  } finally {
    await client.end();
  }
}

/** The windows of the newest run's batches, read back from its journal. */
async function lastRunWindows(sink: Sink): Promise<{ start: string; end: string }[]> {
  const store = openStoreAt(sink.type === 'sqlite' ? sink.path : `${sink.url}?schema=${sink.schema}`);
  await store.open();
  try {
    const run = await store.getRun('latest');
    assert.ok(run);
    return (await store.batches(run.id)).filter((b) => b.status !== 'split').map((b) => b.batch.window!);
  } finally {
    await store.close();
  }
}

/** `byDefault`: no strategy nor density in the job (the default plan); else `rows` with a density. */
function job(
  emu: Emulator,
  sink: Sink,
  start: string,
  end: string,
  codes?: readonly string[],
  lookback = 5,
  byDefault = false,
) {
  return parseJob(
    {
      name: codes ? 'incr-each' : 'incr-market',
      source: { type: 'tushare', url: emu.url, token: emu.token, api: 'daily', fields: [...DAILY_FIELDS], rowCap: CAP },
      plan: {
        start,
        end,
        // windows sized to the row cap from a density: what the update spends shows the coverage, not the cut
        ...(byDefault ? {} : { strategy: 'rows', rowsPerDay: codes ? 1 : SYMBOLS }),
        lookback,
        ...(codes ? { each: { param: 'ts_code', values: [...codes] } } : {}),
      },
      execution: { concurrency: 4, retries: 3, timeoutMs: 5000, backoff: { baseMs: 10, maxMs: 100 } },
      sink: { ...sink, table: 'daily', key: ['ts_code', 'trade_date'] },
    },
    {},
    'incremental test job',
  );
}

async function run(
  emu: Emulator,
  sink: Sink,
  start: string,
  end: string,
  codes?: readonly string[],
  byDefault = false,
) {
  const before = emu.stats().calls;
  const result = await runJob(job(emu, sink, start, end, codes, 5, byDefault), {
    progress: 'quiet',
    note: () => undefined,
  });
  assert.equal(result.exitCode, 0, result.fatal?.message);
  return { report: result.report as RunReport, calls: emu.stats().calls - before };
}

/** Trading days of the weekday calendar in [a, b] (the job names no calendar). */
function weekdays(a: string, b: string): number {
  let n = 0;
  for (let t = Date.UTC(+a.slice(0, 4), +a.slice(4, 6) - 1, +a.slice(6)); ; t += 86_400_000) {
    const d = new Date(t);
    const text = d.toISOString().slice(0, 10).replace(/-/g, '');
    if (text > b) return n;
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) n++;
  }
}

async function scenario(emu: Emulator, sink: Sink, codes?: readonly string[], byDefault = false): Promise<void> {
  const values = codes ? codes.length : 1;
  emu.setAsOf(D);
  emu.setRevisions(undefined);
  // 1. back-fill to D
  const first = await run(emu, sink, START, D, codes, byDefault);
  assert.equal(first.report.coverage?.skippedDays, 0);
  assert.deepEqual(await tableChecksum(sink), {
    ...expectedDaily(emu.dataset, START, D, codes),
    keys: first.report.rows.written,
  });

  // 2. the server moves on 10 trading days and revises the last 5 days it had served
  emu.setAsOf(D10);
  emu.setRevisions({ days: 5, through: D });
  const update = await run(emu, sink, START, D10, codes, byDefault);
  const bound = lowerBound(emu, LOOKED_BACK, D10, codes);
  const ratio = update.calls / bound;
  console.log(
    `# ${sink.type} ${codes ? 'each' : 'market'}${byDefault ? ' (default plan)' : ''} update: ${update.calls} calls, lower bound ${bound}, ratio ${ratio.toFixed(3)}`,
  );
  assert.ok(ratio <= 1.1, `update calls ${update.calls} vs lower bound ${bound}`);
  const cov = update.report.coverage!;
  assert.equal(cov.lookbackDays, 5 * values);
  assert.equal(cov.fetchedDays, 15 * values);
  assert.equal(cov.skippedDays, (weekdays(START, D) - 5) * values);
  assert.ok(cov.skippedBatches >= values && cov.fromRuns === 1, JSON.stringify(cov));
  const truth = expectedDaily(emu.dataset, START, D10, codes);
  const table = await tableChecksum(sink);
  assert.deepEqual(table, { ...truth, keys: truth.count }, 'the table holds the revised truth');
  for (const w of await lastRunWindows(sink)) assert.ok(w.start >= LOOKED_BACK && w.end <= D10, JSON.stringify(w));

  // 3. the start a year earlier: only that year and the lookback
  const extend = await run(emu, sink, YEAR_EARLIER, D10, codes, byDefault);
  const lookback = '20240325';
  for (const w of await lastRunWindows(sink)) {
    const inYear = w.start >= YEAR_EARLIER && w.end <= '20221231';
    const inLookback = w.start >= lookback && w.end <= D10;
    assert.ok(inYear || inLookback, `window ${w.start}-${w.end} is neither the new year nor the lookback`);
  }
  const ext = extend.report.coverage!;
  assert.equal(ext.fetchedDays, (weekdays(YEAR_EARLIER, '20221231') + 5) * values);
  assert.equal(ext.lookbackDays, 5 * values);
  const extBound = lowerBound(emu, YEAR_EARLIER, '20221231', codes) + lowerBound(emu, lookback, D10, codes);
  console.log(
    `# ${sink.type} ${codes ? 'each' : 'market'}${byDefault ? ' (default plan)' : ''} extend: ${extend.calls} calls, lower bound of the fetched windows ${extBound}`,
  );
  // the default plan learns the new year's density online (its first windows probe): a looser bound
  const slack = byDefault ? 1.25 : 1.1;
  assert.ok(extend.calls <= Math.ceil(extBound * slack), `extend calls ${extend.calls} vs ${extBound}`);
  const full = expectedDaily(emu.dataset, YEAR_EARLIER, D10, codes);
  assert.deepEqual(await tableChecksum(sink), { ...full, keys: full.count });
}

describe('incremental runs against the emulator', () => {
  let emu: Emulator;
  const dir = tempDir('sluice-incr-');
  const schemas: string[] = [];
  let codes: string[];

  before(async () => {
    emu = await startEmulator({ seed: 5, symbols: SYMBOLS, rowCap: CAP, latencyMs: 0 });
    codes = emu.dataset.universe.codes.slice(0, 5);
  });
  after(async () => {
    await emu.close();
    await dropSchemas(schemas);
  });

  test('whole-market job, SQLite', async () => {
    await scenario(emu, { type: 'sqlite', path: join(dir, 'market.db') });
  });

  test('each: ts_code job, SQLite', async () => {
    await scenario(emu, { type: 'sqlite', path: join(dir, 'each.db') }, codes);
  });

  test('the default plan, no density given: whole-market and each jobs, SQLite', async () => {
    await scenario(emu, { type: 'sqlite', path: join(dir, 'market-default.db') }, undefined, true);
    await scenario(emu, { type: 'sqlite', path: join(dir, 'each-default.db') }, codes, true);
  });

  async function pgSink(t: TestContext): Promise<Sink | undefined> {
    const url = await requirePostgres(t);
    if (!url) return undefined;
    const schema = uniqueName('sluice_incr');
    schemas.push(schema);
    return { type: 'postgres', url, schema };
  }

  test('whole-market job, PostgreSQL', async (t) => {
    const sink = await pgSink(t);
    if (sink) await scenario(emu, sink);
  });

  test('each: ts_code job, PostgreSQL', async (t) => {
    const sink = await pgSink(t);
    if (sink) await scenario(emu, sink, codes);
  });

  test('--full fetches the whole range again; a run with nothing new plans only the lookback', async () => {
    const path = join(dir, 'full.db');
    const sink: Sink = { type: 'sqlite', path };
    emu.setAsOf(D);
    emu.setRevisions(undefined);
    await run(emu, sink, '20240101', D);
    const again = await run(emu, sink, '20240101', D);
    assert.equal(again.report.coverage?.fetchedDays, 5);
    assert.equal(again.report.batches.total, 1);
    const before = emu.stats().calls;
    const full = await runJob(job(emu, sink, '20240101', D), { full: true, progress: 'quiet', note: () => undefined });
    assert.equal(full.exitCode, 0);
    assert.equal(full.report.coverage?.full, true);
    assert.ok(emu.stats().calls - before >= lowerBound(emu, '20240101', D));
    assert.deepEqual(full.report.batches.done, full.report.batches.total);
    // without a lookback, nothing new: no batch, no call, a succeeded run
    const calls = emu.stats().calls;
    const idle = await runJob(job(emu, sink, '20240101', D, undefined, 0), {
      progress: 'quiet',
      note: () => undefined,
    });
    assert.equal(idle.exitCode, 0, idle.fatal?.message);
    assert.equal(idle.report.status, 'succeeded');
    assert.equal(idle.report.batches.total, 0);
    assert.equal(emu.stats().calls, calls);
  });
});
