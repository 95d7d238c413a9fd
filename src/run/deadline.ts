/**
 * Signals and deadlines for the calls of one run, without a controller or timer per call.
 * Calls that start within the same tick (timeoutMs / 20, at least 5 ms) share one AbortController
 * and one deadline: tick start + timeoutMs. A single checking timer (armed only while calls are in
 * flight) aborts a group whose deadline passed; its other calls started within the same tick, so
 * they would time out within a tick anyway. Timeouts are therefore accurate to about 5 %. The
 * timer stops at the first tick that finds no call in flight, or on dispose().
 * Aborting the run aborts every group at once. Only the registry aborts a group, so it keeps the
 * group's state in a plain field rather than reading `signal.aborted` per call (every AbortSignal
 * has a hidden class of its own on Node 20).
 */
import { setMaxListeners } from 'node:events';
import type { Clock, TimerHandle } from './clock.js';

export interface ActiveCall {
  /** The call's signal: aborted on timeout or when the run is aborted. */
  readonly signal: AbortSignal;
  /** True once this call's deadline passed and its signal was aborted for it. */
  readonly timedOut: boolean;
}

interface Group extends ActiveCall {
  readonly controller: AbortController;
  readonly openUntil: number;
  readonly deadline: number;
  active: number;
  timedOut: boolean;
  aborted: boolean;
}

export class CallRegistry {
  private readonly groups = new Set<Group>();
  private current: Group | undefined;
  private total = 0;
  private timer: TimerHandle | undefined;
  private readonly tickMs: number;
  private settledWaiters: Array<() => void> = [];
  private runAborted = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly runSignal: AbortSignal,
  ) {
    this.tickMs = Math.min(1000, Math.max(5, Math.floor(timeoutMs / 20)));
    runSignal.addEventListener(
      'abort',
      () => {
        this.runAborted = true;
        for (const g of this.groups) abortGroup(g, runSignal.reason);
      },
      { once: true },
    );
  }

  /** Calls in flight. */
  get size(): number {
    return this.total;
  }

  /** A call starts at `now` (clock ms). */
  open(now: number): ActiveCall {
    let g = this.current;
    if (!g || g.aborted || now >= g.openUntil) {
      const controller = new AbortController();
      const signal = controller.signal;
      setMaxListeners(0, signal);
      g =
        this.timeoutMs > 0
          ? {
              controller,
              signal,
              openUntil: now + this.tickMs,
              deadline: now + this.timeoutMs,
              active: 0,
              timedOut: false,
              aborted: false,
            }
          : { controller, signal, openUntil: Infinity, deadline: Infinity, active: 0, timedOut: false, aborted: false };
      if (this.runAborted) abortGroup(g, this.runSignal.reason);
      this.current = g;
    }
    if (g.active++ === 0) this.groups.add(g);
    this.total++;
    if (this.timer === undefined && this.timeoutMs > 0) this.arm();
    return g;
  }

  close(call: ActiveCall): void {
    const g = call as Group;
    if (--g.active === 0) this.groups.delete(g);
    // the checking timer stays armed until a tick finds nothing in flight (no timer churn per call)
    if (--this.total > 0 || this.settledWaiters.length === 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once no call is in flight. */
  settled(): Promise<void> {
    if (this.total === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Stop the checking timer (the run is over). */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = this.clock.setTimer(() => this.check(), this.tickMs);
  }

  private check(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (const g of this.groups) {
      if (!g.timedOut && now >= g.deadline) {
        g.timedOut = true;
        abortGroup(g, new Error(`call timed out after ${this.timeoutMs} ms`));
      }
    }
    if (this.total > 0) this.arm();
  }
}

function abortGroup(g: Group, reason: unknown): void {
  g.aborted = true;
  g.controller.abort(reason);
}
