import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FAULT_KINDS,
  latencyFor,
  parseFaults,
  perMinute,
  quotaMessage,
  rateMessage,
  RateWindow,
} from '../../src/emulator/index.js';
import { ALL_KINDS, FaultPlan } from '../../src/emulator/faults.js';
import { quotaFromMessage } from '../../src/sources/index.js';

describe('rate windows', () => {
  test('a fixed window admits `calls` per aligned interval and resets at the boundary', () => {
    let now = 10_000;
    const w = new RateWindow({ calls: 3, intervalMs: 1000, window: 'fixed' }, () => now);
    assert.deepEqual([w.tryAcquire(), w.tryAcquire(), w.tryAcquire(), w.tryAcquire()], [true, true, true, false]);
    now = 10_999;
    assert.equal(w.tryAcquire(), false);
    now = 11_000;
    assert.equal(w.tryAcquire(), true);
  });

  test('a fixed window allows a burst across a boundary; a sliding window does not', () => {
    let now = 10_900;
    const fixed = new RateWindow({ calls: 2, intervalMs: 1000, window: 'fixed' }, () => now);
    const sliding = new RateWindow({ calls: 2, intervalMs: 1000, window: 'sliding' }, () => now);
    const admitted = { fixed: 0, sliding: 0 };
    for (const t of [10_900, 10_950, 11_000, 11_050]) {
      now = t;
      if (fixed.tryAcquire()) admitted.fixed++;
      if (sliding.tryAcquire()) admitted.sliding++;
    }
    assert.deepEqual(admitted, { fixed: 4, sliding: 2 });
    now = 11_900;
    assert.equal(sliding.tryAcquire(), true);
  });

  test('a sliding window never admits more than `calls` in any interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 10, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 120 }),
        (calls, intervalMs, gaps) => {
          let now = 0;
          const w = new RateWindow({ calls, intervalMs, window: 'sliding' }, () => now);
          const admitted: number[] = [];
          for (const g of gaps) {
            now += g;
            if (w.tryAcquire()) admitted.push(now);
          }
          for (let i = calls; i < admitted.length; i++) assert.ok(admitted[i] - admitted[i - calls] >= intervalMs);
        },
      ),
    );
  });

  test('the refusal message states the per-minute quota the source can read back', () => {
    const n = perMinute({ calls: 5, intervalMs: 1000 });
    assert.equal(n, 300);
    assert.deepEqual(quotaFromMessage(quotaMessage(n)), { calls: 300, intervalMs: 60_000 });
    // the current wording names the period: minute, hour or day
    assert.deepEqual(quotaFromMessage(rateMessage('daily', { calls: 5, intervalMs: 1000 })), {
      calls: 300,
      intervalMs: 60_000,
    });
    assert.match(
      rateMessage('daily', { calls: 5, intervalMs: 1000 }),
      /^抱歉，您访问接口\(daily\)频率超限\(300次\/分钟\)/,
    );
    assert.deepEqual(quotaFromMessage(rateMessage('x', { calls: 10, intervalMs: 3_600_000 })), {
      calls: 10,
      intervalMs: 3_600_000,
    });
    assert.deepEqual(quotaFromMessage(rateMessage('x', { calls: 2, intervalMs: 86_400_000 }, 'classic')), {
      calls: 2,
      intervalMs: 86_400_000,
    });
    assert.match(rateMessage('x', { calls: 2, intervalMs: 86_400_000 }, 'classic'), /每天最多访问该接口2次/);
    assert.equal(perMinute({ calls: 1, intervalMs: 3_600_000 }), 1);
    assert.throws(() => new RateWindow({ calls: 0, intervalMs: 10 }), /calls/);
  });
});

describe('latency model', () => {
  test('is flat up to the knee and grows linearly beyond it', () => {
    const opts = { latencyMs: 20, knee: 4, perExcessMs: 10 };
    assert.deepEqual(
      [1, 4, 5, 8].map((n) => latencyFor(n, opts)),
      [20, 20, 30, 60],
    );
    assert.equal(latencyFor(1), 1);
  });
});

describe('fault injection', () => {
  test('parses a spec; all:P spreads P over the kinds; bad specs are refused', () => {
    assert.deepEqual(parseFaults('5xx:0.02,reset:0.01'), { '5xx': 0.02, reset: 0.01 });
    const all = parseFaults('all:0.05');
    for (const k of ALL_KINDS) assert.ok(Math.abs((all[k] ?? 0) - 0.01) < 1e-12);
    assert.equal(all.badquery, undefined, 'all:P spreads over the kinds a retry gets past');
    assert.deepEqual(parseFaults('transient:0.1,badquery:0.2'), { transient: 0.1, badquery: 0.2 });
    assert.ok(FAULT_KINDS.includes('transient'));
    assert.deepEqual(parseFaults(''), {});
    assert.throws(() => parseFaults('boom:0.1'), /unknown kind/);
    assert.throws(() => parseFaults('5xx:2'), /0..1|KIND/);
    assert.throws(() => parseFaults('5xx'), /KIND:PROBABILITY/);
    assert.throws(() => parseFaults('5xx:0.6,hang:0.6'), /more than 1/);
  });

  test('a fixed seed draws the same faults, at roughly the asked rates', () => {
    const rates = parseFaults('5xx:0.02,reset:0.01,hang:0.01,malformed:0.01,internal:0.05');
    const draw = (seed: number) => {
      const plan = new FaultPlan(rates, seed);
      return Array.from({ length: 20_000 }, () => plan.draw());
    };
    const a = draw(11);
    assert.deepEqual(a, draw(11));
    assert.notDeepEqual(a, draw(12));
    for (const k of FAULT_KINDS) {
      const seen = a.filter((x) => x === k).length / a.length;
      const want = rates[k] ?? 0;
      assert.ok(Math.abs(seen - want) < want * 0.25 + 0.002, `${k}: ${seen} vs ${want}`);
    }
    assert.equal(new FaultPlan({}, 1).draw(), undefined);
  });
});
