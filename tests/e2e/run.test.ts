/**
 * `sluice run` end to end against the emulator on loopback: exact tables (count, keys, checksum
 * from the emulator's own generator), with and without injected faults, and fatal token errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { expectedDaily, runCli, tableFacts, tempDir, writeDailyJob } from '../helpers/e2e.js';

describe('sluice run against the emulator', () => {
  let clean: Emulator;
  let faulty: Emulator;
  const dir = tempDir();

  before(async () => {
    // rowCap 1000 on the server forces pagination: a half-year window of 30 symbols holds ~3,700 rows.
    clean = await startEmulator({ port: 0, seed: 11, symbols: 30, rowCap: 1000 });
    faulty = await startEmulator({ port: 0, seed: 11, symbols: 30, rowCap: 1000, faults: 'all:0.05' });
  });
  after(async () => {
    await clean.close();
    await faulty.close();
  });

  test('a five-year daily job lands exactly the emulator rows (count, keys, checksum)', async () => {
    const db = join(dir, 'clean.db');
    const job = writeDailyJob(dir, { name: 'clean', url: clean.url, token: clean.token, db, rowCap: 1000 });
    const r = await runCli(['run', job, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.status, 'succeeded');
    const expected = expectedDaily(clean.dataset, '20190101', '20231231');
    const facts = tableFacts(db, 'daily');
    assert.ok(expected.count > 30_000, `a multi-year job (${expected.count} rows)`);
    assert.equal(facts.rows, expected.count);
    assert.equal(facts.keys, expected.count);
    assert.deepEqual(facts.checksum, expected);
    assert.equal(report.rows.written, expected.count);
    assert.ok(report.calls.total >= Math.ceil(expected.count / 1000), 'paginated calls were counted');
  });

  test('with 5 % faults of every kind injected the table is still exact', async () => {
    const db = join(dir, 'faulty.db');
    const job = writeDailyJob(dir, {
      name: 'faulty',
      url: faulty.url,
      token: faulty.token,
      db,
      rowCap: 1000,
      timeoutMs: 500,
      concurrency: 6,
    });
    const r = await runCli(['run', job, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const stats = faulty.stats();
    const injected = Object.values(stats.faults).reduce((a, b) => a + b, 0);
    assert.ok(injected > 0, 'faults were injected');
    for (const kind of Object.keys(stats.faults)) assert.ok((stats.faults as Record<string, number>)[kind] >= 0);
    assert.ok(report.calls.retried > 0, 'retries happened');
    const expected = expectedDaily(faulty.dataset, '20190101', '20231231');
    assert.deepEqual(tableFacts(db, 'daily').checksum, expected);
  });

  test('a bad token stops the run at once: exit 1, no retries, the token is not printed', async () => {
    const badToken = 'wrong-token-7d1c9e';
    const emu = await startEmulator({ port: 0, seed: 3, symbols: 5 });
    try {
      const db = join(dir, 'fatal.db');
      const job = writeDailyJob(dir, {
        name: 'fatal',
        url: emu.url,
        token: badToken,
        db,
        each: emu.dataset.universe.codes,
        concurrency: 4,
      });
      const r = await runCli(['run', job]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /40101|token/i);
      assert.ok(!r.stderr.includes(badToken) && !r.stdout.includes(badToken), 'token never printed');
      // Every call after the first refusal would be a retry or a new batch: at most the calls already in flight.
      const served = emu.stats().byCode['40101'] ?? 0;
      assert.ok(served >= 1 && served <= 4, `calls answered 40101: ${served}`);
    } finally {
      await emu.close();
    }
  });

  test('with no configured quota the first refusals slow every call down (no rate-limit storm)', async () => {
    const emu = await startEmulator({
      port: 0,
      seed: 3,
      symbols: 10,
      rate: { calls: 20, intervalMs: 1000, window: 'sliding' },
    });
    try {
      const db = join(dir, 'storm.db');
      const job = writeDailyJob(dir, {
        name: 'storm',
        url: emu.url,
        token: emu.token,
        db,
        start: '20230101',
        end: '20230615',
        strategy: 'day',
        concurrency: 8,
      });
      const r = await runCli(['run', job, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      const refused = emu.stats().rejectedRate;
      // Unpaced, this job drew ~85 % refusals; paced from the first refusal on, a burst at the start.
      assert.ok(refused <= report.calls.total * 0.25, `${refused} of ${report.calls.total} calls refused`);
      assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, '20230101', '20230615'));
    } finally {
      await emu.close();
    }
  });
});
