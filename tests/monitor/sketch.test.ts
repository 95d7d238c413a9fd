import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QuantileSketch } from '../../src/monitor/sketch.js';
import { exactQuantile, mulberry32 } from '../helpers/prng.js';

function within(actual: number, expected: number, rel: number): boolean {
  return Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-9;
}

describe('QuantileSketch', () => {
  test('uniform(1, 1000) samples: p50/p95/p99 within 1% of the exact values', () => {
    const rnd = mulberry32(42);
    const s = new QuantileSketch({ relativeError: 0.01 });
    const xs: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const x = 1 + rnd() * 999;
      xs.push(x);
      s.add(x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const want = exactQuantile(xs, q);
      assert.ok(within(s.quantile(q), want, 0.01), `q=${q}: got ${s.quantile(q)}, exact ${want}`);
    }
    // and the exact value is near the theoretical one: a sanity check on the PRNG itself
    assert.ok(within(exactQuantile(xs, 0.5), 500.5, 0.02));
  });

  test('exponential(mean 200 ms) samples: quantiles within 1% of exact, close to -ln(1-q)*200', () => {
    const rnd = mulberry32(7);
    const s = new QuantileSketch();
    const xs: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const x = -Math.log(1 - rnd()) * 200;
      xs.push(x);
      s.add(x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      assert.ok(within(s.quantile(q), exactQuantile(xs, q), 0.01));
      assert.ok(within(s.quantile(q), -Math.log(1 - q) * 200, 0.05));
    }
    assert.ok(within(s.sum / s.count, 200, 0.03));
  });

  test('any positive samples: every quantile is within the relative error of the exact one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (xs, q) => {
          const s = new QuantileSketch({ relativeError: 0.02 });
          for (const x of xs) s.add(x);
          const sorted = [...xs].sort((a, b) => a - b);
          return within(s.quantile(q), exactQuantile(sorted, q), 0.02);
        },
      ),
    );
  });

  test('memory stays bounded: a million distinct values use few buckets', () => {
    const s = new QuantileSketch({ relativeError: 0.01, maxBuckets: 512 });
    for (let i = 1; i <= 1_000_000; i++) s.add(i * 0.37);
    assert.ok(s.bins().length <= 512, `buckets ${s.bins().length}`);
    assert.ok(within(s.quantile(0.99), 0.99 * 370_000, 0.011));
  });

  test('merge gives the same quantiles as adding everything to one sketch', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const all = new QuantileSketch();
    for (let i = 1; i <= 1000; i++) {
      (i % 3 === 0 ? a : b).add(i);
      all.add(i);
    }
    a.merge(b);
    for (const q of [0.1, 0.5, 0.9, 0.99]) assert.equal(a.quantile(q), all.quantile(q));
    assert.equal(a.count, 1000);
  });

  test('zeros, empty sketch and rank', () => {
    const s = new QuantileSketch();
    assert.equal(s.quantile(0.5), 0);
    s.add(0);
    s.add(0);
    s.add(10);
    s.add(-1); // ignored
    assert.equal(s.count, 3);
    assert.equal(s.quantile(0.5), 0);
    assert.ok(within(s.quantile(0.99), 10, 0.01));
    assert.equal(s.rank(5), 2);
    assert.equal(s.rank(11), 3);
  });
});
