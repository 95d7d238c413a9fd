/** The most call starts found in any closed interval of `intervalMs` (brute force, for tests). */
export function maxInWindow(times: readonly number[], intervalMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi += 1) {
    while (sorted[hi] - sorted[lo] > intervalMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
