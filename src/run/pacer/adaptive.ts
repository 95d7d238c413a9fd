/**
 * Adaptive pace: discover an unknown quota.
 *
 * Design (AIMD with a slow start and a CUBIC-like plateau, on a *rate* rather than a window):
 * - Calls are spaced evenly, `1000 / rate` ms apart, so the server never sees a burst; a start
 *   delayed by a late timer may be made up (at most one call early), so lateness does not eat
 *   into the rate.
 * - Slow start: until the first refusal the rate doubles every `doublingMs` (only while the
 *   caller actually uses the rate; an idle or concurrency-bound caller does not inflate it).
 * - On a refusal the quota is estimated from what the server accepted: the calls that ended
 *   without a refusal in the last second (but not below 97 % of the previous estimate, so one stall
 *   cannot halve it). The rate drops at once to `backoffShare` (95 %) of min(rate, estimate), and
 *   the estimate becomes the ceiling. Refusals during the next `settleMs` belong to calls already
 *   in flight and do not lower the rate again.
 * - Holding: below 97 % of the ceiling the rate climbs back quickly (5 % of the ceiling per second);
 *   near the ceiling it probes slowly, CUBIC-like: 0.5 % of the ceiling per second at first, the
 *   step growing by that much every four seconds, so a good estimate holds for several seconds while
 *   an underestimate is left behind within seconds. A refusal then happens every few seconds and
 *   costs one or two calls — well under 1 % of a run.
 * The estimate assumes the server's window is about a second or longer and counts arrivals; a
 * server that names its quota (Tushare) is paced exactly by a window rule instead (see rule.ts).
 *
 * The state is plain data (no Infinity or NaN: `null` stands for "not yet"), so it can live in
 * process memory or in Redis alike.
 */

export interface AdaptiveOptions {
  /**
   * Starting rate, calls per second.
   * @default 2
   */
  readonly initialPerSecond?: number;
  /**
   * Slow start: the rate doubles every this many ms until the first refusal.
   * @default 1000
   */
  readonly doublingMs?: number;
  /** @default 0.2 */
  readonly minPerSecond?: number;
  /** @default 5000 */
  readonly maxPerSecond?: number;
  /**
   * Share of the estimated quota to pace at after a refusal.
   * @default 0.95
   */
  readonly backoffShare?: number;
  /**
   * Refusals within this many ms of a decrease do not decrease again.
   * @default 500
   */
  readonly settleMs?: number;
}

export interface AdaptiveState {
  /** Calls per second. */
  rate: number;
  /** Quota estimate from the last refusal, calls per second. */
  ceiling: number | null;
  lastStart: number | null;
  /** Virtual schedule: when the next call is due (may lag `now` by one spacing, never more). */
  due: number | null;
  lastGrow: number;
  settleUntil: number | null;
  /** When the rate last came within 3 % of the ceiling (start of the slow probe). */
  probeSince: number | null;
  /** Calls that ended without a refusal, per 100 ms bucket of the last second. */
  counts: number[];
  bucket: number;
}

const BUCKET_MS = 100;
/** A refusal this soon after the last decrease settled means the quota fell. */
const FELL_MS = 1000;
const BUCKETS = 10;

/** The adaptive rule's steps, with the options applied. */
export interface Adaptive {
  initial(now: number, start?: { perSecond: number; ceiling?: number }): AdaptiveState;
  nextAt(a: AdaptiveState, now: number): number;
  start(a: AdaptiveState, now: number): void;
  end(a: AdaptiveState, now: number): void;
  /** Returns true when the rate changed. */
  refused(a: AdaptiveState, now: number): boolean;
}

export function adaptive(options: AdaptiveOptions = {}): Adaptive {
  const doublingMs = options.doublingMs ?? 1000;
  const minRate = options.minPerSecond ?? 0.2;
  const maxRate = options.maxPerSecond ?? 5000;
  const share = options.backoffShare ?? 0.95;
  const settleMs = options.settleMs ?? 500;
  const clamp = (rate: number): number => Math.min(maxRate, Math.max(minRate, rate));

  const grow = (a: AdaptiveState, dt: number): void => {
    if (a.ceiling === null) {
      a.rate = clamp(a.rate * 2 ** (dt / doublingMs));
      return;
    }
    let step = 0.05;
    if (a.rate >= 0.97 * a.ceiling) {
      if (a.probeSince === null) a.probeSince = a.lastGrow;
      step = 0.005 * (1 + (a.lastGrow - a.probeSince) / 4000);
    }
    a.rate = clamp(a.rate + (step * a.ceiling * dt) / 1000);
  };

  const advance = (a: AdaptiveState, now: number): void => {
    const b = Math.floor(now / BUCKET_MS);
    if (a.bucket < 0 || b - a.bucket >= BUCKETS) {
      a.counts.fill(0);
    } else {
      for (let i = a.bucket + 1; i <= b; i++) a.counts[i % BUCKETS] = 0;
    }
    if (b > a.bucket) a.bucket = b;
  };

  return {
    initial(now, start) {
      return {
        rate: clamp(start?.perSecond ?? options.initialPerSecond ?? 2),
        ceiling: start?.ceiling ?? null,
        lastStart: null,
        due: null,
        lastGrow: now,
        settleUntil: null,
        probeSince: null,
        counts: new Array<number>(BUCKETS).fill(0),
        bucket: -1,
      };
    },

    nextAt(a, now) {
      return a.due !== null && a.due > now ? a.due : now;
    },

    start(a, now) {
      const spacing = 1000 / a.rate;
      const dt = now - a.lastGrow;
      // grow only while the caller keeps up with the pace (not app- or concurrency-limited)
      if (a.lastStart !== null && now - a.lastStart <= 2 * spacing + 1 && dt > 0) grow(a, dt);
      a.lastGrow = now;
      a.lastStart = now;
      // a late timer is made up for (at most one call early), so lateness does not lower the rate
      const spacingNow = 1000 / a.rate;
      a.due = Math.max(a.due ?? -Infinity, now - spacingNow) + spacingNow;
    },

    end(a, now) {
      advance(a, now);
      a.counts[a.bucket % BUCKETS]++;
    },

    refused(a, now) {
      if (a.settleUntil !== null && now < a.settleUntil) return false;
      advance(a, now);
      let accepted = 0;
      for (let i = 0; i < BUCKETS; i++) accepted += a.counts[i];
      // a stall can push completions out of the last second: do not fall far below a known ceiling,
      // unless refusals go on right after the last decrease settled: then the quota itself fell
      const fell = a.settleUntil !== null && now - a.settleUntil < FELL_MS;
      const floor = a.ceiling === null || fell ? 0 : 0.97 * a.ceiling;
      const estimate = accepted >= 1 || floor > 0 ? Math.min(a.rate, Math.max(accepted, floor)) : a.rate * 0.5;
      a.ceiling = estimate;
      a.rate = clamp(estimate * share);
      a.settleUntil = now + settleMs;
      a.lastGrow = now;
      a.probeSince = null;
      return true;
    },
  };
}
