/**
 * Deterministic simulation of a server with a capacity knee, driven by a concurrency Limit on a
 * virtual clock. Up to `capacity` concurrent requests take `baseMs`; past the knee every request
 * takes baseMs * (n / capacity)^exponent, so throughput falls as concurrency rises further.
 */
import type { Limit } from '../../src/core/pacing.js';

export interface KneeServer {
  readonly capacity: number;
  readonly baseMs: number;
  /** @default 1.5 */
  readonly exponent?: number;
  /** Relative latency noise amplitude (deterministic, seeded). @default 0.05 */
  readonly noise?: number;
}

export function kneeLatencyMs(inflight: number, server: KneeServer): number {
  const over = inflight / server.capacity;
  return server.baseMs * (over <= 1 ? 1 : over ** (server.exponent ?? 1.5));
}

export interface SimResult {
  /** Completions per second after the warm-up. */
  readonly throughput: number;
  readonly completed: number;
  /** Mean limit over completions after the warm-up. */
  readonly meanLimit: number;
}

export function simulateKnee(
  limit: Limit,
  server: KneeServer,
  durationMs = 60_000,
  warmupMs = 10_000,
  seed = 42,
): SimResult {
  let rand = seed >>> 0;
  const random = (): number => {
    rand = (Math.imul(rand, 1664525) + 1013904223) >>> 0;
    return rand / 2 ** 32;
  };
  const noise = server.noise ?? 0.05;
  const ends: number[] = [];
  const starts: number[] = [];
  let now = 0;
  let completed = 0;
  let limitSum = 0;
  const fill = (): void => {
    while (ends.length < limit.current) {
      const n = ends.length + 1;
      const latency = kneeLatencyMs(n, server) * (1 + noise * (2 * random() - 1));
      ends.push(now + latency);
      starts.push(now);
    }
  };
  fill();
  while (now < durationMs) {
    let i = 0;
    for (let j = 1; j < ends.length; j++) if (ends[j] < ends[i]) i = j;
    now = ends[i];
    const rttMs = now - starts[i];
    const inflight = ends.length;
    ends[i] = ends[ends.length - 1];
    starts[i] = starts[starts.length - 1];
    ends.pop();
    starts.pop();
    limit.onSample({ nowMs: now, rttMs, inflight, dropped: false });
    if (now >= warmupMs) {
      completed++;
      limitSum += limit.current;
    }
    fill();
  }
  const seconds = (durationMs - warmupMs) / 1000;
  return { throughput: completed / seconds, completed, meanLimit: completed ? limitSum / completed : 0 };
}
