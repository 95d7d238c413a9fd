import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SluiceError } from '../../src/core/errors.js';
import { adaptiveBatches, recommendBatchSize } from '../../src/plan/index.js';

describe('recommendBatchSize', () => {
  test('no history: the default min(1000, dataSize / 10)', () => {
    assert.equal(recommendBatchSize(50_000), 1000);
    assert.equal(recommendBatchSize(5_000), 500);
    assert.equal(recommendBatchSize(5_000, [], { defaultSize: 300 }), 300);
  });
  test('zero data, one item and tiny data give a usable size of at least 1 (never 0)', () => {
    assert.equal(recommendBatchSize(0), 1);
    assert.equal(recommendBatchSize(1), 1);
    assert.equal(recommendBatchSize(9), 1);
    assert.equal(recommendBatchSize(0, [{ batchSize: 500, dataSize: 10_000, throughput: 3 }]), 1);
    assert.deepEqual(adaptiveBatches([]), []);
    assert.deepEqual(adaptiveBatches(['only']), [['only']]);
  });
  test('history: best throughput wins, scaled by sqrt of the data ratio, clamped to [100, 5000]', () => {
    const history = [
      { batchSize: 400, dataSize: 10_000, throughput: 50 },
      { batchSize: 800, dataSize: 10_000, throughput: 90 },
      { batchSize: 2000, dataSize: 10_000, throughput: 70 },
    ];
    assert.equal(recommendBatchSize(40_000, history), 1600); // 800 * sqrt(4)
    assert.equal(recommendBatchSize(10_000_000, history), 5000);
    assert.equal(recommendBatchSize(1_000, [{ batchSize: 100, dataSize: 100_000, throughput: 1 }]), 100); // 10 -> clamped to 100
    assert.equal(recommendBatchSize(60, history), 60); // never more than the data
  });
  test('entries with zero or bad fields are ignored instead of dividing by zero', () => {
    const history = [
      { batchSize: 500, dataSize: 0, throughput: 1e9 },
      { batchSize: 0, dataSize: 10, throughput: 5 },
      { batchSize: 300, dataSize: Number.NaN, throughput: 7 },
    ];
    assert.equal(recommendBatchSize(20_000, history), 1000);
  });
  test('a target batch count gives at most that many batches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 1000 }), (n, target) => {
        const size = recommendBatchSize(n, [], { targetBatchCount: target });
        assert.ok(size >= 1);
        assert.ok(Math.ceil(n / size) <= target, `${n} items in batches of ${size} exceed ${target}`);
      }),
    );
    assert.equal(recommendBatchSize(10, [], { targetBatchCount: 3 }), 4); // floor(10/3) = 3 would make 4 batches
  });
  test('bad numbers are usage errors naming the option', () => {
    const usage = (fn: () => unknown, name: string) =>
      assert.throws(
        fn,
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE' && e.message.startsWith(name),
      );
    usage(() => recommendBatchSize(-1), 'dataSize');
    usage(() => recommendBatchSize(Number.NaN), 'dataSize');
    usage(() => recommendBatchSize(10, [], { targetBatchCount: 0 }), 'targetBatchCount');
    usage(() => recommendBatchSize(10, [], { minSize: 500, maxSize: 100 }), 'maxSize');
  });
});
