/**
 * The pace rule of one key (API): the configured pace (a window, adaptive, or none) and what the
 * server teaches it, as one pure state machine both pacers drive (see PaceRule in core/pacing.ts):
 * - a refusal pauses the key for the server's Retry-After (else `defaultRetryAfterMs`; adaptive
 *   pacing needs no pause, it slows down instead);
 * - a quota the server names ("N calls per interval") replaces a faster pace with a sliding window
 *   just under it, spread evenly (k calls per interval * k / N), after one of its intervals for the
 *   server's window to drain; refused although already paced at or under it, the guard widens;
 * - a refusal a window did not predict widens its guard; adaptive pacing estimates the quota;
 * - an unpaced key starts adaptive pacing below the rate that was refused.
 * The state records which configured pace it was built from: a process configured differently
 * that shares it (Redis) takes it over with its own pace, keeping the window's slots (no burst).
 */
import type { PaceEvent, PaceRule, RateLimit, RateLimitedInfo } from '../../core/pacing.js';
import { adaptive, type AdaptiveOptions, type AdaptiveState } from './adaptive.js';
import {
  carrySlots,
  defaultGuardMs,
  newWindow,
  windowAtMost,
  windowEnd,
  windowNextAt,
  windowPerMinute,
  windowRefused,
  windowStart,
  type WindowState,
} from './window.js';

/** What a key is paced by when nothing was learned yet: a quota, `adaptive`, or none (unpaced). */
export type PaceSpec = RateLimit | 'adaptive' | undefined;

export interface PaceRuleOptions {
  /**
   * Extra ms added to each window to absorb network jitter.
   * @default 0.25 % of intervalMs, within [1, 250]
   */
  readonly guardMs?: number;
  /**
   * Share of a quota the server named to pace at (whole calls are dropped: 500 -> 490, 2 -> 2).
   * @default 0.98
   */
  readonly learnedShare?: number;
  /**
   * How long a key pauses after a refusal without a Retry-After hint.
   * @default 1000
   */
  readonly defaultRetryAfterMs?: number;
  /**
   * Hold mode for sliding windows: a running call holds its slot until it ends, at most this long
   * (0 = off: a running call's slot counts `guardMs` after its start).
   * @default 0
   */
  readonly holdMs?: number;
  /**
   * Time of the pacer's clock at Unix time 0, so fixed windows align to Unix time.
   * @default 0
   */
  readonly epochMs?: number;
  readonly adaptive?: AdaptiveOptions;
  /**
   * A quota learned by an earlier run: a key starts at its pace (no pause) unless the configured
   * quota is slower.
   */
  readonly seed?: Quota;
}

type Quota = { readonly calls: number; readonly intervalMs: number };

type Pace =
  | { kind: 'window'; window: WindowState }
  | { kind: 'adaptive'; adaptive: AdaptiveState }
  /** Unpaced: starts in the current and previous second, to seed adaptive pacing after a refusal. */
  | { kind: 'none'; second: number; thisSecond: number; lastSecond: number };

export interface KeyState {
  /** The configured pace this state was built from. */
  spec: string;
  /** Latest time an event was applied at: time never runs backwards within a state. */
  at: number;
  /** No call starts before this (Retry-After, a learned quota's window draining). */
  pausedUntil: number;
  pace: Pace;
  /** The quota the server named, if it did. */
  learned: Quota | null;
}

const START: PaceEvent = { type: 'start' };

/** The sliding window that paces just under a quota the server named. */
export function learnedWindow(
  quota: { calls: number; intervalMs: number },
  share: number,
): { calls: number; intervalMs: number } {
  const paced = Math.max(1, quota.calls - Math.floor(quota.calls * (1 - share) + 1e-9));
  const k = Math.max(1, Math.floor(paced / 60));
  return { calls: k, intervalMs: Math.ceil((quota.intervalMs * k) / paced) };
}

