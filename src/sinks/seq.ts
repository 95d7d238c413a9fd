/**
 * Plan order in the journal. `sluice_batches.seq` orders a run's batches; a split must put its
 * children right after their parent. Renumbering every later batch at each split costs a write per
 * batch (300 ms per split at 180,000 batches in SQLite), so batches are created SEQ_GAP apart and a
 * split's children take values between their parent and the next batch. Only when a spot has been
 * split so often that no room is left (or in runs journaled before the gaps) are the later batches
 * shifted, once, by enough to open a new gap there.
 */

/** Distance between the seq values of consecutive planned batches. */
export const SEQ_GAP = 2 ** 20;

/** The seq of the i-th planned batch. */
export function plannedSeq(i: number): number {
  return i * SEQ_GAP;
}

/**
 * Seq values for `count` children placed after `parent` and before `next` (the following batch's
 * seq, undefined when the parent is last), evenly spread; undefined when they do not fit.
 */
export function childSeqs(parent: number, next: number | undefined, count: number): number[] | undefined {
  const upper = next ?? parent + SEQ_GAP;
  const step = Math.floor((upper - parent) / (count + 1));
  if (step < 1) return undefined;
  return Array.from({ length: count }, (_, i) => parent + step * (i + 1));
}

/** How far to shift the batches after a full spot so that `count` children fit with room to spare. */
export function shiftFor(count: number): number {
  return (count + 1) * SEQ_GAP;
}
