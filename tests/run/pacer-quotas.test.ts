/**
 * Small and slow quotas the server names are paced exactly (times the learned share), spread
 * evenly: 2 a minute at 2 a minute, 10 an hour at 10 an hour, 1 an hour at 1 an hour. Fake clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPacer } from '../../src/run/pacer/pacer.js';
import { FakeClock } from '../helpers/run-fake-clock.js';

const MIN = 60_000;
const HOUR = 3_600_000;

/** Starts granted to a queue of waiters over `spanMs` after a refusal naming `quota`. */
async function startsAfterRefusal(quota: { calls: number; intervalMs: number }, spanMs: number): Promise<number[]> {
  const clock = new FakeClock();
  const pacer = createPacer(undefined, { clock });
  await pacer.acquire('k');
  pacer.onRateLimited('k', { quota, retryAfterMs: 0 });
  const starts: number[] = [];
  for (let i = 0; i < 200; i++) void pacer.acquire('k').then(() => starts.push(clock.now()));
  await clock.advance(spanMs);
  return starts;
}

/** Most starts in any window of `windowMs`. */
function densest(starts: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i] - starts[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('named slow quotas are paced exactly', () => {
  test('2 a minute: about 2 a minute, never 3 in a minute (it was 1 a minute)', async () => {
    const starts = await startsAfterRefusal({ calls: 2, intervalMs: MIN }, 20 * MIN);
    assert.ok(densest(starts, MIN) <= 2);
    // after the one-interval pause, 1.96 a minute
    assert.ok(starts.length >= 37 && starts.length <= 40, `${starts.length} starts in 20 minutes`);
  });

  test('10 an hour: about 10 an hour, never 11 in an hour', async () => {
    const starts = await startsAfterRefusal({ calls: 10, intervalMs: HOUR }, 5 * HOUR);
    assert.ok(densest(starts, HOUR) <= 10);
    assert.ok(starts.length >= 47 && starts.length <= 50, `${starts.length} starts in 5 hours`);
  });

  test('1 an hour: one an hour (it was about 60 an hour)', async () => {
    const starts = await startsAfterRefusal({ calls: 1, intervalMs: HOUR }, 10 * HOUR);
    assert.ok(densest(starts, HOUR) <= 1);
    assert.ok(starts.length >= 9 && starts.length <= 10, `${starts.length} starts in 10 hours`);
  });

  test('what the server named is kept per key for the next run', async () => {
    const pacer = createPacer(undefined, { clock: new FakeClock() });
    await pacer.acquire('k');
    pacer.onRateLimited('k', { quota: { calls: 10, intervalMs: HOUR }, retryAfterMs: 0 });
    assert.deepEqual(pacer.learnedQuota?.('k'), { calls: 10, intervalMs: HOUR });
    assert.equal(pacer.learnedQuota?.('other'), undefined);
  });
});

describe('quotas learned by an earlier run', () => {
  test('a key starts at the stored pace, with no refusal and no pause first', async () => {
    const clock = new FakeClock();
    const pacer = createPacer(undefined, { clock, learned: { k: { calls: 2, intervalMs: MIN } } });
    const starts: number[] = [];
    for (let i = 0; i < 20; i++) void pacer.acquire('k').then(() => starts.push(clock.now()));
    await clock.advance(5 * MIN);
    assert.equal(starts[0], 0, 'the first call starts at once');
    assert.ok(densest(starts, MIN) <= 2);
    assert.ok(starts.length >= 9 && starts.length <= 11, `${starts.length} starts in 5 minutes`);
    assert.equal(pacer.learnedQuota?.('k'), undefined, 'only what the server names in this run is stored again');
    assert.ok(pacer.rate('k') > 1.95 && pacer.rate('k') <= 2, `rate ${pacer.rate('k')}`);
  });

  test('a configured quota slower than the stored one wins', async () => {
    const pacer = createPacer({ calls: 1, intervalMs: MIN }, { learned: { k: { calls: 500, intervalMs: MIN } } });
    assert.ok(pacer.rate('k') <= 1 && pacer.rate('k') > 0.99);
  });

  test('a used-up daily quota blocks the key until the reset, then the pace is unchanged', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ calls: 10, intervalMs: 1000 }, { clock });
    await pacer.acquire('k');
    const before = pacer.rate('k');
    pacer.onRateLimited('k', { retryAfterMs: 5 * HOUR, exhausted: true });
    assert.equal(pacer.rate('k'), before);
    let got = false;
    void pacer.acquire('k').then(() => (got = true));
    await clock.advance(5 * HOUR - 1);
    assert.equal(got, false);
    await clock.advance(2);
    assert.equal(got, true);
  });
});
