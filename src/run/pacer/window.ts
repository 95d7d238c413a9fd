/**
 * Window rule: at most `calls` call starts in any interval of `intervalMs`.
 *
 * Sliding: in ANY interval (safe against both sliding and fixed-window servers). Every call holds a
 * slot. The server counts arrivals, which our clock cannot see, only bound: a call arrived before
 * we saw it end. So when a call ends its slot moves from its start to its end (calls are taken to
 * end in start order), and the window then holds even if the server saw two calls closer together
 * than we started them (jitter, a slow first connection). A slot whose call is still running
 * counts `guardMs` after its start, or, in hold mode (`holdMs` > 0), as running until it ends (at
 * most `holdMs` after its start): exact whatever delays a request between its slot and the server,
 * at the price of the calls' latency. The guard widens by 1 % of the interval after each refusal
 * the window did not predict (at most to 10 %).
 *
 * Fixed: per aligned window [k * intervalMs, (k + 1) * intervalMs) of the shared clock (Unix time),
 * the first start of a window `guardMs` after its beginning.
 *
 * Slot times are kept in whole ticks, rounded up, so a slot is never earlier than its call: 1/1024 ms
 * for windows of up to a thousand calls, a thousandth of the interval for larger ones (the pace then
 * loses at most 0.1 %), so the state stays small (about a thousand entries at most) however large
 * `calls` is, and a shared home can ship it cheaply.
 */
import { usageError } from '../../core/errors.js';

export interface WindowState {
  readonly calls: number;
  readonly intervalMs: number;
  readonly fixed: boolean;
  /** Jitter guard, ms. */
  guardMs: number;
  /** Tick width, ms. */
  readonly tickMs: number;
  /** Ticks below are relative to this one. */
  base: number;
  /** Slots of calls that ended: flat [tick, count] pairs, ticks ascending. */
  ended: number[];
  /** Slots of calls still running: flat [tick, count] pairs, oldest start first. */
  open: number[];
  /** Fixed window: index of the current window and starts in it. */
  index: number;
  used: number;
}

export interface WindowTiming {
  /** Hold mode: a running call holds its slot until it ends, at most this long (0 = off). */
  readonly holdMs: number;
  /** Shared clock time (ms) of Unix time 0: fixed windows align to Unix time. */
  readonly epochMs: number;
}

export function newWindow(calls: number, intervalMs: number, fixed: boolean, guardMs: number): WindowState {
  assertQuota(calls, intervalMs);
  if (!Number.isFinite(guardMs) || guardMs < 0) throw usageError(`Expected guardMs to be >= 0, got ${guardMs}`);
  // a window of at most a thousand calls keeps a thousand slots anyway: ticks of 1/1024 ms (exact
  // in binary floating point); larger ones keep a thousand ticks per interval
  const tickMs = calls <= 1000 ? 1 / 1024 : Math.ceil(intervalMs / 1000);
  return { calls, intervalMs, fixed, guardMs, tickMs, base: 0, ended: [], open: [], index: -1, used: 0 };
}

/** How long after its start a running call's slot counts. */
function openExtra(w: WindowState, t: WindowTiming): number {
  return t.holdMs > 0 ? t.holdMs : w.guardMs;
}

export function windowNextAt(w: WindowState, now: number, t: WindowTiming): number {
  if (w.fixed) {
    const index = Math.floor((now - t.epochMs) / w.intervalMs);
    if (index !== w.index || w.used < w.calls) return now;
    return (index + 1) * w.intervalMs + t.epochMs + w.guardMs;
  }
  // the calls-th latest slot, merging both lists from their latest entries
  const extra = openExtra(w, t);
  let need = w.calls;
  let i = w.ended.length - 2;
  let j = w.open.length - 2;
  while (i >= 0 || j >= 0) {
    const te = i >= 0 ? (w.base + w.ended[i]) * w.tickMs : -Infinity;
    const to = j >= 0 ? (w.base + w.open[j]) * w.tickMs + extra : -Infinity;
    let at: number;
    if (te >= to) {
      at = te;
      need -= w.ended[i + 1];
      i -= 2;
    } else {
      at = to;
      need -= w.open[j + 1];
      j -= 2;
    }
    if (need <= 0) {
      const due = at + w.intervalMs;
      return due > now ? due : now;
    }
  }
  return now;
}