export function paceRule(spec: PaceSpec, options: PaceRuleOptions = {}): PaceRule<KeyState> {
  const share = options.learnedShare ?? 0.98;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 1000;
  const timing = { holdMs: Math.max(0, options.holdMs ?? 0), epochMs: options.epochMs ?? 0 };
  const rules = adaptive(options.adaptive);
  const id = JSON.stringify(spec ?? 'none');
  const guardFor = (intervalMs: number): number => options.guardMs ?? defaultGuardMs(intervalMs);

  const learnedPace = (q: Quota): { kind: 'window'; window: WindowState } => {
    const learned = learnedWindow(q, share);
    return {
      kind: 'window',
      window: newWindow(learned.calls, learned.intervalMs, false, guardFor(learned.intervalMs)),
    };
  };

  const configured = (now: number): Pace => {
    const seed = options.seed && options.seed.calls > 0 && options.seed.intervalMs > 0 ? options.seed : undefined;
    if (spec === undefined) {
      return seed ? learnedPace(seed) : { kind: 'none', second: 0, thisSecond: 0, lastSecond: 0 };
    }
    if (spec === 'adaptive') return seed ? learnedPace(seed) : { kind: 'adaptive', adaptive: rules.initial(now) };
    const window = newWindow(spec.calls, spec.intervalMs, spec.window === 'fixed', guardFor(spec.intervalMs));
    if (!seed) return { kind: 'window', window };
    const learned = learnedPace(seed);
    return windowPerMinute(window) <= windowPerMinute(learned.window) ? { kind: 'window', window } : learned;
  };
  configured(0); // validate the spec now, at the edge, not at the first call

  /** A state built from another configured pace: take it over, keeping its slots. */
  const adopt = (s: KeyState, now: number): void => {
    if (s.spec === id) return;
    const pace = configured(now);
    if (pace.kind === 'window' && s.pace.kind === 'window') carrySlots(s.pace.window, pace.window);
    s.spec = id;
    s.pace = pace;
  };

  const refused = (s: KeyState, info: RateLimitedInfo, now: number): void => {
    const p = s.pace;
    const waitMs = info.retryAfterMs ?? (p.kind === 'adaptive' ? 0 : defaultRetryAfterMs);
    s.pausedUntil = Math.max(s.pausedUntil, now + Math.max(0, waitMs));
    // a longer period's quota is used up: wait for it, the pace itself was fine
    if (info.exhausted) return;
    const q = info.quota;
    if (q !== undefined && q.calls > 0 && q.intervalMs > 0) {
      s.learned = { calls: q.calls, intervalMs: q.intervalMs };
      const learned = learnedPace(q);
      if (p.kind === 'window' && windowAtMost(p.window, learned.window.calls, learned.window.intervalMs)) {
        windowRefused(p.window, now, timing);
        return;
      }
      if (p.kind === 'window') carrySlots(p.window, learned.window);
      s.pace = learned;
      // the server's window is full right now: let it drain for one interval before the new pace
      s.pausedUntil = Math.max(s.pausedUntil, now + learned.window.intervalMs);
      return;
    }
    if (p.kind === 'window') windowRefused(p.window, now, timing);
    else if (p.kind === 'adaptive') rules.refused(p.adaptive, now);
    else {
      // unpaced until now: start adaptive pacing below the rate that was refused
      const second = Math.floor(now / 1000);
      const current = second === p.second ? p.thisSecond : 0;
      const last = second === p.second ? p.lastSecond : second === p.second + 1 ? p.thisSecond : 0;
      const seen = Math.max(current, last, 1);
      s.pace = { kind: 'adaptive', adaptive: rules.initial(now, { perSecond: seen * 0.5, ceiling: seen }) };
    }
  };

  const started = (p: Pace, now: number): void => {
    if (p.kind === 'window') windowStart(p.window, now, timing);
    else if (p.kind === 'adaptive') rules.start(p.adaptive, now);
    else {
      const second = Math.floor(now / 1000);
      if (second !== p.second) {
        p.lastSecond = second === p.second + 1 ? p.thisSecond : 0;
        p.thisSecond = 0;
        p.second = second;
      }
      p.thisSecond++;
    }
  };

  return {
    initial(now) {
      return { spec: id, at: now, pausedUntil: now, pace: configured(now), learned: null };
    },

    nextAt(s, now) {
      const t = now > s.at ? now : s.at;
      const p = s.pace;
      const due =
        p.kind === 'window'
          ? windowNextAt(p.window, t, timing)
          : p.kind === 'adaptive'
            ? rules.nextAt(p.adaptive, t)
            : t;
      return due > s.pausedUntil ? due : s.pausedUntil;
    },

    step(s, event, now) {
      adopt(s, now);
      const t = now > s.at ? now : s.at;
      s.at = t;
      if (event.type === 'start') started(s.pace, t);
      else if (event.type === 'refused') refused(s, event.info, t);
      else if (s.pace.kind === 'window') windowEnd(s.pace.window, t, timing);
      else if (s.pace.kind === 'adaptive') rules.end(s.pace.adaptive, t);
      return s;
    },

    callsPerMinute(s) {
      const p = s.pace;
      if (p.kind === 'window') return windowPerMinute(p.window);
      return p.kind === 'adaptive' ? p.adaptive.rate * 60 : Infinity;
    },
  };
}

/** Grant starts to up to `waiting` callers, in order, while the rule allows one now. */
export function grantStarts<S>(
  rule: PaceRule<S>,
  state: S,
  waiting: number,
  now: number,
): { state: S; granted: number } {
  let granted = 0;
  while (granted < waiting && rule.nextAt(state, now) <= now) {
    state = rule.step(state, START, now);
    granted++;
  }
  return { state, granted };
}
