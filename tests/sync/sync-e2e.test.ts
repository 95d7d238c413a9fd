/**
 * `sluice sync` against the emulator (issue 13's acceptance): a sync file with trade_cal,
 * stock_basic, daily and fina_indicator back-fills every table exactly; the per-code dataset costs
 * at most 1.10x the lower bound over the codes' listed lives; after the server's data moved on by
 * 10 trading days, a second sync costs at most 1.10x the lower bound of the new data plus the
 * reference datasets' calls; kill -9 in the middle and --resume lands the exact tables.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Dataset, type Emulator, checksum, startEmulator } from '../../src/emulator/index.js';
import { finished, runCli, sleepMs, spawnCli, tempDir } from '../helpers/e2e.js';

const START = '20190101';
const SYMBOLS = 40;

/** A sync file (JSON) in `dir`. */
function writeSync(dir: string, name: string, url: string, db: string, end: string, extra: object = {}): string {
  const file = join(dir, `${name}.json`);
  const sync = {
    name,
    source: { type: 'tushare', url, token: '${EMU_TOKEN}' },
    sink: { type: 'sqlite', path: db },
    start: START,
    end,
    execution: { retries: 8, backoff: { baseMs: 20, maxMs: 400 } },
    datasets: [
      'trade_cal',
      'stock_basic',
      'daily',
      // a report is announced up to ~90 days after its period: look back a quarter for late ones
      { api: 'fina_indicator', lookback: 70 },
    ],
    ...extra,
  };
  writeFileSync(file, JSON.stringify(sync, null, 2));
  return file;
}

/** The emulator's truth for each table of the sync, as checksums over the API's fields. */
function truth(data: Dataset, end: string): Record<string, ReturnType<typeof checksum>> {
  const codes = data.universe.codes.join(',');
  const basic = ['L', 'D', 'P'].flatMap((list_status) => [...data.rows('stock_basic', { list_status })]);
  return {
    trade_cal: checksum([...data.rows('trade_cal', { start_date: START, end_date: end })]),
    stock_basic: checksum(basic),
    daily: checksum([...data.rows('daily', { start_date: START, end_date: end })]),
    fina_indicator: checksum([...data.rows('fina_indicator', { ts_code: codes, start_date: START, end_date: end })]),
  };
}

function tableSum(db: string, table: string, fields: readonly string[]): ReturnType<typeof checksum> {
  const conn = new Database(db, { readonly: true });
  try {
    const cols = fields.map((f) => `"${f}"`).join(', ');
    return checksum(conn.prepare(`SELECT ${cols} FROM "${table}"`).raw(true).all() as unknown[][]);
  } finally {
    conn.close();
  }
}

function assertTables(db: string, data: Dataset, end: string): void {
  const want = truth(data, end);
  for (const [table, sum] of Object.entries(want)) {
    const fields = data.table(table)!.fields;
    assert.deepEqual(tableSum(db, table, fields), sum, `${table} equals the emulator's truth`);
  }
}

/** Fewest calls for fina_indicator over [start, end]: per code listed then, ceil(rows / 100), at least 1. */
function finaLowerBound(data: Dataset, start: string, end: string): number {
  const u = data.universe;
  let bound = 0;
  for (let s = 0; s < u.size; s++) {
    const life = { start: u.listDate(s), end: u.delistDate(s) ?? '99991231' };
    if (life.start > end || life.end < start) continue;
    const rows = data.count('fina_indicator', { ts_code: u.codes[s], start_date: start, end_date: end });
    bound += Math.max(1, Math.ceil(rows / 100));
  }
  return bound;
}

/** The open day `n` trading days after `day`. */
function tradingDaysAfter(data: Dataset, day: string, n: number): string {
  const cal = data.calendar;
  const days = cal.openDatesBetween(cal.first, cal.last);
  return days[days.indexOf(day) + n];
}

