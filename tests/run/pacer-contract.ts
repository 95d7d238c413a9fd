/**
 * Behaviour every pacer home must show, run against the in-process pacer and the Redis pacer by
 * their test files. Each case opens two pacers sharing one home (the same in-process pacer twice;
 * two Redis pacers on one key prefix, as two workers would) on a fake clock, and calls them both.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Pacer, RateLimitedInfo } from '../../src/core/pacing.js';
import type { PacerOptions, PaceSpecs } from '../../src/run/index.js';
import type { FakeClock } from '../helpers/run-fake-clock.js';
import { mulberry32 } from '../helpers/prng.js';
import { adaptiveServer } from './pacer-server.js';

export interface PacerPair {
  readonly a: Pacer;
  readonly b: Pacer;
  readonly clock: FakeClock;
  close(): Promise<void>;
}

export interface PacerHome {
  readonly name: string;
  /** False (after skipping `t`) when the home's service is not there. */
  available(t: TestContext): Promise<boolean>;
  open(spec: PaceSpecs, options?: Omit<PacerOptions, 'clock'>): Promise<PacerPair>;
}

/** Max starts in any half-open interval [t, t + intervalMs). */
export function maxInInterval(starts: readonly number[], intervalMs: number): number {
  const s = [...starts].sort((x, y) => x - y);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i] - s[j] >= intervalMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export function pacerContract(home: PacerHome): void {
  const withPair = (
    name: string,
    spec: PaceSpecs,
    options: Omit<PacerOptions, 'clock'>,
    body: (p: PacerPair) => Promise<void>,
  ): void => {
    test(name, async (t) => {
      if (!(await home.available(t))) return;
      const pair = await home.open(spec, options);
      try {
        await body(pair);
      } finally {
        await pair.close();
      }
    });
  };

  /** Start times of `n` acquires, alternating between the two pacers. */
  const acquireAll = (p: PacerPair, n: number, key = 'k'): number[] => {
    const starts: number[] = [];
    for (let i = 0; i < n; i++) void (i % 2 ? p.b : p.a).acquire(key).then(() => starts.push(p.clock.now()));
    return starts;
  };

  describe(`pacer contract: ${home.name}`, () => {
    describe('sliding window', () => {
      for (const seed of [1, 2, 3]) {
        withPair(
          `two callers never exceed calls starts in any interval (bursts, seed ${seed})`,
          { calls: 3, intervalMs: 100 },
          { guardMs: 0 },
          async (p) => {
            const random = mulberry32(seed);
            const starts: number[] = [];
            let total = 0;
            for (let burst = 0; burst < 6; burst++) {
              await p.clock.advance(Math.floor(random() * 150));
              const n = 1 + Math.floor(random() * 6);
              for (let i = 0; i < n; i++, total++)
                void (random() < 0.5 ? p.a : p.b).acquire('k').then(() => starts.push(p.clock.now()));
            }
            await p.clock.advance(100 * (total + 1));
            assert.equal(starts.length, total);
            assert.ok(maxInInterval(starts, 100) <= 3, `max ${maxInInterval(starts, 100)} in 100 ms`);
          },
        );
      }

      withPair(
        'saturated, two callers together achieve the quota within 3 %',
        { calls: 20, intervalMs: 1000 },
        {},
        async (p) => {
          let started = 0;
          const loop = async (pacer: Pacer): Promise<void> => {
            while (p.clock.now() < 20_000) {
              await pacer.acquire('k');
              started++;
            }
          };
          const loops = [loop(p.a), loop(p.b), loop(p.a)];
          await p.clock.advance(20_000);
          const perSecond = started / 20;
          assert.ok(perSecond >= 20 * 0.97 && perSecond <= 20 + 20 / 20 + 0.1, `rate ${perSecond}/s`);
          await p.clock.advance(1000);
          await Promise.all(loops);
        },
      );

      withPair(
        'a call that ends moves its slot from its start to its end',
        { calls: 1, intervalMs: 1000 },
        { guardMs: 0 },
        async (p) => {
          await p.a.acquire('k');
          await p.clock.advance(300);
          p.a.onSuccess('k');
          const starts = acquireAll(p, 1);
          await p.clock.advance(999);
          assert.deepEqual(starts, [], 'the slot counts from the end (300), not the start (0)');
          await p.clock.advance(1);
          assert.deepEqual(starts, [1300]);
        },
      );

      withPair(
        'hold mode: a running call holds its slot until it ends',
        { calls: 1, intervalMs: 1000 },
        { guardMs: 0, holdMs: 10_000 },
        async (p) => {
          await p.a.acquire('k');
          const starts = acquireAll(p, 1);
          await p.clock.advance(5000);
          assert.deepEqual(starts, [], 'still running at 5000');
          p.a.onSuccess('k');
          await p.clock.advance(1000);
          assert.deepEqual(starts, [6000]);
          // a call whose end never comes frees its slot holdMs after its start
          const more = acquireAll(p, 1);
          await p.clock.advance(10_999);
          assert.deepEqual(more, []);
          await p.clock.advance(1);
          assert.deepEqual(more, [17_000]);
        },
      );
    });

    withPair(
      'fixed window: at most calls starts per aligned window',
      { calls: 3, intervalMs: 1000, window: 'fixed' },
      { guardMs: 0 },
      async (p) => {
        await p.clock.advance(500);
        const starts = acquireAll(p, 7);
        await p.clock.advance(3000);
        assert.deepEqual(starts, [500, 500, 500, 1000, 1000, 1000, 2000]);
      },
    );

    describe('refusals', () => {
      withPair('Retry-After pauses every caller of the key, not other keys', undefined, {}, async (p) => {
        await p.a.acquire('k');
        p.a.onRateLimited('k', { retryAfterMs: 500 });
        const starts = acquireAll(p, 2);
        const other = acquireAll(p, 1, 'other');
        await p.clock.advance(499);
        assert.deepEqual(starts, []);
        assert.deepEqual(other, [0]);
        await p.clock.advance(1);
        assert.deepEqual(starts, [500, 500]);
      });

      withPair(
        'a refusal the window did not predict pauses 1 s and widens the guard',
        { calls: 100, intervalMs: 60_000 },
        {},
        async (p) => {
          const before = p.a.rate('k');
          await p.a.acquire('k');
          p.b.onRateLimited('k', {});
          await p.clock.advance(0); // a refusal in one process reaches the others when recorded
          const starts = acquireAll(p, 1);
          await p.clock.advance(999);
          assert.deepEqual(starts, []);
          await p.clock.advance(1);
          assert.deepEqual(starts, [1000]);
          assert.ok(p.a.rate('k') < before && p.b.rate('k') < before, `${p.a.rate('k')} < ${before}`);
        },
      );

      withPair(
        'a named quota is learned by every caller and paced just under it',
        { calls: 500, intervalMs: 60_000 },
        {},
        async (p) => {
          await p.a.acquire('k');
          refuse(p.a, { quota: { calls: 200, intervalMs: 60_000 }, retryAfterMs: 0 });
          await p.clock.advance(0);
          const starts = acquireAll(p, 400);
          await p.clock.advance(59_000);
          for (const rate of [p.a.rate('k'), p.b.rate('k')]) assert.ok(rate < 200 && rate >= 195, `rate ${rate}`);
          // after one interval for the server's window to drain, spread evenly: never over the quota
          assert.ok(starts.length <= 196 && starts.length >= 185, `started ${starts.length} in a minute`);
          assert.ok(maxInInterval(starts, 60_000) <= 200);
        },
      );

      withPair(
        'a named quota of 1 per hour is paced at 1 per hour, and kept for the next run',
        undefined,
        {},
        async (p) => {
          await p.a.acquire('k');
          refuse(p.a, { quota: { calls: 1, intervalMs: 3_600_000 }, retryAfterMs: 0 });
          await p.clock.advance(0);
          assert.deepEqual(p.a.learnedQuota?.('k'), { calls: 1, intervalMs: 3_600_000 });
          const starts = acquireAll(p, 20);
          await p.clock.advance(10 * 3_600_000);
          assert.ok(maxInInterval([0, ...starts], 3_600_000) <= 1);
          assert.ok(starts.length >= 9 && starts.length <= 10, `${starts.length} starts in 10 hours`);
        },
      );

      withPair('a named quota of 2 per minute is paced at 2 per minute', undefined, {}, async (p) => {
        await p.a.acquire('k');
        refuse(p.a, { quota: { calls: 2, intervalMs: 60_000 }, retryAfterMs: 0 });
        await p.clock.advance(0);
        const starts = acquireAll(p, 60);
        await p.clock.advance(20 * 60_000);
        assert.ok(maxInInterval([0, ...starts], 60_000) <= 2);
        assert.ok(starts.length >= 37 && starts.length <= 40, `${starts.length} starts in 20 minutes`);
      });

      withPair(
        'a quota learned by an earlier run paces the key from its first call',
        undefined,
        { learned: { k: { calls: 2, intervalMs: 60_000 } } },
        async (p) => {
          const starts = acquireAll(p, 20);
          await p.clock.advance(5 * 60_000);
          assert.equal(starts[0], 0, 'the first call starts at once');
          assert.ok(maxInInterval(starts, 60_000) <= 2);
          assert.ok(starts.length >= 9 && starts.length <= 11, `${starts.length} starts in 5 minutes`);
          assert.equal(p.a.learnedQuota?.('k'), undefined, 'only what the server names is stored again');
        },
      );

      withPair(
        'a used-up daily quota blocks the key until its reset; the pace is unchanged',
        { calls: 10, intervalMs: 1000 },
        {},
        async (p) => {
          await p.a.acquire('k');
          const before = p.a.rate('k');
          p.a.onRateLimited('k', { retryAfterMs: 5 * 3_600_000, exhausted: true });
          await p.clock.advance(0);
          const starts = acquireAll(p, 2);
          await p.clock.advance(5 * 3_600_000 - 1);
          assert.deepEqual(starts, []);
          await p.clock.advance(1);
          assert.deepEqual(starts, [5 * 3_600_000, 5 * 3_600_000]);
          assert.equal(p.a.rate('k'), before);
          assert.equal(p.b.rate('k'), before);
        },
      );

      withPair('unpaced, the first refusal slows every caller below the refused rate', undefined, {}, async (p) => {
        for (let i = 0; i < 10; i++) await (i % 2 ? p.b : p.a).acquire('k');
        assert.equal(p.a.rate('k'), Infinity);
        p.a.onRateLimited('k', { retryAfterMs: 0 });
        await p.clock.advance(0);
        assert.equal(p.a.rate('k'), 300, 'half the 10 calls/s that were refused');
        const starts = acquireAll(p, 10);
        await p.clock.advance(1000);
        assert.ok(starts.length >= 4 && starts.length <= 7, `${starts.length} starts in the next second`);
      });
    });

    describe('adaptive', () => {
      withPair(
        'discovers an unknown quota, slows when it falls and climbs when it rises',
        'adaptive',
        {},
        async (p) => {
          const server = adaptiveServer(p, { quota: 20, latencyMs: 30, callers: 8 });
          await p.clock.advance(30_000);
          const up = server.stats(0, 30_000);
          assert.ok(up.reached90Ms <= 10_000, `reached 90 % after ${up.reached90Ms} ms`);
          assert.ok(up.refusedShare <= 0.01, `refused ${(up.refusedShare * 100).toFixed(2)} %`);
          assert.ok(up.lastFiveShare >= 0.9, `last 5 s at ${up.lastFiveShare.toFixed(3)} of the quota`);
          // the quota falls by half (another client took a share): refusals go on, the pace follows
          server.setQuota(10);
          await p.clock.advance(15_000);
          const down = server.stats(30_000, 45_000);
          assert.ok(down.lastFiveShare >= 0.85 && down.lastFiveShare <= 1, `after the fall ${down.lastFiveShare}`);
          assert.ok(down.refusedShare <= 0.15, `refused ${(down.refusedShare * 100).toFixed(2)} % while falling`);
          assert.ok(p.a.rate('k') <= 11 * 60, `pace ${p.a.rate('k')}/min after the fall`);
          // and back: the probe above the estimate finds the larger quota again
          server.setQuota(20);
          await p.clock.advance(40_000);
          const rose = server.stats(45_000, 85_000);
          assert.ok(rose.lastFiveShare >= 0.85, `after the rise ${rose.lastFiveShare} of the quota`);
          assert.ok(rose.refusedShare <= 0.01, `refused ${(rose.refusedShare * 100).toFixed(2)} % while rising`);
          server.stop();
        },
      );
    });

    withPair(
      'an aborted waiter rejects with the reason and frees its place',
      { calls: 1, intervalMs: 1000 },
      { guardMs: 0 },
      async (p) => {
        await p.a.acquire('k');
        const ac = new AbortController();
        const waiting = p.b.acquire('k', ac.signal);
        const starts = acquireAll(p, 1);
        ac.abort(new Error('stop'));
        await assert.rejects(waiting, /stop/);
        await p.clock.advance(1000);
        assert.deepEqual(starts, [1000]);
      },
    );
  });
}

function refuse(pacer: Pacer, info: RateLimitedInfo): void {
  pacer.onRateLimited('k', info);
}
