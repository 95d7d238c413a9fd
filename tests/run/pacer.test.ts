import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createPacer, SlidingWindowRule, FixedWindowRule } from '../../src/run/index.js';
import { FakeClock, flush } from '../helpers/run-fake-clock.js';

/** Max starts in any half-open interval [t, t + intervalMs). */
function maxInWindow(starts: number[], intervalMs: number): number {
  const s = [...starts].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i] - s[j] >= intervalMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('sliding window', () => {
  test('property: the rule never allows more than `calls` starts in any interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 150 }),
        (calls, intervalMs, gaps) => {
          const rule = new SlidingWindowRule(calls, intervalMs);
          const starts: number[] = [];
          let t = 0;
          for (const gap of gaps) {
            t = rule.nextAt(t + gap);
            rule.record(t);
            starts.push(t);
          }
          assert.ok(maxInWindow(starts, intervalMs) <= calls);
        },
      ),
    );
  });

  test('property: the pacer on a fake clock keeps the sliding rule for random acquire bursts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), n: fc.integer({ min: 1, max: 8 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (calls, bursts) => {
          const clock = new FakeClock();
          const pacer = createPacer({ calls, intervalMs: 100 }, { clock, guardMs: 0 });
          const starts: number[] = [];
          let total = 0;
          for (const b of [...bursts].sort((x, y) => x.at - y.at)) {
            await clock.advance(b.at - clock.now() > 0 ? b.at - clock.now() : 0);
            for (let i = 0; i < b.n; i++) {
              total++;
              void pacer.acquire('k').then(() => starts.push(clock.now()));
            }
          }
          await clock.advance(100 * (total + 1));
          assert.equal(starts.length, total);
          assert.ok(maxInWindow(starts, 100) <= calls);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('saturated, it achieves the quota within 3 %', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ calls: 20, intervalMs: 1000 }, { clock });
    let started = 0;
    const loop = async (): Promise<void> => {
      for (;;) {
        await pacer.acquire('k');
        started++;
        if (clock.now() >= 60_000) return;
      }
    };
    const loops = [loop(), loop(), loop()];
    await clock.advance(60_000);
    const perSecond = started / 60;
    assert.ok(perSecond >= 20 * 0.97 && perSecond <= 20.5, `rate ${perSecond}/s`);
    await clock.advance(1000);
    await Promise.all(loops);
  });

  test('a completion moves its slot from the start to the completion time', () => {
    const rule = new SlidingWindowRule(2, 1000);
    rule.record(0);
    rule.record(10);
    assert.equal(rule.nextAt(20), 1000);
    rule.onSuccess(300);
    assert.equal(rule.nextAt(20), 1300);
    rule.record(1300);
    assert.equal(rule.nextAt(1000), 1010);
    rule.onSuccess(5);
    assert.equal(rule.nextAt(1000), 1010, 'a completion never moves a slot earlier');
    rule.onSuccess(1400);
    rule.record(1010);
    assert.equal(rule.nextAt(1100), 2400, 'the third call, completed at 1400, holds the oldest slot');
  });

  test('a bad quota is refused with a usage error', () => {
    assert.throws(() => createPacer({ calls: 0, intervalMs: 1000 }), { code: 'SLUICE_USAGE' });
    assert.throws(() => new SlidingWindowRule(3, 0), /intervalMs/);
  });

  test('resize keeps recent starts so shrinking never allows a burst', () => {
    const rule = new SlidingWindowRule(4, 1000);
    for (const t of [0, 10, 20, 30]) rule.record(t);
    rule.resize(2);
    assert.equal(rule.nextAt(40), 1020);
  });
});

describe('fixed window', () => {
  test('at most `calls` starts per aligned window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 200 }),
        (calls, gaps) => {
          const rule = new FixedWindowRule(calls, 100);
          const perWindow = new Map<number, number>();
          let t = 0;
          for (const gap of gaps) {
            t = rule.nextAt(t + gap);
            rule.record(t);
            const w = Math.floor(t / 100);
            perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
          }
          for (const n of perWindow.values()) assert.ok(n <= calls);
        },
      ),
    );
  });
});

