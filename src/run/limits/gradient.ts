/**
 * Latency-gradient concurrency rule (Gradient2-like).
 *
 * Two smoothed round-trip times are kept: a short-term one (recent samples) and a long-term
 * baseline. gradient = clamp(tolerance * long / short, 0.5, 1), where the tolerance widens with the
 * measured latency noise (tolerance + noiseFactor * mean relative deviation), so jitter alone is
 * not read as queueing.
 * - gradient < 1 (recent latency rose above tolerance x baseline): the server is queueing; the
 *   limit shrinks in proportion, `limit *= 1 - smoothing * (1 - gradient)`.
 * - gradient = 1 and the caller actually uses the limit (inflight >= limit / 2): grow additively,
 *   `limit += growth / limit` per sample, i.e. about `growth` per round of `limit` completions.
 * - dropped samples (timeouts, rate limits, 5xx) cut the limit by `dropRatio`.
 * The baseline follows the short-term RTT quickly when latency falls. It rises only when the extra
 * latency cannot be our own queueing: the limit sits at its minimum, or the caller does not use the
 * limit. A plain EMA baseline would creep up with our own queueing delay and ratchet the limit past
 * the knee (the known Gradient2 drift); this one cannot.
 */
import { usageError } from '../../core/errors.js';
import type { Limit, LimitSample } from '../../core/pacing.js';

/**
 * Options of `gradientLimit`.
 * @example
 * ```ts
 * gradientLimit({ initial: 4, min: 1, max: 32 });
 * ```
 */
export interface GradientLimitOptions {
  /** @default 4 */
  readonly initial?: number;
  /** @default 1 */
  readonly min?: number;
  /** @default 200 */
  readonly max?: number;
  /**
   * Short-term RTT may exceed the baseline by this factor (plus the noise allowance) before the
   * limit shrinks.
   * @default 1.1
   */
  readonly tolerance?: number;
  /**
   * Share of the gradient applied per sample when shrinking.
   * @default 0.2
   */
  readonly smoothing?: number;
  /**
   * Limit added per round of `limit` completions while latency holds.
   * @default 1
   */
  readonly growth?: number;
  /** @default 0.9 */
  readonly dropRatio?: number;
  /**
   * Samples the short-term RTT averages over.
   * @default 5
   */
  readonly shortWindow?: number;
  /**
   * Samples the long-term baseline averages over.
   * @default 200
   */
  readonly longWindow?: number;
  /**
   * How much faster the baseline follows falling latency than rising latency.
   * @default 10
   */
  readonly downSpeed?: number;
  /**
   * Tolerance added per unit of relative latency noise (mean |sample - short-term| / baseline).
   * @default 2
   */
  readonly noiseFactor?: number;
}

export interface GradientState {
  readonly limit: number;
  readonly shortRttMs: number;
  readonly longRttMs: number;
  /** Smoothed relative deviation of single samples from the short-term RTT (latency noise). */
  readonly noise: number;
}

type Resolved = Required<GradientLimitOptions>;

/** Pure step of the rule. */
export function gradientStep(state: GradientState, s: LimitSample, o: Resolved): GradientState {
  if (s.dropped) return { ...state, limit: clamp(state.limit * o.dropRatio, o) };
  if (!(s.rttMs >= 0) || !Number.isFinite(s.rttMs)) return state;
  const rtt = Math.max(s.rttMs, 1e-3);
  if (Number.isNaN(state.shortRttMs)) return { limit: state.limit, shortRttMs: rtt, longRttMs: rtt, noise: 0 };
  const slow = 2 / (o.longWindow + 1);
  const noise =
    state.noise + (Math.abs(rtt - state.shortRttMs) / state.longRttMs - state.noise) * Math.min(1, slow * 4);
  const shortRttMs = state.shortRttMs + (rtt - state.shortRttMs) * (2 / (o.shortWindow + 1));
  // noisy latency widens the tolerance, so noise alone is not read as queueing
  const tolerance = o.tolerance + o.noiseFactor * noise;
  const gradient = Math.max(0.5, Math.min(1, (tolerance * state.longRttMs) / shortRttMs));
  // the baseline falls quickly; it rises only when the latency cannot be ours: the limit is at its
  // minimum or the caller does not use it (inflight < limit / 2)
  const ours = state.limit > o.min && s.inflight >= state.limit / 2;
  const alpha = shortRttMs < state.longRttMs ? Math.min(1, slow * o.downSpeed) : ours ? 0 : slow;
  const longRttMs = state.longRttMs + (shortRttMs - state.longRttMs) * alpha;
  let limit = state.limit;
  if (gradient < 1) limit = limit * (1 - o.smoothing * (1 - gradient));
  else if (s.inflight >= limit / 2) limit = limit + o.growth / limit;
  return { limit: clamp(limit, o), shortRttMs, longRttMs, noise };
}

function clamp(limit: number, o: Resolved): number {
  return Math.min(o.max, Math.max(o.min, limit));
}

/**
 * A latency-gradient concurrency limit: it grows while short-term latency stays near its long-term
 * baseline and shrinks when latency rises above it (a server past its capacity knee).
 * @example
 * ```ts
 * import { execute, gradientLimit } from 'sluice';
 * // grows while latency holds, shrinks when it rises above its long-term baseline
 * execute(batches, { source, concurrency: gradientLimit({ max: 32 }) });
 * ```
 */
export function gradientLimit(options: GradientLimitOptions = {}): Limit & { readonly state: GradientState } {
  const o: Resolved = {
    initial: options.initial ?? 4,
    min: options.min ?? 1,
    max: options.max ?? 200,
    tolerance: options.tolerance ?? 1.1,
    smoothing: options.smoothing ?? 0.2,
    growth: options.growth ?? 1,
    dropRatio: options.dropRatio ?? 0.9,
    shortWindow: options.shortWindow ?? 5,
    longWindow: options.longWindow ?? 200,
    downSpeed: options.downSpeed ?? 10,
    noiseFactor: options.noiseFactor ?? 2,
  };
  if (o.min < 1 || o.max < o.min) throw usageError(`Expected 1 <= min <= max, got min ${o.min}, max ${o.max}`);
  if (!(o.tolerance >= 1)) throw usageError(`Expected tolerance >= 1, got ${o.tolerance}`);
  let state: GradientState = { limit: clamp(o.initial, o), shortRttMs: NaN, longRttMs: NaN, noise: 0 };
  return {
    get current() {
      return Math.max(1, Math.floor(state.limit));
    },
    get state() {
      return state;
    },
    onSample(sample: LimitSample): number {
      state = gradientStep(state, sample, o);
      return Math.max(1, Math.floor(state.limit));
    },
  };
}
