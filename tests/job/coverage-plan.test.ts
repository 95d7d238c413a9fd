/**
 * planRun and the journal: which earlier batches count as covered (done leaves of runs of the
 * job with its fingerprint, whatever the run's status), what a changed job starts afresh, and
 * journals written before fingerprints existed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatDay, today } from '../../src/core/dates.js';
import type { Batch, BatchRows } from '../../src/core/types.js';
import { parseJob } from '../../src/job/load.js';
import { planRun, resolveRun } from '../../src/job/resolve.js';
import { jobFingerprint } from '../../src/job/fingerprint.js';
import { openStore, openStoreAt } from '../../src/sinks/open.js';
import { tempDir } from '../helpers/e2e.js';

const NONE: BatchRows = { fields: ['ts_code', 'trade_date'], pages: [], rowCount: 0 };

function jobAt(db: string, over: { params?: Record<string, unknown>; end?: string; lookback?: number } = {}) {
  return parseJob(
    {
      name: 'cov',
      source: { type: 'tushare', url: 'http://127.0.0.1:9', token: 't0ken', api: 'daily', params: over.params ?? {} },
      plan: { start: '20240101', end: over.end ?? '20240430', strategy: 'month', lookback: over.lookback ?? 0 },
      sink: { type: 'sqlite', path: db, table: 'daily', key: ['ts_code', 'trade_date'] },
    },
    {},
    'test',
  );
}

const win = (key: string, start: string, end: string): Batch => ({
  key,
  params: { start_date: start, end_date: end },
  window: { start, end },
});

const windows = (batches: readonly Batch[]) => batches.map((b) => `${b.window!.start}-${b.window!.end}`);

describe('planRun reads what earlier runs covered', () => {
  test('done leaves of an interrupted run count; failed, pending and split parents do not', async () => {
    const db = join(tempDir('sluice-cov-'), 'a.db');
    const parts = resolveRun(jobAt(db));
    const store = openStore(parts.store);
    await store.open();
    const jan = win('jan', '20240101', '20240131');
    const feb = win('feb', '20240201', '20240229');
    await store.createRun({ id: 'r1', job: 'cov', startedAt: '2024-05-01T00:00:00Z', fingerprint: parts.fingerprint }, [
      jan,
      feb,
      win('mar', '20240301', '20240331'),
    ]);
    await store.commit('r1', jan, NONE, 1);
    await store.split('r1', 'feb', [win('feb1', '20240201', '20240215'), win('feb2', '20240216', '20240229')]);
    await store.commit('r1', win('feb1', '20240201', '20240215'), NONE, 1);
    await store.markFailed('r1', 'feb2', 'boom', 3);
    await store.close();

    const { plan, coverage } = await planRun(parts);
    assert.deepEqual(windows(plan.batches), ['20240216-20240229', '20240301-20240331', '20240401-20240430']);
    assert.equal(coverage.skippedBatches, 2);
    assert.equal(coverage.fromRuns, 1);
    // --full: the whole range, coverage unused
    const full = await planRun(parts, { full: true });
    assert.equal(full.plan.batches.length, 4);
    assert.equal(full.coverage.full, true);
    // another fingerprint (other params): nothing is covered
    const other = resolveRun(jobAt(db, { params: { exchange: 'SSE' } }));
    assert.notEqual(other.fingerprint, parts.fingerprint);
    assert.equal((await planRun(other)).plan.batches.length, 4);
  });

  test('a window reaching today covers only the days before the day its batch finished', async () => {
    const db = join(tempDir('sluice-cov-'), 'b.db');
    const now = today();
    const end = formatDay(now + 3);
    const parts = resolveRun(jobAt(db, { end }));
    const store = openStore(parts.store);
    await store.open();
    const w = win('w', '20240101', end);
    await store.createRun(
      { id: 'r1', job: 'cov', startedAt: new Date().toISOString(), fingerprint: parts.fingerprint },
      [w],
    );
    await store.commit('r1', w, NONE, 1);
    await store.close();
    const { plan } = await planRun(parts);
    // today to the end (one window, or two across a month's end)
    assert.equal(plan.batches[0].window?.start, formatDay(now));
    assert.equal(plan.batches.at(-1)?.window?.end, end);
    assert.ok(plan.batches.length <= 2);
  });

  test('the fingerprint ignores the range, strategy and values; it follows api, params, fields, each and table', () => {
    const base = jobAt('x.db');
    const fp = jobFingerprint(base);
    assert.equal(jobFingerprint({ ...base, plan: { ...base.plan, start: '20100101', strategy: 'year' } }), fp);
    assert.notEqual(jobFingerprint({ ...base, source: { ...base.source, fields: ['ts_code'] } }), fp);
    assert.notEqual(jobFingerprint({ ...base, sink: { ...base.sink, table: 'other' } }), fp);
    assert.notEqual(jobFingerprint({ ...base, plan: { ...base.plan, each: { param: 'ts_code', values: ['a'] } } }), fp);
    assert.match(fp, /^[0-9a-f]{16}$/);
  });

  test('a journal written before fingerprints: read-only it covers nothing; opened for writing it gains the column', async () => {
    const db = join(tempDir('sluice-cov-'), 'old.db');
    const old = new Database(db);
    old.exec(`CREATE TABLE sluice_runs (id TEXT PRIMARY KEY, job TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, report TEXT);
      CREATE TABLE sluice_batches (run_id TEXT NOT NULL, seq INTEGER NOT NULL, batch_key TEXT NOT NULL, params TEXT NOT NULL, "window" TEXT,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0,
        started_at TEXT, finished_at TEXT, last_error TEXT, PRIMARY KEY (run_id, batch_key));
      INSERT INTO sluice_runs VALUES ('r0', 'cov', 'succeeded', '2024-01-01T00:00:00Z', NULL, NULL);
      INSERT INTO sluice_batches (run_id, seq, batch_key, params, "window", status) VALUES ('r0', 1, 'jan', '{}', '{"start":"20240101","end":"20240131"}', 'done');`);
    old.close();
    const reader = openStoreAt(db);
    await reader.open();
    assert.deepEqual(await reader.doneBatches('cov', 'x'), []);
    await reader.close();
    const parts = resolveRun(jobAt(db));
    assert.equal((await planRun(parts)).plan.batches.length, 4, 'the old run has no fingerprint: nothing covered');
    const store = openStore(parts.store);
    await store.open();
    await store.createRun({ id: 'r1', job: 'cov', startedAt: '2024-06-01T00:00:00Z', fingerprint: parts.fingerprint }, [
      win('jan', '20240101', '20240131'),
    ]);
    await store.commit('r1', win('jan', '20240101', '20240131'), NONE, 1);
    await store.close();
    assert.equal((await planRun(parts)).plan.batches.length, 3);
  });
});
