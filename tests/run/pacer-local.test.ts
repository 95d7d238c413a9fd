/** The window rule on its own, and what only the in-process pacer does (the shared contract is pacer-contract.ts). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PaceEvent } from '../../src/core/pacing.js';
import { createPacer, paceRule } from '../../src/run/index.js';
import { ruleOptions } from '../../src/run/pacer/pacer.js';
import { FakeClock, flush } from '../helpers/run-fake-clock.js';
import { maxInInterval } from './pacer-contract.js';

const START: PaceEvent = { type: 'start' };
const END: PaceEvent = { type: 'end' };

describe('window rule', () => {
  test('property: sliding, never more than `calls` starts in any interval, whenever calls end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 300 }), ends: fc.integer({ min: 0, max: 2 }) }), {
          minLength: 1,
          maxLength: 150,
        }),
        (calls, intervalMs, steps) => {
          const rule = paceRule({ calls, intervalMs }, { guardMs: 0 });
          let state = rule.initial(0);
          const starts: number[] = [];
          let t = 0;
          for (const { gap, ends } of steps) {
            t = rule.nextAt(state, t + gap);
            state = rule.step(state, START, t);
            starts.push(t);
            for (let i = 0; i < ends; i++) state = rule.step(state, END, t + i);
          }
          assert.ok(maxInInterval(starts, intervalMs) <= calls);
        },
      ),
    );
  });

  test('property: fixed, at most `calls` starts per aligned window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 200 }),
        (calls, gaps) => {
          const rule = paceRule({ calls, intervalMs: 100, window: 'fixed' });
          let state = rule.initial(0);
          const perWindow = new Map<number, number>();
          let t = 0;
          for (const gap of gaps) {
            t = rule.nextAt(state, t + gap);
            state = rule.step(state, START, t);
            const w = Math.floor(t / 100);
            perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
          }
          for (const n of perWindow.values()) assert.ok(n <= calls);
        },
      ),
    );
  });

  test('a huge quota keeps a small state (slots in a thousand ticks per interval)', () => {
    const rule = paceRule({ calls: 1_000_000, intervalMs: 60_000 });
    let state = rule.initial(0);
    for (let t = 0; t < 120_000; t += 2) state = rule.step(rule.step(state, START, t), END, t + 1);
    assert.ok(JSON.stringify(state).length < 20_000, `${JSON.stringify(state).length} characters`);
    assert.equal(rule.nextAt(state, 120_000), 120_000);
  });

  test('a state built from another configured quota is taken over with its slots: no burst', () => {
    const fast = paceRule({ calls: 10, intervalMs: 1000 }, { guardMs: 0 });
    let state = fast.initial(0);
    for (let i = 0; i < 10; i++) state = fast.step(state, START, 0);
    const slow = paceRule({ calls: 2, intervalMs: 1000 }, { guardMs: 0 });
    assert.equal(slow.nextAt(slow.step(state, END, 10), 10), 1000, 'the ten recent starts still count');
  });

  test('a bad quota is refused with a usage error', () => {
    assert.throws(() => createPacer({ calls: 0, intervalMs: 1000 }), { code: 'SLUICE_USAGE' });
    assert.throws(() => paceRule({ calls: 3, intervalMs: 0 }), /intervalMs/);
  });
});

describe('in-process pacer', () => {
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

  test('a pace per key: one pacer shared by jobs calling different APIs', async () => {
    const clock = new FakeClock();
    const pacer = createPacer((key) => (key === 'daily' ? { calls: 2, intervalMs: 1000 } : undefined), { clock });
    assert.equal(pacer.rate('daily'), (2 * 60_000) / (1000 + 2.5));
    assert.equal(pacer.rate('stock_basic'), Infinity);
  });

  test('fixed windows align to Unix time: the real clock counts from the time origin', async () => {
    assert.equal(ruleOptions({}).epochMs, -performance.timeOrigin);
    assert.equal(ruleOptions({ clock: new FakeClock() }).epochMs, 0);
    const clock = new FakeClock();
    const pacer = createPacer({ calls: 1, intervalMs: 1000, window: 'fixed' }, { clock, guardMs: 0, epochMs: 250 });
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) void pacer.acquire('k').then(() => starts.push(clock.now()));
    await clock.advance(2000);
    assert.deepEqual(starts, [0, 250, 1250], 'windows start at Unix time 0 (clock time 250) plus whole seconds');
  });
});