/** A call starts at `now` (times never run backwards within one state). */
export function windowStart(w: WindowState, now: number, t: WindowTiming): void {
  if (w.fixed) {
    const index = Math.floor((now - t.epochMs) / w.intervalMs);
    if (index !== w.index) {
      w.index = index;
      w.used = 0;
    }
    w.used++;
    return;
  }
  prune(w, now, t);
  const abs = Math.ceil(now / w.tickMs);
  if (w.ended.length === 0 && w.open.length === 0) w.base = abs;
  const tick = abs - w.base;
  const n = w.open.length;
  if (n > 0 && w.open[n - 2] === tick) w.open[n - 1]++;
  else w.open.push(tick, 1);
}

/** The oldest running call ended at `now`: its slot moves there. */
export function windowEnd(w: WindowState, now: number, t: WindowTiming): void {
  if (w.fixed || w.open.length === 0) return;
  const started = w.open[0];
  if (--w.open[1] === 0) w.open.splice(0, 2);
  const tick = Math.max(started, Math.ceil(now / w.tickMs) - w.base);
  let k = w.ended.length;
  while (k > 0 && w.ended[k - 2] > tick) k -= 2;
  if (k > 0 && w.ended[k - 2] === tick) w.ended[k - 1]++;
  else w.ended.splice(k, 0, tick, 1);
  prune(w, now, t);
}

/**
 * A refusal the window did not predict (the server saw our calls closer together than we did):
 * the refused call has ended, and the guard widens. Returns true when the pace changed.
 */
export function windowRefused(w: WindowState, now: number, t: WindowTiming): boolean {
  windowEnd(w, now, t);
  const next = Math.min(w.intervalMs * 0.1, w.guardMs + Math.max(1, w.intervalMs * 0.01));
  if (next <= w.guardMs) return false;
  w.guardMs = next;
  return true;
}

export function windowPerMinute(w: WindowState): number {
  return (w.calls * 60_000) / (w.intervalMs + (w.fixed ? 0 : w.guardMs));
}

/** True when `w` paces at `calls` per `intervalMs` or slower. */
export function windowAtMost(w: WindowState, calls: number, intervalMs: number): boolean {
  return w.calls * intervalMs <= calls * w.intervalMs;
}

/** Carry the slots of `from` into `to` (both sliding), so a change of quota never allows a burst. */
export function carrySlots(from: WindowState, to: WindowState): void {
  if (from.fixed || to.fixed) return;
  const move = (pairs: number[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const tick = Math.ceil(((from.base + pairs[i]) * from.tickMs) / to.tickMs) - to.base;
      const n = out.length;
      if (n > 0 && out[n - 2] === tick) out[n - 1] += pairs[i + 1];
      else out.push(tick, pairs[i + 1]);
    }
    return out;
  };
  to.base = Math.floor((from.base * from.tickMs) / to.tickMs);
  to.ended = move(from.ended);
  to.open = move(from.open);
}

/** Forget slots that can no longer hold a start back, and keep ticks small. */
function prune(w: WindowState, now: number, t: WindowTiming): void {
  const limit = now - w.intervalMs;
  let e = 0;
  while (e < w.ended.length && (w.base + w.ended[e]) * w.tickMs <= limit) e += 2;
  if (e > 0) w.ended.splice(0, e);
  const extra = openExtra(w, t);
  let o = 0;
  while (o < w.open.length && (w.base + w.open[o]) * w.tickMs + extra <= limit) o += 2;
  if (o > 0) w.open.splice(0, o);
  const first = Math.min(w.ended.length > 0 ? w.ended[0] : Infinity, w.open.length > 0 ? w.open[0] : Infinity);
  if (first !== Infinity && first !== 0) {
    for (let i = 0; i < w.ended.length; i += 2) w.ended[i] -= first;
    for (let i = 0; i < w.open.length; i += 2) w.open[i] -= first;
    w.base += first;
  }
}

function assertQuota(calls: number, intervalMs: number): void {
  if (!Number.isInteger(calls) || calls < 1) throw usageError(`Expected calls to be an integer >= 1, got ${calls}`);
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw usageError(`Expected intervalMs to be a finite number > 0, got ${intervalMs}`);
  }
}

/** Default jitter guard: 0.25 % of the interval, at least 1 ms, at most 250 ms. */
export function defaultGuardMs(intervalMs: number): number {
  return Math.min(250, Math.max(1, intervalMs * 0.0025));
}
