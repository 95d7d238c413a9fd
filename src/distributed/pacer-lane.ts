/** What a Redis pacer keeps per key: its view of the shared state, and what waits to be written. */
import type { PaceEvent, PaceRule } from '../core/pacing.js';
import type { TimerHandle } from '../run/clock.js';
import type { KeyState } from '../run/pacer/rule.js';

export interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  done: boolean;
}

export interface Lane {
  readonly key: string;
  readonly rule: PaceRule<KeyState>;
  readonly redisKey: string;
  readonly channel: string;
  /** The latest state seen in Redis, and its version ('' and null: none yet). */
  version: string;
  json: string | null;
  /** Set when a read brought a newer state. */
  fresh: boolean;
  /** Events not yet written, with the shared clock time they happened at. */
  events: Array<{ event: PaceEvent; at: number }>;
  /** Callers waiting for a slot, first come first served. */
  waiters: Waiter[];
  running: Promise<void> | undefined;
  /** Work arrived while the lane was being pumped. */
  again: boolean;
  timer: TimerHandle | undefined;
  subscribed: boolean;
  /** Pace last seen, calls per minute (NaN: none yet). */
  rate: number;
}

export function openLane(key: string, rule: PaceRule<KeyState>, redisKey: string, channel: string): Lane {
  return {
    key,
    rule,
    redisKey,
    channel,
    version: '',
    json: null,
    fresh: false,
    events: [],
    waiters: [],
    running: undefined,
    again: false,
    timer: undefined,
    subscribed: false,
    rate: NaN,
  };
}
