/**
 * Small, fast integer hashes and a seeded PRNG. All emulator data is a pure function of
 * (seed, indices) through these, so any row can be computed on demand without storing it.
 */

/** Avalanche a 32-bit integer (a murmur3-style finaliser). */
export function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of a seed and up to three integers, as an unsigned 32-bit integer. */
export function hash(seed: number, a: number, b = 0, c = 0): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ a);
  h = mix32((h + 0x85ebca6b) ^ b);
  return mix32((h + 0xc2b2ae35) ^ c);
}

/** Hash mapped to [0, 1). */
export function unit(seed: number, a: number, b = 0, c = 0): number {
  return hash(seed, a, b, c) / 4294967296;
}

/** A seeded PRNG (mulberry32): `next()` is uniform in [0, 1). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(seed) | 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Round to `digits` decimals (half away from zero), never returning -0. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(Math.abs(x) * f) / f;
  return x < 0 && r !== 0 ? -r : r;
}
