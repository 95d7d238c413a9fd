/**
 * createPacer: call slots per key (API name) under a pace rule, learning from rate-limit answers.
 * Fast path: when a slot is free now and nobody waits, acquire resolves without a timer. Waiters
 * queue in FIFO order and one timer per key wakes the queue when the next slot is due.
 */
import type { Pacer, RateLimit, RateLimitedInfo } from '../../core/pacing.js';
import type { ExecutorEvents } from '../../core/events.js';
import { abortReason, realClock, type Clock, type TimerHandle } from '../clock.js';
import { AdaptiveRule, type AdaptiveOptions } from './adaptive.js';
import type { PaceRule } from './rule.js';
import { defaultGuardMs, FixedWindowRule, SlidingWindowRule } from './sliding.js';

/**
 * Options of `createPacer`.
 * @example
 * ```ts
 * const pacer = createPacer({ calls: 500, intervalMs: 60_000 }, { guardMs: 50, learnedShare: 0.95 });
 * ```
 */
export interface PacerOptions {
  readonly clock?: Clock;
  /** Emits `pace:rate` when a key's pace changes. */
  readonly events?: ExecutorEvents;
  /**
   * Extra ms added to each window to absorb network jitter.
   * @default 0.25 % of intervalMs, within [1, 250]
   */
  readonly guardMs?: number;
  /**
   * Share of a quota the server named (quotaPerMinute) to pace at.
   * @default 0.98
   */
  readonly learnedShare?: number;
  /**
   * How long a key pauses after a refusal without a Retry-After hint.
   * @default 1000
   */
  readonly defaultRetryAfterMs?: number;
  readonly adaptive?: AdaptiveOptions;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  done: boolean;
}

interface Gate {
  rule: PaceRule | undefined;
  blockedUntil: number;
  waiters: Waiter[];
  head: number;
  timer: TimerHandle | undefined;
  timerAt: number;
  /** Unpaced keys: starts in the current and previous second, to seed a rule after a refusal. */
  second: number;
  thisSecond: number;
  lastSecond: number;
  /** Pace last reported through `pace:rate`. */
  reported: number;
}

const RESOLVED = Promise.resolve();

/**
 * A pacer for a quota (`{ calls, intervalMs }`), for `'adaptive'` (discovers an unknown quota), or
 * unpaced (`undefined`: calls start at once, but the first rate-limit answer slows every call to
 * that key and a quota the server names is learned).
 * @example
 * ```ts
 * import { createPacer, execute } from 'sluice';
 * // one pacer shared by two runs against the same API key: together they keep the quota
 * const pacer = createPacer({ calls: 500, intervalMs: 60_000 });
 * await Promise.all([drain(execute(a, { source, pacer })), drain(execute(b, { source, pacer }))]);
 * ```
 */
