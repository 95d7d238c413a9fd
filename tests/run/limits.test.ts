import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixedLimit, throughputLimit, gradientLimit } from '../../src/run/index.js';
import type { LimitSample } from '../../src/core/pacing.js';
import { simulateKnee } from '../helpers/run-knee-sim.js';

/** Feed `n` completions spaced `gapMs` apart, starting at `t`. Returns the end time. */
function feed(limit: { onSample(s: LimitSample): number }, t: number, n: number, gapMs: number, rttMs = gapMs): number {
  for (let i = 0; i < n; i++) {
    t += gapMs;
    limit.onSample({ nowMs: t, rttMs, inflight: 3, dropped: false });
  }
  return t;
}

const sampleArb = fc.record({
  nowMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
  rttMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e4, noNaN: true })),
  inflight: fc.integer({ min: 0, max: 300 }),
  dropped: fc.boolean(),
});

describe('fixed limit', () => {
  test('never moves', () => {
    const l = fixedLimit(7);
    assert.equal(l.onSample({ nowMs: 1, rttMs: 1e6, inflight: 7, dropped: true }), 7);
    assert.equal(l.current, 7);
    assert.throws(() => fixedLimit(0), { code: 'SLUICE_USAGE' });
  });
});

describe('throughput-window rule', () => {
  test('+1 when a window of 5 is > 10 % faster than the previous one', () => {
    const l = throughputLimit();
    const t = feed(l, 0, 5, 100);
    assert.equal(l.current, 3);
    feed(l, t, 5, 80);
    assert.equal(l.current, 4);
  });

  test('-1 when it is > 10 % slower; unchanged within 10 %', () => {
    const l = throughputLimit({ initial: 5 });
    let t = feed(l, 0, 5, 100);
    t = feed(l, t, 5, 105);
    assert.equal(l.current, 5);
    feed(l, t, 5, 130);
    assert.equal(l.current, 4);
  });

  test('zero-duration windows never divide by zero', () => {
    const l = throughputLimit();
    for (let i = 0; i < 20; i++) l.onSample({ nowMs: 1000, rttMs: 0, inflight: 1, dropped: false });
    assert.equal(l.current, 3);
    feed(l, 1000, 5, 10);
    assert.ok(Number.isInteger(l.current));
  });

  test('property: always an integer within [min, max] whatever the samples', () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 200 }), (samples) => {
        const l = throughputLimit({ min: 2, max: 6, initial: 4 });
        for (const s of samples.sort((a, b) => a.nowMs - b.nowMs)) {
          const v = l.onSample(s);
          assert.ok(Number.isInteger(v) && v >= 2 && v <= 6);
        }
      }),
    );
  });
});

describe('latency-gradient rule', () => {
  test('grows while latency holds and the limit is used', () => {
    const l = gradientLimit({ initial: 4 });
    for (let i = 0; i < 200; i++) l.onSample({ nowMs: i, rttMs: 20, inflight: l.current, dropped: false });
    assert.ok(l.current > 10, `limit ${l.current}`);
  });

  test('does not grow when the caller does not use the limit', () => {
    const l = gradientLimit({ initial: 10 });
    for (let i = 0; i < 200; i++) l.onSample({ nowMs: i, rttMs: 20, inflight: 1, dropped: false });
    assert.equal(l.current, 10);
  });

  test('shrinks when short-term latency rises above the baseline', () => {
    const l = gradientLimit({ initial: 40 });
    for (let i = 0; i < 50; i++) l.onSample({ nowMs: i, rttMs: 20, inflight: 40, dropped: false });
    const before = l.current;
    for (let i = 0; i < 20; i++) l.onSample({ nowMs: 50 + i, rttMs: 60, inflight: 40, dropped: false });
    assert.ok(l.current < before * 0.8, `${before} -> ${l.current}`);
  });

  test('dropped samples cut the limit', () => {
    const l = gradientLimit({ initial: 20 });
    l.onSample({ nowMs: 0, rttMs: 5, inflight: 20, dropped: true });
    assert.equal(l.current, 18);
  });

  test('property: always an integer within [min, max] whatever the samples', () => {
    fc.assert(
      fc.property(fc.array(sampleArb, { maxLength: 200 }), (samples) => {
        const l = gradientLimit({ min: 2, max: 50 });
        for (const s of samples) {
          const v = l.onSample(s);
          assert.ok(Number.isInteger(v) && v >= 2 && v <= 50);
        }
      }),
    );
  });

  test('simulation: on a server with a capacity knee, gradient beats the throughput rule and nears the best fixed limit', () => {
    for (const [capacity, noise] of [
      [8, 0.05],
      [16, 0.05],
      [32, 0.05],
      [16, 0.3],
    ]) {
      const server = { capacity, baseMs: 20, exponent: 1.5, noise };
      let best = 0;
      for (let n = 1; n <= capacity * 2; n++) best = Math.max(best, simulateKnee(fixedLimit(n), server).throughput);
      const gradient = simulateKnee(gradientLimit(), server).throughput;
      const seed = simulateKnee(throughputLimit(), server).throughput;
      assert.ok(gradient > seed, `capacity ${capacity}: gradient ${gradient} vs seed ${seed}`);
      assert.ok(gradient >= 0.9 * best, `capacity ${capacity}: gradient ${gradient} vs best fixed ${best}`);
    }
  });
});
