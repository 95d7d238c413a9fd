/**
 * A simulated server for pacer tests on a fake clock: it accepts at most `quota` calls in any
 * sliding second (refused calls do not count) and answers after `latencyMs`. `callers` loops,
 * alternating between the two pacers of a pair, call it for as long as it runs.
 */
import type { Pacer } from '../../src/core/pacing.js';
import { sleep } from '../../src/run/index.js';
import type { FakeClock } from '../helpers/run-fake-clock.js';

export interface ServerStats {
  /** First time (ms after `from`) at which accepted calls in the last second reached 90 % of the quota. */
  readonly reached90Ms: number;
  readonly refusedShare: number;
  /** Accepted calls per second over the last 5 s before `to`, as a share of the quota then. */
  readonly lastFiveShare: number;
}

export function adaptiveServer(
  p: { a: Pacer; b: Pacer; clock: FakeClock },
  o: { quota: number; latencyMs: number; callers: number },
): { setQuota(q: number): void; stats(from: number, to: number): ServerStats; stop(): void } {
  let quota = o.quota;
  let stopped = false;
  const accepted: number[] = [];
  const refused: number[] = [];
  const loop = async (pacer: Pacer): Promise<void> => {
    while (!stopped) {
      await pacer.acquire('k');
      const t = p.clock.now();
      let n = 0;
      for (let i = accepted.length - 1; i >= 0 && accepted[i] > t - 1000; i--) n++;
      const ok = n < quota;
      (ok ? accepted : refused).push(t);
      await sleep(p.clock, o.latencyMs);
      if (ok) pacer.onSuccess('k');
      else pacer.onRateLimited('k', {});
    }
  };
  for (let i = 0; i < o.callers; i++) void loop(i % 2 ? p.b : p.a);
  return {
    setQuota(q) {
      quota = q;
    },
    stats(from, to) {
      const inRange = (t: number): boolean => t >= from && t < to;
      const ok = accepted.filter(inRange);
      let reached90Ms = Infinity;
      for (let i = 0, j = 0; i < ok.length; i++) {
        while (ok[i] - ok[j] >= 1000) j++;
        if (i - j + 1 >= 0.9 * quota) {
          reached90Ms = ok[i] - from;
          break;
        }
      }
      const no = refused.filter(inRange).length;
      const lastFive = ok.filter((t) => t >= to - 5000).length;
      return { reached90Ms, refusedShare: no / (ok.length + no), lastFiveShare: lastFive / 5 / quota };
    },
    stop() {
      stopped = true;
    },
  };
}
