/**
 * Seeded fault injection. A spec such as `5xx:0.02,reset:0.01,hang:0.01,malformed:0.01,internal:0.01`
 * gives each kind's probability per admitted request; `all:P` spreads P evenly over the first five
 * kinds (so `all:0.05` makes 5 % of requests fail, 1 % of each kind). `transient` answers a
 * transient wording under a code other than -1000 (retried); `badquery` the generic 50101 (the
 * batch fails). The draw uses a PRNG seeded from the
 * emulator's seed, so a given seed and arrival order always give the same faults.
 */
import { usageError } from '../core/errors.js';
import { Prng } from './hash.js';

export const FAULT_KINDS = ['5xx', 'reset', 'hang', 'malformed', 'internal', 'transient', 'badquery'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The kinds `all:P` spreads over: the first five, all of which a retry gets past. */
export const ALL_KINDS: readonly FaultKind[] = ['5xx', 'reset', 'hang', 'malformed', 'internal'];
export type FaultRates = Partial<Record<FaultKind, number>>;

/** Parse a fault spec; throws SLUICE_USAGE with one line naming the bad part. '' or 'none' = no faults. */
export function parseFaults(spec: string): FaultRates {
  const rates: FaultRates = {};
  const text = spec.trim();
  if (text === '' || text === 'none') return rates;
  for (const part of text.split(',')) {
    const m = /^\s*([a-z0-9]+)\s*:\s*([0-9]*\.?[0-9]+)\s*$/i.exec(part);
    if (!m) throw usageError(`faults: expected KIND:PROBABILITY (e.g. 5xx:0.02), got ${JSON.stringify(part)}`);
    const kind = m[1].toLowerCase();
    const p = Number(m[2]);
    if (!(p >= 0 && p <= 1)) throw usageError(`faults: probability for ${kind} must be within 0..1, got ${m[2]}`);
    if (kind === 'all') {
      for (const k of ALL_KINDS) rates[k] = (rates[k] ?? 0) + p / ALL_KINDS.length;
    } else if ((FAULT_KINDS as readonly string[]).includes(kind)) {
      rates[kind as FaultKind] = (rates[kind as FaultKind] ?? 0) + p;
    } else {
      throw usageError(`faults: unknown kind ${JSON.stringify(kind)} (expected ${FAULT_KINDS.join(', ')} or all)`);
    }
  }
  const total = Object.values(rates).reduce((a, b) => a + b, 0);
  if (total > 1 + 1e-9) throw usageError(`faults: probabilities add up to ${total.toFixed(3)}, more than 1`);
  return rates;
}

/** Draws one fault (or none) per request. */
export class FaultPlan {
  private readonly rng: Prng;
  private readonly cumulative: [FaultKind, number][] = [];

  constructor(rates: FaultRates, seed: number) {
    this.rng = new Prng(seed ^ 0x0fa17ed);
    let acc = 0;
    for (const k of FAULT_KINDS) {
      const p = rates[k] ?? 0;
      if (p > 0) {
        acc += p;
        this.cumulative.push([k, acc]);
      }
    }
  }

  get enabled(): boolean {
    return this.cumulative.length > 0;
  }

  /** The fault for the next request, or undefined. */
  draw(): FaultKind | undefined {
    if (this.cumulative.length === 0) return undefined;
    const r = this.rng.next();
    for (const [k, upTo] of this.cumulative) if (r < upTo) return k;
    return undefined;
  }
}
