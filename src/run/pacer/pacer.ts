/**
 * createPacer: the in-process home of pace rules. One rule state per key (API name), kept in
 * memory; the rule (rule.ts) decides everything, this file only queues callers and keeps timers.
 * Fast path: when a slot is free now and nobody waits, acquire resolves without a timer. Waiters
 * queue in FIFO order and one timer per key wakes the queue when the next slot is due.
 */
import type { Pacer, PaceRule, RateLimitedInfo } from '../../core/pacing.js';
import type { ExecutorEvents } from '../../core/events.js';
import { abortReason, realClock, type Clock, type TimerHandle } from '../clock.js';
import { paceRule, type KeyState, type PaceRuleOptions, type PaceSpec } from './rule.js';

/**
 * Options of `createPacer`.
 * @example
 * ```ts
 * const pacer = createPacer({ calls: 500, intervalMs: 60_000 }, { guardMs: 50, learnedShare: 0.95 });
 * ```
 */
export interface PacerOptions extends PaceRuleOptions {
  /** @default performance.now() and ordinary timers (fixed windows then align to Unix time) */
  readonly clock?: Clock;
  /** Emits `pace:rate` when a key's pace changes. */
  readonly events?: ExecutorEvents;
  /**
   * Quotas per key learned by earlier runs (stored in the sink's database): a key starts at that
   * pace (its `learnedShare`, spread evenly) unless the configured quota is slower.
   */
  readonly learned?: Readonly<Record<string, { calls: number; intervalMs: number }>>;
}

/** One pace for every key, or a pace per key (API name): a pacer may be shared by several jobs. */
export type PaceSpecs = PaceSpec | ((key: string) => PaceSpec);

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  done: boolean;
}

interface Gate {
  readonly rule: PaceRule<KeyState>;
  state: KeyState;
  waiters: Waiter[];
  head: number;
  timer: TimerHandle | undefined;
  timerAt: number;
  /** Pace last reported through `pace:rate`. */
  reported: number;
}

const RESOLVED = Promise.resolve();
const START = { type: 'start' } as const;
const END = { type: 'end' } as const;

/** The rule options a home derives from its clock: fixed windows align to Unix time on the real clock. */
export function ruleOptions(options: PacerOptions): PaceRuleOptions {
  const real = (options.clock ?? realClock) === realClock;
  return { ...options, epochMs: options.epochMs ?? (real ? -performance.timeOrigin : 0) };
}

/** A rule per key, seeded with what earlier runs learned; a single spec is validated at once, at the edge. */
export function rulesFor(
  specs: PaceSpecs,
  options: PaceRuleOptions & Pick<PacerOptions, 'learned'>,
): (key: string) => PaceRule<KeyState> {
  const specOf = typeof specs === 'function' ? specs : () => specs;
  const seeds = options.learned ?? {};
  const plain = typeof specs === 'function' ? undefined : paceRule(specs, options);
  return (key) => {
    const seed = Object.hasOwn(seeds, key) ? seeds[key] : undefined;
    return plain && !seed ? plain : paceRule(specOf(key), { ...options, seed });
  };
}

/**
 * A pacer for a quota (`{ calls, intervalMs }`), for `'adaptive'` (discovers an unknown quota), or
 * unpaced (`undefined`: calls start at once, but the first rate-limit answer slows every call to
 * that key and a quota the server names is learned); or a function giving each key its own.
 * @example
 * ```ts
 * import { createPacer, execute } from 'sluice';
 * // one pacer shared by two runs against the same API key: together they keep the quota
 * const pacer = createPacer({ calls: 500, intervalMs: 60_000 });
 * await Promise.all([drain(execute(a, { source, pacer })), drain(execute(b, { source, pacer }))]);
 * ```
 */
export function createPacer(specs: PaceSpecs, options: PacerOptions = {}): Pacer {
  const clock = options.clock ?? realClock;
  const ruleOf = rulesFor(specs, ruleOptions(options));
  const gates = new Map<string, Gate>();

  const gateFor = (key: string): Gate => {
    let g = gates.get(key);
    if (!g) {
      const rule = ruleOf(key);
      g = { rule, state: rule.initial(clock.now()), waiters: [], head: 0, timer: undefined, timerAt: 0, reported: NaN };
      gates.set(key, g);
    }
    return g;
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
      if (g.rule.nextAt(g.state, now) > now) break;
      g.head++;
      w.done = true;
      w.signal?.removeEventListener('abort', w.onAbort as () => void);
      g.state = g.rule.step(g.state, START, now);
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
    const at = g.rule.nextAt(g.state, now);
    if (g.timer !== undefined) {
      if (g.timerAt <= at) return;
      clock.clearTimer(g.timer);
    }
    g.timerAt = at;
    g.timer = clock.setTimer(() => drain(key, g), Math.max(0, Math.ceil(at - now)));
  };

  const emitRate = (key: string, g: Gate, callsPerMinute: number): void => {
    g.reported = callsPerMinute;
    options.events?.emit('pace:rate', { api: key, tMs: Date.now(), callsPerMinute });
  };

  /** A free slot now and nobody queued before us: take it. */
  const takeFree = (g: Gate): boolean => {
    if (g.head < g.waiters.length) return false;
    const now = clock.now();
    if (g.rule.nextAt(g.state, now) > now) return false;
    g.state = g.rule.step(g.state, START, now);
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
      const before = g.rule.callsPerMinute(g.state);
      g.state = g.rule.step(g.state, { type: 'refused', info }, clock.now());
      const after = g.rule.callsPerMinute(g.state);
      if (after !== before && options.events?.has('pace:rate')) emitRate(key, g, after);
      schedule(key, g);
    },

    onSuccess(key: string): void {
      const g = gates.get(key);
      if (!g) return;
      g.state = g.rule.step(g.state, END, clock.now());
      // adaptive pace drifts with every call: report it when it moved by 5 % or more
      const cpm = g.rule.callsPerMinute(g.state);
      if (cpm !== Infinity && options.events?.has('pace:rate') && !(Math.abs(cpm - g.reported) < 0.05 * g.reported)) {
        emitRate(key, g, cpm);
      }
      // an ended call may free its slot early (hold mode)
      schedule(key, g);
    },

    rate(key: string): number {
      const g = gates.get(key);
      if (g) return g.rule.callsPerMinute(g.state);
      const rule = ruleOf(key);
      return rule.callsPerMinute(rule.initial(clock.now()));
    },

    learnedQuota(key: string) {
      return gates.get(key)?.state.learned ?? undefined;
    },
  };
}
