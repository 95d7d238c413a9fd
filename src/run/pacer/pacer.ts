/**
 * createPacer: call slots per key (API name) under a pace rule, learning from rate-limit answers.
 * Fast path: when a slot is free now and nobody waits, acquire resolves without a timer. Waiters
 * queue in FIFO order and one timer per key wakes the queue when the next slot is due.
 */
import type { Pacer, Quota, RateLimit, RateLimitedInfo } from '../../core/pacing.js';
import type { ExecutorEvents } from '../../core/events.js';
import { abortReason, realClock, type Clock, type TimerHandle } from '../clock.js';
import { AdaptiveRule, type AdaptiveOptions } from './adaptive.js';
import type { PaceRule } from './rule.js';
import { defaultGuardMs, FixedWindowRule, SlidingWindowRule } from './sliding.js';
import { perMinute, spreadQuota } from './spread.js';

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
   * Share of a quota the server named to pace at.
   * @default 0.98
   */
  readonly learnedShare?: number;
  /**
   * Quotas per key learned by earlier runs (stored in the sink's database): a key starts at that
   * pace (its `learnedShare`, spread evenly) unless the configured quota is slower.
   */
  readonly learned?: Readonly<Record<string, Quota>>;
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
  /** The quota the server named for this key during this pacer's life. */
  learned: Quota | undefined;
  /** When the pace of the named quota was set. */
  learnedAtMs: number;
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

export function createPacer(spec: RateLimit | 'adaptive' | undefined, options: PacerOptions = {}): Pacer {
  const clock = options.clock ?? realClock;
  const learnedShare = options.learnedShare ?? 0.98;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 1000;
  const gates = new Map<string, Gate>();

  const learnedRule = (pace: Quota): SlidingWindowRule =>
    new SlidingWindowRule(pace.calls, pace.intervalMs, options.guardMs ?? defaultGuardMs(pace.intervalMs));

  /** The configured rule, or the pace of a quota learned by an earlier run when that is slower. */
  const startRule = (key: string): { rule: PaceRule | undefined } => {
    const rule = makeRule();
    const known = options.learned?.[key];
    if (!known || !(known.calls > 0 && known.intervalMs > 0)) return { rule };
    const pace = spreadQuota(known, learnedShare);
    if (rule && !(rule instanceof AdaptiveRule) && rule.callsPerMinute() <= perMinute(pace)) return { rule };
    return { rule: learnedRule(pace) };
  };

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
      const start = startRule(key);
      g = {
        rule: start.rule,
        learned: undefined,
        learnedAtMs: 0,
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
      if (info.exhausted) {
        // a longer period's quota is used up: wait for it, the pace itself was fine
        schedule(key, g);
        return;
      }
      let changed = false;
      if (info.quota !== undefined && info.quota.calls > 0 && info.quota.intervalMs > 0) {
        // The server named its quota: pace just under it, spread evenly (spread.ts).
        g.learned = { calls: info.quota.calls, intervalMs: info.quota.intervalMs };
        const pace = spreadQuota(info.quota, learnedShare);
        const current =
          g.rule instanceof SlidingWindowRule && g.rule.capacity === pace.calls && g.rule.intervalMs === pace.intervalMs
            ? g.rule
            : undefined;
        if (current) {
          // Refused although already paced at the named quota. Within one period of the quota
          // being learned, the server's window may still hold the calls made before: only wait.
          // After that, the server saw our calls closer together than we did: widen the margin.
          current.onSuccess(now);
          if (now - g.learnedAtMs >= info.quota.intervalMs)
            changed = current.widenGuard(Math.max(1, pace.intervalMs * 0.01));
        } else {
          g.learnedAtMs = now;
          g.rule = learnedRule(pace);
          // the server's window is full right now: let it drain for one interval before the new pace
          g.blockedUntil = Math.max(g.blockedUntil, now + pace.intervalMs);
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

    learnedQuota(key: string): Quota | undefined {
      return gates.get(key)?.learned;
    },

    rate(key: string): number {
      const g = gates.get(key);
      if (g) return g.rule ? g.rule.callsPerMinute() : Infinity;
      const known = options.learned?.[key];
      if (known) return gateFor(key).rule?.callsPerMinute() ?? Infinity;
      if (spec === undefined) return Infinity;
      return spec === 'adaptive'
        ? (options.adaptive?.initialPerSecond ?? 2) * 60
        : (spec.calls * 60_000) / spec.intervalMs;
    },
  };
}