export function createPacer(spec: RateLimit | 'adaptive' | undefined, options: PacerOptions = {}): Pacer {
  const clock = options.clock ?? realClock;
  const learnedShare = options.learnedShare ?? 0.98;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 1000;
  const gates = new Map<string, Gate>();

  const makeRule = (): PaceRule | undefined => {
    if (spec === undefined) return undefined;
    if (spec === 'adaptive') return new AdaptiveRule(options.adaptive, clock.now());
    const guard = options.guardMs ?? defaultGuardMs(spec.intervalMs);
    return spec.window === 'fixed'
      ? new FixedWindowRule(spec.calls, spec.intervalMs, guard)
      : new SlidingWindowRule(spec.calls, spec.intervalMs, guard);
  };

  makeRule(); // validate the spec now, at the edge, not at the first call

  const gateFor = (key: string): Gate => {
    let g = gates.get(key);
    if (!g) {
      g = {
        rule: makeRule(),
        blockedUntil: 0,
        waiters: [],
        head: 0,
        timer: undefined,
        timerAt: 0,
        second: 0,
        thisSecond: 0,
        lastSecond: 0,
        reported: NaN,
      };
      gates.set(key, g);
    }
    return g;
  };

  const dueAt = (g: Gate, now: number): number => {
    const t = g.rule ? g.rule.nextAt(now) : now;
    return t > g.blockedUntil ? t : g.blockedUntil;
  };

  const take = (g: Gate, now: number): void => {
    if (g.rule) {
      g.rule.record(now);
      return;
    }
    const s = Math.floor(now / 1000);
    if (s !== g.second) {
      g.lastSecond = s === g.second + 1 ? g.thisSecond : 0;
      g.thisSecond = 0;
      g.second = s;
    }
    g.thisSecond++;
  };

  const drain = (key: string, g: Gate): void => {
    g.timer = undefined;
    const now = clock.now();
    while (g.head < g.waiters.length) {
      const w = g.waiters[g.head];
      if (w.done) {
        g.head++;
        continue;
      }
      if (dueAt(g, now) > now) break;
      g.head++;
      w.done = true;
      w.signal?.removeEventListener('abort', w.onAbort as () => void);
      take(g, now);
      w.resolve();
    }
    if (g.head > 64 && g.head * 2 > g.waiters.length) {
      g.waiters = g.waiters.slice(g.head);
      g.head = 0;
    }
    schedule(key, g);
  };

  const schedule = (key: string, g: Gate): void => {
    if (g.head >= g.waiters.length) return;
    const now = clock.now();
    const at = dueAt(g, now);
    if (g.timer !== undefined) {
      if (g.timerAt <= at) return;
      clock.clearTimer(g.timer);
    }
    g.timerAt = at;
    g.timer = clock.setTimer(() => drain(key, g), Math.max(0, Math.ceil(at - now)));
  };

  const emitRate = (key: string, g: Gate): void => {
    if (!options.events?.has('pace:rate')) return;
    const callsPerMinute = g.rule ? g.rule.callsPerMinute() : Infinity;
    g.reported = callsPerMinute;
    options.events.emit('pace:rate', { api: key, tMs: Date.now(), callsPerMinute });
  };

  /** A free slot now and nobody queued before us: take it. */
  const takeFree = (g: Gate): boolean => {
    if (g.head < g.waiters.length) return false;
    const now = clock.now();
    if (dueAt(g, now) > now) return false;
    take(g, now);
    return true;
  };

  return {
    tryAcquire(key: string): boolean {
      return takeFree(gateFor(key));
    },

    acquire(key: string, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      const g = gateFor(key);
      if (takeFree(g)) return RESOLVED;
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject, signal, done: false };
        if (signal) {
          w.onAbort = () => {
            if (w.done) return;
            w.done = true;
            reject(abortReason(signal));
          };
          signal.addEventListener('abort', w.onAbort, { once: true });
        }
        g.waiters.push(w);
        schedule(key, g);
      });
    },

    onRateLimited(key: string, info: RateLimitedInfo): void {
      const g = gateFor(key);
      const now = clock.now();
      const waitMs = info.retryAfterMs ?? (g.rule instanceof AdaptiveRule ? 0 : defaultRetryAfterMs);
      g.blockedUntil = Math.max(g.blockedUntil, now + Math.max(0, waitMs));
      let changed = false;
      if (info.quotaPerMinute !== undefined && info.quotaPerMinute > 0) {
        // The server named its quota: pace just under it, spread evenly (k calls per 60000*k/N ms),
        // which is safe whether the server counts per minute or over a shorter window.
        const calls = Math.max(1, Math.floor(info.quotaPerMinute * learnedShare));
        const k = Math.max(1, Math.floor(calls / 60));
        const intervalMs = Math.ceil((60_000 * k) / calls);
        const current =
          g.rule instanceof SlidingWindowRule && g.rule.capacity === k && g.rule.intervalMs === intervalMs
            ? g.rule
            : undefined;
        if (current) {
          // refused although already paced at the named quota: widen the margin
          current.onSuccess(now);
          changed = current.widenGuard(Math.max(1, intervalMs * 0.01));
        } else {
          g.rule = new SlidingWindowRule(k, intervalMs, options.guardMs ?? defaultGuardMs(intervalMs));
          // the server's window is full right now: let it drain for one interval before the new pace
          g.blockedUntil = Math.max(g.blockedUntil, now + intervalMs);
          changed = true;
        }
      } else if (g.rule instanceof SlidingWindowRule) {
        // the server saw our starts closer together than we did: keep the quota, widen the margin
        g.rule.onSuccess(now);
        changed = g.rule.widenGuard(Math.max(1, g.rule.intervalMs * 0.01));
      } else if (g.rule?.onRateLimited) {
        changed = g.rule.onRateLimited(now, info);
      } else if (!g.rule) {
        // unpaced until now: start adaptive pacing below the rate that was refused
        const seen = Math.max(g.thisSecond, g.lastSecond, 1);
        g.rule = new AdaptiveRule(options.adaptive, now, { perSecond: seen * 0.5, ceiling: seen });
        changed = true;
      }
      if (changed) emitRate(key, g);
      schedule(key, g);
    },

    onSuccess(key: string): void {
      const g = gates.get(key);
      if (!g?.rule?.onSuccess) return;
      g.rule.onSuccess(clock.now());
      // adaptive pace drifts with every call: report it when it moved by 5 % or more
      const cpm = g.rule.callsPerMinute();
      if (!(Math.abs(cpm - g.reported) < 0.05 * g.reported)) emitRate(key, g);
    },

    rate(key: string): number {
      const g = gates.get(key);
      if (g) return g.rule ? g.rule.callsPerMinute() : Infinity;
      if (spec === undefined) return Infinity;
      return spec === 'adaptive'
        ? (options.adaptive?.initialPerSecond ?? 2) * 60
        : (spec.calls * 60_000) / spec.intervalMs;
    },
  };
}
