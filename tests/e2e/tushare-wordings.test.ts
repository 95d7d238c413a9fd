/**
 * `sluice run` against an emulator that speaks like the real server: the current rate-limit
 * wording at a named quota (paced near it, no fatal error), a generic 50101 on one window (that
 * batch fails once, no split), transient wordings under other codes, a row cap below the job's
 * (no has_more), and a used-up daily quota (a clean stop, then --resume). Tables checked exactly.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checksum, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { DAILY_FIELDS, expectedDaily, runCli, tableFacts, tempDir, writeDailyJob } from '../helpers/e2e.js';

const dir = tempDir('sluice-e2e-tushare-');
const emulators: Emulator[] = [];
after(async () => {
  for (const e of emulators) await e.close();
});

async function emulator(opts: EmulatorOptions): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, seed: 5, ...opts });
  emulators.push(emu);
  return emu;
}

function journal(db: string): { status: string; last_error: string | null }[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare('SELECT status, last_error FROM sluice_batches ORDER BY seq').all() as {
      status: string;
      last_error: string | null;
    }[];
  } finally {
    conn.close();
  }
}

function facts(db: string): Record<string, unknown>[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare('SELECT * FROM sluice_api_facts').all() as Record<string, unknown>[];
  } finally {
    conn.close();
  }
}

describe('sluice run against the real wordings', () => {
  test('the current rate-limit wording at a named quota: paced near the quota after the first refusals, no fatal error', async () => {
    const answers: { code: number; tMs: number }[] = [];
    // 20 calls per aligned 2 s: the refusal names 600 calls/minute
    const emu = await emulator({
      symbols: 30,
      rates: { daily: { calls: 20, intervalMs: 2000, window: 'fixed' } },
      onAnswer: (a) => answers.push(a),
    });
    const codes = emu.dataset.universe.codes;
    const db = join(dir, 'quota.db');
    const job = writeDailyJob(dir, {
      name: 'quota',
      url: emu.url,
      token: emu.token,
      db,
      start: '20230101',
      end: '20231231',
      strategy: 'quarter',
      each: codes,
      // enough calls in flight that latency under load does not cap the rate below the quota
      concurrency: 8,
    });
    const r = await runCli(['run', job, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'succeeded');
    assert.ok(report.calls.rateLimited > 0, 'the server refused some calls');
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, '20230101', '20231231', codes));
    // achieved rate over the part after the first refusal: admitted calls from the first admitted one
    // after it to the last one
    const first = answers.findIndex((a) => a.code === 40203);
    const after = answers.slice(first).filter((a) => a.code === 0);
    const spanS = (after[after.length - 1].tMs - after[0].tMs) / 1000;
    const ratio = (after.length - 1) / spanS / 10;
    process.stderr.write(
      `# named quota 600/minute (20 per 2 s): ${after.length} calls in ${spanS.toFixed(2)} s after the first refusal = ${ratio.toFixed(3)} of the quota; ${report.calls.rateLimited} refused in all, p50 latency ${report.calls.p50Ms} ms\n`,
    );
    assert.ok(after.length >= 60, `${after.length} calls measured`);
    // about 0.98 when timers fire on time (600/min is paced at 588/min, 9 calls every 919 ms);
    // timers that fire late under heavy load lose that time (measured 0.91 at load average 10-17,
    // 0.77 at 27 inside the full suite): a generous bound, the figure printed above
    assert.ok(ratio >= 0.7 && ratio <= 1.02, `achieved ${ratio.toFixed(3)} of the quota`);
    // the quota the server named is stored for the next run
    const stored = facts(db).find((f) => f.api === 'daily');
    assert.deepEqual([stored?.quota_calls, stored?.quota_interval_ms], [600, 60_000]);
  });

  test('a generic 50101 on one window: that batch fails once with the message, no split; the others land', async () => {
    const emu = await emulator({ symbols: 20, badQueries: [{ start_date: '20230401' }] });
    const db = join(dir, 'badquery.db');
    const job = writeDailyJob(dir, {
      name: 'badquery',
      url: emu.url,
      token: emu.token,
      db,
      start: '20230101',
      end: '20231231',
      strategy: 'quarter',
    });
    const r = await runCli(['run', job, '--json']);
    assert.equal(r.code, 1, 'a failed batch');
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'failed');
    assert.equal(report.error, undefined, 'no fatal error');
    assert.deepEqual(
      journal(db).map((b) => b.status),
      ['done', 'failed', 'done', 'done'],
    );
    assert.match(journal(db)[1].last_error ?? '', /refused this query \(50101\): 查询数据失败，请确认参数/);
    assert.equal(emu.stats().byCode['50101'], 1, 'one call: no retry, no split');
    const landed = checksum([
      ...emu.dataset.rows('daily', { start_date: '20230101', end_date: '20230331' }, [...DAILY_FIELDS]),
      ...emu.dataset.rows('daily', { start_date: '20230701', end_date: '20231231' }, [...DAILY_FIELDS]),
    ]);
    assert.deepEqual(tableFacts(db, 'daily').checksum, landed);
  });

  test('transient wordings under codes other than -1000 are retried: the table is exact', async () => {
    const emu = await emulator({ symbols: 20, faults: 'transient:0.15' });
    const db = join(dir, 'transient.db');
    const job = writeDailyJob(dir, { name: 'transient', url: emu.url, token: emu.token, db, strategy: 'quarter' });
    const r = await runCli(['run', job, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(emu.stats().faults.transient > 0, 'transient answers were sent');
    assert.ok(JSON.parse(r.stdout).calls.retried > 0);
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, '20190101', '20231231'));
  });

  test('a cap of 4,000 below the default 6,000, never has_more: the table is exact, the cap learned at no extra call', async () => {
    const emu = await emulator({ symbols: 50, rowCaps: { adj_factor: 4000 }, hasMore: false });
    const db = join(dir, 'cap.db');
    const fields = ['ts_code', 'trade_date', 'adj_factor'];
    const path = join(dir, 'cap.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'cap',
        source: { type: 'tushare', url: emu.url, token: emu.token, api: 'adj_factor', fields },
        plan: { start: '20210101', end: '20231231', strategy: 'half' },
        execution: { concurrency: 4, timeoutMs: 5000 },
        sink: { path: db, table: 'adj' },
      }),
    );
    const r = await runCli(['run', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const windows = [
      ['20210101', '20210630'],
      ['20210701', '20211231'],
      ['20220101', '20220630'],
      ['20220701', '20221231'],
      ['20230101', '20230630'],
      ['20230701', '20231231'],
    ];
    const sizes = windows.map(([s, e]) => emu.dataset.count('adj_factor', { start_date: s, end_date: e }));
    assert.ok(
      sizes.every((n) => n > 4000),
      `every window holds more than the cap (${sizes.join(', ')})`,
    );
    const all = checksum(emu.dataset.rows('adj_factor', { start_date: '20210101', end_date: '20231231' }, fields));
    assert.deepEqual(tableFacts(db, 'adj', fields).checksum, all);
    // the pages a known cap of 4000 needs, and not one call more
    const needed = sizes.reduce((n, rows) => n + Math.floor(rows / 4000) + 1, 0);
    assert.equal(JSON.parse(r.stdout).calls.total, needed);
    const stored = facts(db).find((f) => f.api === 'adj_factor');
    assert.equal(stored?.cap_exact, 4000);
  });

  test('a used-up daily quota stops the run cleanly (exit 1, interrupted); --resume after the reset finishes it', async () => {
    let now = Date.UTC(2024, 4, 1, 10, 0);
    const emu = await emulator({ symbols: 10, dailyQuota: 5, now: () => now });
    const db = join(dir, 'daily-quota.db');
    const job = writeDailyJob(dir, {
      name: 'daily-quota',
      url: emu.url,
      token: emu.token,
      db,
      start: '20230101',
      end: '20231231',
      strategy: 'month',
      concurrency: 2,
    });
    const r = await runCli(['run', job, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'interrupted');
    assert.match(r.stderr, /daily quota of 5 calls is used up \(40203\); it resets at midnight China time \(UTC\+8\)/);
    assert.match(report.error, /midnight China time/);
    const statuses = journal(db).map((b) => b.status);
    assert.equal(statuses.filter((s) => s === 'done').length, 5);
    assert.equal(statuses.filter((s) => s === 'failed').length, 0, 'no batch is marked failed');
    now = Date.UTC(2024, 4, 1, 16, 1); // just past midnight in China
    const resumed = await runCli(['run', job, '--resume', '--json']);
    assert.equal(resumed.code, 1, 'the next day has a quota of 5 too');
    now = Date.UTC(2024, 4, 5, 16, 1);
    for (let day = 0; day < 3; day++) {
      now += 86_400_000;
      const again = await runCli(['run', job, '--resume', '--json']);
      if (again.code === 0) break;
    }
    assert.deepEqual(
      journal(db).map((b) => b.status),
      Array(12).fill('done'),
    );
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, '20230101', '20231231'));
  });
});
