/**
 * The emulator's latency model: a base latency, plus a penalty for each request in flight beyond a
 * capacity knee. Deterministic (no jitter) so that benchmarks are repeatable.
 */
import { usageError } from '../core/errors.js';

export interface LatencyOptions {
  /** Base latency of every answer. @default 1 */
  readonly latencyMs?: number;
  /** Requests in flight the server handles without slowing down. @default 16 */
  readonly knee?: number;
  /** Extra latency per request in flight beyond the knee. @default 5 */
  readonly perExcessMs?: number;
}

export const LATENCY_DEFAULTS = { latencyMs: 1, knee: 16, perExcessMs: 5 } as const;

/** Latency of a request that arrives while `inflight` requests (itself included) are open. */
export function latencyFor(inflight: number, opts: LatencyOptions = {}): number {
  const base = opts.latencyMs ?? LATENCY_DEFAULTS.latencyMs;
  const knee = opts.knee ?? LATENCY_DEFAULTS.knee;
  const per = opts.perExcessMs ?? LATENCY_DEFAULTS.perExcessMs;
  return base + Math.max(0, inflight - knee) * per;
}

export function validateLatency(opts: LatencyOptions): void {
  for (const [name, v, min] of [
    ['latencyMs', opts.latencyMs, 0],
    ['knee', opts.knee, 1],
    ['perExcessMs', opts.perExcessMs, 0],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < min))
      throw usageError(`${name}: expected a number >= ${min}, got ${v}`);
  }
}