describe('rate-limit answers', () => {
  test('retryAfterMs is honoured: no slot before it elapses', async () => {
    const clock = new FakeClock();
    const pacer = createPacer(undefined, { clock });
    await pacer.acquire('k');
    pacer.onRateLimited('k', { retryAfterMs: 500 });
    let got = false;
    void pacer.acquire('k').then(() => (got = true));
    await clock.advance(499);
    assert.equal(got, false);
    await clock.advance(2);
    assert.equal(got, true);
  });

  test('a named quota is learned and paced slightly under', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ calls: 500, intervalMs: 60_000 }, { clock });
    pacer.onRateLimited('k', { quota: { calls: 200, intervalMs: 60_000 }, retryAfterMs: 0 });
    const rate = pacer.rate('k');
    assert.ok(rate < 200 && rate >= 195, `rate ${rate}`);
    let started = 0;
    for (let i = 0; i < 400; i++) void pacer.acquire('k').then(() => started++);
    await clock.advance(59_000);
    // spread evenly after one interval's pause for the server's window to drain: never more than the quota
    assert.ok(started <= 196 && started >= 185, `started ${started} in a minute`);
  });

  test('a refusal without a named quota slows a configured quota down at once', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ calls: 100, intervalMs: 60_000 }, { clock });
    const before = pacer.rate('k');
    await pacer.acquire('k');
    pacer.onRateLimited('k', {});
    assert.ok(pacer.rate('k') < before);
    let got = false;
    void pacer.acquire('k').then(() => (got = true));
    await clock.advance(999);
    assert.equal(got, false, 'waits the default 1 s after a refusal without a hint');
    await clock.advance(2);
    assert.equal(got, true);
  });

  test('an aborted waiter rejects with the reason and frees its place', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ calls: 1, intervalMs: 1000 }, { clock, guardMs: 0 });
    await pacer.acquire('k');
    const ac = new AbortController();
    const p = pacer.acquire('k', ac.signal);
    let second = false;
    void pacer.acquire('k').then(() => (second = true));
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    await clock.advance(1000);
    await flush();
    assert.equal(second, true);
  });

  test('tryAcquire takes a free slot, and takes nothing while the slot is not due', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ calls: 2, intervalMs: 1000 }, { clock, guardMs: 0 });
    assert.equal(pacer.tryAcquire?.('k'), true);
    assert.equal(pacer.tryAcquire?.('k'), true);
    assert.equal(pacer.tryAcquire?.('k'), false, 'the quota is used up');
    let got = false;
    void pacer.acquire('k').then(() => (got = true));
    await clock.advance(999);
    assert.equal(got, false);
    await clock.advance(1);
    assert.equal(got, true, 'the refused tryAcquire kept no slot');
  });

  test('tryAcquire does not jump a waiter whose slot came due before its timer fired', async () => {
    // a clock whose timers fire only when told: time can pass with a waiter still queued
    let now = 0;
    const timers: Array<() => void> = [];
    const clock = { now: () => now, setTimer: (fn: () => void) => timers.push(fn), clearTimer: () => {} };
    const pacer = createPacer({ calls: 1, intervalMs: 1000 }, { clock, guardMs: 0 });
    assert.equal(pacer.tryAcquire?.('k'), true);
    let got = false;
    void pacer.acquire('k').then(() => (got = true));
    now = 1500;
    assert.equal(pacer.tryAcquire?.('k'), false, 'the queued waiter goes first');
    for (const fn of timers.splice(0)) fn();
    await flush();
    assert.equal(got, true);
    assert.equal(pacer.tryAcquire?.('k'), false, 'the waiter has the slot');
  });

  test('tryAcquire honours a refusal pause', async () => {
    const clock = new FakeClock();
    const pacer = createPacer(undefined, { clock });
    assert.equal(pacer.tryAcquire?.('k'), true);
    pacer.onRateLimited('k', { retryAfterMs: 300 });
    assert.equal(pacer.tryAcquire?.('k'), false);
    await clock.advance(300);
    assert.equal(pacer.tryAcquire?.('k'), true);
  });

  test('unpaced keys cost no timer', async () => {
    const clock = new FakeClock();
    const pacer = createPacer(undefined, { clock });
    for (let i = 0; i < 100; i++) await pacer.acquire('k');
    assert.equal(clock.pending, 0);
    assert.equal(pacer.rate('k'), Infinity);
  });
});
