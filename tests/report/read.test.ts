import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EMPTY_REPORT, readReport } from '../../src/core/report.js';
import { SluiceError } from '../../src/core/errors.js';
import { createSqliteStore } from '../../src/sinks/index.js';
import { formatSummary } from '../../src/report/text.js';
import { renderHtml } from '../../src/report/html.js';
import { sampleReport } from '../helpers/report-fixtures.js';

/** A report as an early Sluice stored it: the first fields only, window sizes named `sizes`. */
const OLD = {
  runId: 'r-old',
  job: 'daily',
  status: 'succeeded',
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
  wallMs: 60_000,
  plan: {
    strategy: 'smart',
    batchCount: 12,
    generationMs: 0.5,
    reductionRate: 96.7,
    sizes: { min: 28, max: 31, avg: 30, variance: 1 },
  },
  calls: {
    total: 12,
    failed: 0,
    retried: 1,
    rateLimited: 0,
    errorRate: 0,
    avgMs: 80,
    p50Ms: 70,
    p95Ms: 150,
    p99Ms: 160,
    callsPerSecond: 0.2,
  },
  rows: { fetched: 3000, written: 3000 },
  memory: { peakRssMb: 90, startRssMb: 70 },
  concurrency: { min: 4, max: 4, final: 4 },
  batches: { total: 12, done: 12, failed: 0 },
  ratings: {
    generationTime: 'excellent',
    memory: 'good',
    optimizationRate: 'excellent',
    callRate: 'good',
    errorRate: 'excellent',
  },
  targets: { met: true, checks: [{ metric: 'error_rate', target: 0.02, actual: 0, met: true }] },
  recommendations: ['keep it'],
};

describe('readReport: stored reports as complete RunReports', () => {
  test('an old report keeps what it has, reads `sizes` as plan.batchSizes, and the rest as not measured', () => {
    const r = readReport(JSON.parse(JSON.stringify(OLD)));
    assert.deepEqual(r.plan.batchSizes, OLD.plan.sizes);
    assert.equal('sizes' in r.plan, false);
    assert.equal(r.plan.strategy, 'smart');
    assert.equal(r.calls.p95Ms, 150);
    assert.deepEqual(r.calls.byApi, []);
    assert.equal(r.memory.peakRssMb, 90);
    assert.equal(r.memory.growthMb, null);
    assert.deepEqual(r.memory.heapSpaces, []);
    assert.equal(r.batches.perMinute, null);
    assert.equal(r.analysis.rowsPerCall, null);
    assert.deepEqual(r.timeline, []);
    assert.deepEqual(r.ratings, OLD.ratings);
    assert.deepEqual(r.recommendations, ['keep it']);
    // every field of the type is there
    for (const [section, value] of Object.entries(EMPTY_REPORT)) {
      assert.ok(section in r, section);
      if (value && typeof value === 'object' && !Array.isArray(value))
        for (const key of Object.keys(value))
          assert.ok(key in (r as unknown as Record<string, object>)[section], `${section}.${key}`);
    }
    assert.deepEqual(readReport(r), r, 'reading twice changes nothing');
  });

  test('a report this version built reads back unchanged', () => {
    const built = sampleReport({}, { failEvery: 7 });
    assert.deepEqual(readReport(JSON.parse(JSON.stringify(built))), JSON.parse(JSON.stringify(built)));
  });

  test('a stored report that is not an object is a sink error', () => {
    for (const bad of [null, 3, 'text', []])
      assert.throws(
        () => readReport(bad),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_SINK',
      );
  });

  test('the SQLite journal reads an old stored report as a complete one; summary and HTML render it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-read-')), 'old.db');
    const store = createSqliteStore({ path });
    await store.open();
    await store.createRun({ id: 'r-old', job: 'daily', startedAt: OLD.startedAt }, []);
    await store.close();
    const db = new Database(path);
    db.prepare("UPDATE sluice_runs SET status = 'succeeded', report = ? WHERE id = 'r-old'").run(JSON.stringify(OLD));
    db.close();
    const again = createSqliteStore({ path, mustExist: true });
    await again.open();
    try {
      const report = (await again.getRun('r-old'))?.report;
      assert.ok(report);
      assert.deepEqual(report.plan.batchSizes, OLD.plan.sizes);
      assert.equal(report.memory.growthMb, null);
      assert.match(formatSummary(report), /Plan: smart strategy, 12 batches/);
      assert.match(renderHtml(report), /no data/);
    } finally {
      await again.close();
    }
  });
});
