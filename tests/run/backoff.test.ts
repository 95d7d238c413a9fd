import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffMs, backoffCeilingMs } from '../../src/run/index.js';

describe('backoff with full jitter', () => {
  test('property: 0 <= wait < min(maxMs, baseMs * 2^(attempt-1)), never above maxMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, r) => {
          const wait = backoffMs(attempt, { baseMs, maxMs }, () => r);
          const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
          assert.ok(wait >= 0 && Number.isInteger(wait));
          assert.ok(wait <= ceiling && wait <= maxMs);
          if (ceiling >= 1) assert.ok(wait < ceiling);
        },
      ),
    );
  });

  test('property: the ceiling grows with the attempt until the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 60_000 }),
        (attempt, baseMs, maxMs) => {
          const a = backoffCeilingMs(attempt, { baseMs, maxMs });
          const b = backoffCeilingMs(attempt + 1, { baseMs, maxMs });
          assert.ok(b >= a);
          assert.ok(b === maxMs || b === 2 * a);
        },
      ),
    );
  });

  test('defaults: 250 ms base, 30 s cap; jitter spans the whole range', () => {
    assert.equal(backoffCeilingMs(1), 250);
    assert.equal(backoffCeilingMs(3), 1000);
    assert.equal(backoffCeilingMs(30), 30_000);
    assert.equal(
      backoffMs(3, {}, () => 0),
      0,
    );
    assert.equal(
      backoffMs(3, {}, () => 0.999),
      999,
    );
  });

  test('a broken random source cannot produce a negative or oversized wait', () => {
    assert.equal(
      backoffMs(2, {}, () => -3),
      0,
    );
    assert.equal(
      backoffMs(2, {}, () => 7),
      0,
    );
    assert.equal(
      backoffMs(2, {}, () => NaN),
      0,
    );
  });
});
