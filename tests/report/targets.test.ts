import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_TARGETS,
  checkTargets,
  loadTargets,
  parseTargets,
  rateCallRate,
  rateErrorRate,
  rateGenerationTime,
  rateMemory,
  rateOptimization,
} from '../../src/report/targets.js';
import { SluiceError } from '../../src/core/errors.js';

describe('ratings at each boundary of the rating table', () => {
  test('generation time (s): <0.1 excellent, <1 good, else needs-optimization', () => {
    assert.equal(rateGenerationTime(0.0999), 'excellent');
    assert.equal(rateGenerationTime(0.1), 'good');
    assert.equal(rateGenerationTime(0.999), 'good');
    assert.equal(rateGenerationTime(1), 'needs-optimization');
    assert.equal(rateGenerationTime(null), null);
  });
  test('memory (MB): <50 excellent, <100 good', () => {
    assert.equal(rateMemory(49.9), 'excellent');
    assert.equal(rateMemory(50), 'good');
    assert.equal(rateMemory(99.9), 'good');
    assert.equal(rateMemory(100), 'needs-optimization');
    assert.equal(rateMemory(null), null);
  });
  test('optimization rate (%): >80 excellent, >50 good', () => {
    assert.equal(rateOptimization(80.01), 'excellent');
    assert.equal(rateOptimization(80), 'good');
    assert.equal(rateOptimization(50.01), 'good');
    assert.equal(rateOptimization(50), 'needs-optimization');
  });
  test('call rate (/s): >10 excellent, >5 good', () => {
    assert.equal(rateCallRate(10.01), 'excellent');
    assert.equal(rateCallRate(10), 'good');
    assert.equal(rateCallRate(5.01), 'good');
    assert.equal(rateCallRate(5), 'needs-optimization');
    assert.equal(rateCallRate(null), null);
  });
  test('error rate: <1% excellent, <5% good', () => {
    assert.equal(rateErrorRate(0.0099), 'excellent');
    assert.equal(rateErrorRate(0.01), 'good');
    assert.equal(rateErrorRate(0.0499), 'good');
    assert.equal(rateErrorRate(0.05), 'needs-optimization');
    assert.equal(rateErrorRate(Number.NaN), null);
  });
});

describe('targets', () => {
  const measured = {
    batch_generation_time: 0.2,
    memory_usage_mb: 40,
    optimization_rate: 90,
    throughput: 1500,
    quota_use: 0.9,
    error_rate: 0.01,
  };

  test('all measured and within the defaults: met', () => {
    const r = checkTargets(measured);
    assert.equal(r.met, true);
    assert.equal(r.checks.length, 6);
    assert.ok(r.checks.every((c) => c.met === true));
    const thr = r.checks.find((c) => c.metric === 'throughput')!;
    assert.equal(thr.target, 1000);
    assert.equal(thr.unit, 'rows/s');
    assert.equal(r.checks.find((c) => c.metric === 'quota_use')!.unit, 'x quota');
    assert.equal(r.enforced, false);
    assert.equal(checkTargets(measured, {}, true).enforced, true);
  });

  test('boundaries: max targets pass at equality, min targets pass at equality', () => {
    const r = checkTargets({ ...DEFAULT_TARGETS });
    assert.equal(r.met, true);
  });

  test('one measured miss makes met false; the direction of each target is right', () => {
    assert.equal(checkTargets({ ...measured, error_rate: 0.0201 }).met, false);
    assert.equal(checkTargets({ ...measured, throughput: 999.9 }).met, false);
    assert.equal(checkTargets({ ...measured, quota_use: 0.49 }).met, false);
    assert.equal(checkTargets({ ...measured, optimization_rate: 69.9 }).met, false);
    assert.equal(checkTargets({ ...measured, memory_usage_mb: 75.1 }).met, false);
    assert.equal(checkTargets({ ...measured, batch_generation_time: 0.51 }).met, false);
  });

  test('a metric not measured is null, never 0, and does not fail the targets', () => {
    const r = checkTargets({ ...measured, throughput: null, error_rate: null });
    const thr = r.checks.find((c) => c.metric === 'throughput')!;
    assert.deepEqual(thr, { metric: 'throughput', target: 1000, unit: 'rows/s', actual: null, met: null });
    assert.equal(r.met, true); // reading the missing throughput as 0 would fail it
    const none = checkTargets({
      batch_generation_time: null,
      memory_usage_mb: null,
      optimization_rate: null,
      throughput: null,
      quota_use: null,
      error_rate: null,
    });
    assert.equal(none.met, true);
    assert.ok(none.checks.every((c) => c.met === null && c.actual === null));
  });

  test('overrides replace only the keys given', () => {
    const r = checkTargets(measured, { throughput: 2000 });
    assert.equal(r.met, false);
    assert.equal(r.checks.find((c) => c.metric === 'error_rate')!.target, 0.02);
  });

  test('loadTargets reads YAML and JSON; unknown keys and bad values are usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-targets-'));
    writeFileSync(join(dir, 't.yaml'), 'throughput: 20\nerror_rate: 0.1\n');
    writeFileSync(join(dir, 't.json'), '{"memory_usage_mb": 500}');
    writeFileSync(join(dir, 'bad.yaml'), 'thruput: 20\n');
    assert.deepEqual(await loadTargets(join(dir, 't.yaml')), { throughput: 20, error_rate: 0.1 });
    assert.deepEqual(await loadTargets(join(dir, 't.json')), { memory_usage_mb: 500 });
    await assert.rejects(
      loadTargets(join(dir, 'bad.yaml')),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE' && /thruput/.test(e.message),
    );
    await assert.rejects(
      loadTargets(join(dir, 'missing.yaml')),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE',
    );
    assert.throws(() => parseTargets({ throughput: 'fast' }, 'f'), /throughput/);
    assert.throws(() => parseTargets([1], 'f'), /mapping/);
  });
});
