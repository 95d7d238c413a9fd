import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { PaceEvent } from '../../src/core/pacing.js';
import { createPacer, paceRule } from '../../src/run/index.js';
import { Emitter } from '../../src/core/events.js';
import { FakeClock } from '../helpers/run-fake-clock.js';

interface Discovery {
  /** First second (end time, ms) in which accepted calls reached 90 % of the quota. */
  readonly reached90Ms: number;
  readonly rejectedShare: number;
  /** Accepted calls per second over the last 30 s, as a share of the quota. */
  readonly steadyShare: number;
}

const START: PaceEvent = { type: 'start' };
const END: PaceEvent = { type: 'end' };
const REFUSED: PaceEvent = { type: 'refused', info: {} };

/**
 * Virtual-time run of the adaptive rule (the pure state machine, no pacer) against a server that
 * accepts at most `quota` calls in any sliding second (refused calls do not count) and answers
 * after `latencyMs`.
 */
function discover(quota: number, latencyMs: number, durationMs = 60_000): Discovery {
  const rule = paceRule('adaptive');
  let state = rule.initial(0);
  const accepted: number[] = [];
  const answers: Array<{ at: number; ok: boolean }> = [];
  let head = 0;
  let rejected = 0;
  let total = 0;
  let t = 0;
  while (t < durationMs) {
    const start = rule.nextAt(state, t);
    // deliver answers due before the next start
    while (head < answers.length && answers[head].at <= start) {
      const a = answers[head++];
      state = rule.step(state, a.ok ? END : REFUSED, a.at);
    }
    t = rule.nextAt(state, start);
    if (t > start) continue;
    state = rule.step(state, START, t);
    total++;
    let inWindow = 0;
    for (let i = accepted.length - 1; i >= 0 && accepted[i] > t - 1000; i--) inWindow++;
    const ok = inWindow < quota;
    if (ok) accepted.push(t);
    else rejected++;
    answers.push({ at: t + latencyMs, ok });
  }
  let reached90Ms = Infinity;
  for (let s = 1000; s <= durationMs; s += 100) {
    const n = accepted.filter((a) => a > s - 1000 && a <= s).length;
    if (n >= 0.9 * quota) {
      reached90Ms = s;
      break;
    }
  }
  const steady = accepted.filter((a) => a > durationMs - 30_000).length / 30;
  return { reached90Ms, rejectedShare: rejected / total, steadyShare: steady / quota };
}

describe('adaptive pace', () => {
  for (const [quota, latency] of [
    [20, 30],
    [50, 20],
    [200, 10],
  ] as const) {
    test(`finds an unknown quota of ${quota}/s: >= 90 % within 10 s, <= 1 % refused`, () => {
      const d = discover(quota, latency);
      if (process.env.SLUICE_DEBUG) console.log(quota, d);
      assert.ok(d.reached90Ms <= 10_000, `reached 90 % after ${d.reached90Ms} ms`);
      assert.ok(d.rejectedShare <= 0.01, `refused ${(d.rejectedShare * 100).toFixed(2)} %`);
      assert.ok(d.steadyShare >= 0.93, `steady share ${d.steadyShare.toFixed(3)}`);
    });
  }

  test('growth pauses while the caller does not use the pace', () => {
    const rule = paceRule('adaptive', { adaptive: { initialPerSecond: 10 } });
    let state = rule.initial(0);
    state = rule.step(state, START, 0);
    state = rule.step(state, START, 5000);
    assert.equal(rule.callsPerMinute(state), 600);
  });

  test('refusals right after a decrease do not decrease again', () => {
    const rule = paceRule('adaptive', { adaptive: { initialPerSecond: 40 } });
    let state = rule.initial(0);
    for (let t = 0; t < 1000; t += 25) {
      state = rule.step(rule.step(state, START, t), END, t);
    }
    state = rule.step(state, REFUSED, 1000);
    const after = rule.callsPerMinute(state);
    assert.ok(after < 40 * 60);
    state = rule.step(state, REFUSED, 1100);
    assert.equal(rule.callsPerMinute(state), after);
  });

  test('the state is plain data: it survives a JSON round trip unchanged', () => {
    const rule = paceRule('adaptive');
    let state = rule.initial(0);
    for (let t = 0; t < 3000; t += 50) state = rule.step(rule.step(state, START, t), END, t + 20);
    state = rule.step(state, REFUSED, 3000);
    const copy = JSON.parse(JSON.stringify(state)) as typeof state;
    assert.deepEqual(copy, state);
    assert.equal(rule.nextAt(copy, 3001), rule.nextAt(state, 3001));
  });

  test('the pacer reports pace changes as pace:rate events', async () => {
    const events = new Emitter();
    const rates: number[] = [];
    events.on('pace:rate', (p) => rates.push(p.callsPerMinute));
    const clock = new FakeClock();
    const pacer = createPacer('adaptive', { clock, events });
    const loop = async (): Promise<void> => {
      while (clock.now() < 5000) {
        await pacer.acquire('api');
        pacer.onSuccess('api');
      }
    };
    const done = loop();
    await clock.advance(6000);
    await done;
    assert.ok(rates.length >= 3, `${rates.length} pace:rate events`);
    assert.ok(rates[rates.length - 1] > rates[0]);
  });
});