describe('sluice sync against the emulator', () => {
  const dir = tempDir('sluice-sync-');
  const env = { EMU_TOKEN: 'sync-token' };
  const D = '20240614';
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 11, symbols: SYMBOLS, token: env.EMU_TOKEN, asOf: D });
  });
  after(async () => emu.close());

  test('a back-fill lands every table exactly, per-code calls near the lower bound; an update costs about the new data', async () => {
    const db = join(dir, 'mirror.db');
    const file = writeSync(dir, 'mirror', emu.url, db, D);
    const first = await runCli(['sync', file, '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assert.equal(report.status, 'succeeded');
    assertTables(db, emu.dataset, D);
    // the per-code dataset: calls against the lower bound over the codes' listed lives
    const finaCalls = emu.stats().byApi.fina_indicator;
    const finaBound = finaLowerBound(emu.dataset, START, D);
    assert.ok(finaCalls <= 1.1 * finaBound, `fina_indicator: ${finaCalls} calls, lower bound ${finaBound}`);
    const fina = report.sync.datasets.find((d: { name: string }) => d.name === 'fina_indicator');
    assert.equal(fina.lowerBound, finaBound, 'the report counts the same lower bound');
    assert.equal(fina.calls, finaCalls);
    // stock_basic: one call per listing status, so delisted and paused codes are in the list
    assert.equal(emu.stats().byApi.stock_basic, 3);

    // the server's data moves on by 10 trading days; the sync's end with it
    const before = { ...emu.stats().byApi };
    const D10 = tradingDaysAfter(emu.dataset, D, 10);
    emu.setAsOf(D10);
    const update = await runCli(['sync', writeSync(dir, 'mirror', emu.url, db, D10), '--json'], env);
    assert.equal(update.code, 0, update.stderr);
    assertTables(db, emu.dataset, D10);
    const spent = (api: string) => (emu.stats().byApi[api] ?? 0) - (before[api] ?? 0);
    const u = JSON.parse(update.stdout).sync.datasets as { name: string; lowerBound: number; calls: number }[];
    const dataBound = u
      .filter((d) => d.name === 'daily' || d.name === 'fina_indicator')
      .reduce((n, d) => n + d.lowerBound, 0);
    const dataCalls = spent('daily') + spent('fina_indicator');
    const refCalls = spent('trade_cal') + spent('stock_basic');
    assert.ok(dataCalls <= 1.1 * dataBound, `update: ${dataCalls} calls for data whose lower bound is ${dataBound}`);
    // the reference datasets: the calendar's new days (and the check of its unpublished cap), each listing status
    assert.ok(spent('trade_cal') <= 2, `trade_cal: ${spent('trade_cal')} calls`);
    assert.equal(spent('stock_basic'), 3);
    assert.ok(refCalls <= 5);

    // --only: the codes come from the stored stock_basic, which is not asked again
    const basicCalls = emu.stats().byApi.stock_basic;
    const only = await runCli(
      ['sync', writeSync(dir, 'mirror', emu.url, db, D10), '--only', 'fina_indicator', '--json'],
      env,
    );
    assert.equal(only.code, 0, only.stderr);
    assert.deepEqual(
      JSON.parse(only.stdout).sync.datasets.map((d: { name: string }) => d.name),
      ['fina_indicator'],
    );
    assert.equal(emu.stats().byApi.stock_basic, basicCalls);
    // right after a sync, `latest` is the sync (it ends after its datasets' runs)
    const onlyId = JSON.parse(only.stdout).runId as string;
    const latest = await runCli(['report', '--db', db]);
    assert.equal(latest.code, 0, latest.stderr);
    assert.match(latest.stdout + latest.stderr, new RegExp(`Sync ${onlyId}  mirror  succeeded`));
    const unknown = await runCli(['sync', writeSync(dir, 'mirror', emu.url, db, D10), '--only', 'weekly'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--only: weekly is not a dataset of mirror/);

    // sluice report and sluice targets read the sync's record (by the id the sync printed)
    const id = JSON.parse(update.stdout).runId as string;
    const shown = await runCli(['report', id, '--db', db]);
    assert.equal(shown.code, 0, shown.stderr);
    const text = shown.stdout + shown.stderr;
    assert.match(text, new RegExp(`Sync ${id}  mirror  succeeded`));
    assert.match(text, /\n\s+fina_indicator\s+succeeded\s+\d+\s+\d+\s+\d+/);
    assert.match(text, /\n\s+total\s+ok/);
    const html = join(dir, 'sync.html');
    const page = await runCli(['report', id, '--db', db, '--html', html]);
    assert.equal(page.code, 0, page.stderr);
    const doc = readFileSync(html, 'utf8');
    for (const ds of ['trade_cal', 'stock_basic', 'daily', 'fina_indicator'])
      assert.ok(doc.includes(`chart-sync-${ds}`), ds);
    const targets = await runCli(['targets', id, '--db', db, '--json']);
    assert.equal(targets.code, 0, targets.stdout + targets.stderr);
    assert.equal(JSON.parse(targets.stdout).runId, id);
  });

  test('a failed dataset does not stop the others: exit 1, the failure named', async () => {
    const db = join(dir, 'failing.db');
    const deny = await startEmulator({ port: 0, seed: 11, symbols: 10, token: env.EMU_TOKEN, deniedApis: ['daily'] });
    try {
      const file = writeSync(dir, 'failing', deny.url, db, '20200630', {
        execution: { retries: 1, backoff: { baseMs: 10, maxMs: 50 } },
      });
      const r = await runCli(['sync', file], env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /daily\s+failed/, r.stderr);
      assert.match(r.stdout, /fina_indicator\s+succeeded/);
      assert.match(r.stdout, /Failed:\n\s+daily: /);
    } finally {
      await deny.close();
    }
  });

  test('sync --ui: the live page lists each dataset of the sync', async () => {
    const db = join(dir, 'live.db');
    const file = writeSync(dir, 'live', emu.url, db, '20200630');
    const child = spawnCli(['sync', file, '--ui', '0', '--quiet'], env);
    const exit = finished(child);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    let url: string | undefined;
    for (let i = 0; i < 500 && !url; i++) {
      await sleepMs(20);
      url = /live page at (\S+)/.exec(err)?.[1];
    }
    assert.ok(url, err);
    // the page stays up a few seconds after the last dataset: it lists all four by then
    let names: string[] = [];
    for (let i = 0; i < 200 && names.length < 4; i++) {
      const html = await (await fetch(url)).text();
      names = [
        ...new Set([...html.matchAll(/live\.(trade_cal|stock_basic|daily|fina_indicator)\b/g)].map((m) => m[1])),
      ];
      if (names.length < 4) await sleepMs(50);
    }
    assert.deepEqual(names.sort(), ['daily', 'fina_indicator', 'stock_basic', 'trade_cal']);
    assert.equal((await exit).code, 0);
  });

  test('kill -9 in the middle of a sync, then --resume: every table exact', async () => {
    const db = join(dir, 'killed.db');
    const end = '20240628';
    const fresh = await startEmulator({ port: 0, seed: 12, symbols: SYMBOLS, token: env.EMU_TOKEN });
    try {
      // slow enough to be caught in the middle: each API paced at 20 calls a second
      const file = writeSync(dir, 'killed', fresh.url, db, end, {
        source: { type: 'tushare', url: fresh.url, token: '${EMU_TOKEN}', rateLimit: { calls: 20, intervalMs: 1000 } },
      });
      const child = spawnCli(['sync', file, '--quiet'], env);
      const exit = finished(child);
      let exited = false;
      void exit.then(() => (exited = true));
      const finaDone = () => {
        try {
          const conn = new Database(db, { readonly: true, fileMustExist: true });
          try {
            const q =
              "SELECT COUNT(*) AS n FROM sluice_batches b JOIN sluice_runs r ON r.id = b.run_id WHERE r.job = 'killed.fina_indicator' AND b.status = 'done'";
            return (conn.prepare(q).get() as { n: number }).n;
          } finally {
            conn.close();
          }
        } catch {
          return 0;
        }
      };
      for (let i = 0; i < 3000 && !exited && finaDone() < 8; i++) await sleepMs(10);
      assert.ok(!exited, 'the sync was still going when it was to be killed');
      child.kill('SIGKILL');
      assert.equal((await exit).signal, 'SIGKILL');
      const resumed = await runCli(['sync', file, '--resume', '--json'], env);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /resuming sync/);
      assertTables(db, fresh.dataset, end);
      const report = JSON.parse(resumed.stdout);
      assert.ok(report.resumedFrom, 'the report says the sync was resumed');
      // what the killed session finished is kept: the reference lists are not asked again
      assert.equal(fresh.stats().byApi.stock_basic, 3);
      const states = Object.fromEntries(
        report.sync.datasets.map((d: { name: string; state: string }) => [d.name, d.state]),
      );
      assert.equal(states.stock_basic, 'done');
      assert.equal(states.fina_indicator, 'succeeded');
    } finally {
      await fresh.close();
    }
  });
});
