/**
 * The `rows` strategy: the fewest windows whose estimated rows each fit a row budget.
 *
 * Budget: with a page size `rowCap` and no offset limit, a window should fit one call, so the
 * budget is `rowCap`. With `maxOffset` (Tushare refuses offset > 100000), a window may be paged
 * through as long as its last page starts at an offset <= maxOffset. Pages of `rowCap` start at
 * multiples of rowCap, so the last reachable start is floor(maxOffset / rowCap) * rowCap and a
 * window may hold up to that plus `rowCap` rows; it costs ceil(rows / rowCap) calls.
 *
 * Feasible windows: a window is feasible when its rows fit the budget, or when only one of its
 * days has any rows (a day over budget cannot be split; it stands alone, with any empty days next
 * to it, and is counted in `oversized`).
 *
 * Why greedy is optimal. Rows are non-negative, so a sub-window of a feasible window is feasible
 * (its sum is no larger and it has no more non-empty days). Let greedy's k-th window end at g_k
 * and any feasible tiling's k-th window end at o_k (g_0 = o_0 = start - 1). Claim g_k >= o_k.
 * If g_{k-1} >= o_k, greedy's next window only moves further. Otherwise [g_{k-1}+1, o_k] lies inside
 * [o_{k-1}+1, o_k] (induction: g_{k-1} >= o_{k-1}), so it is feasible, and greedy takes the longest
 * feasible window from g_{k-1}+1, so g_k >= o_k. When the other tiling ends after m windows, greedy
 * has also reached the end: it never uses more windows. tests/plan/rows.test.ts checks this against
 * brute force.
 */
import type { DayRange } from '../core/dates.js';
import type { Density } from './density.js';

export interface RowBudget {
  /** Rows one call returns at most (page size). */
  readonly rowCap: number;
  /** Largest offset the API accepts; undefined = no pagination limit, one call per window. */
  readonly maxOffset?: number;
}

export interface RowWindows {
  readonly windows: DayRange[];
  /** Estimated rows of each window (same order). */
  readonly rows: number[];
  /** Windows over budget: one day's rows alone exceed it (plus any empty days around it). */
  readonly oversized: number;
}

/** The largest number of rows one window may hold. */
export function rowBudget(b: RowBudget): number {
  if (b.maxOffset === undefined) return b.rowCap;
  // Offsets a source paging by rowCap can reach are multiples of rowCap that are <= maxOffset.
  return Math.floor(b.maxOffset / b.rowCap) * b.rowCap + b.rowCap;
}

/** Calls needed to fetch `rows` rows with pages of `rowCap` (at least one call). */
export function callsFor(rows: number, rowCap: number): number {
  return Math.max(1, Math.ceil(rows / rowCap));
}

/** Per-day rows of a range as a plain array (index 0 = range.start). */
export function dailyRows(range: DayRange, density: Density): Float64Array {
  const out = new Float64Array(range.end - range.start + 1);
  for (let i = 0; i < out.length; i++) out[i] = density.rowsOn(range.start + i);
  return out;
}

/**
 * Greedy tiling of per-day row counts under `budget`: each window is as long as it can be.
 * Pure over arrays so it can be checked against brute force.
 */
export function greedyTiling(
  rows: ArrayLike<number>,
  budget: number,
): { ends: number[]; sums: number[]; oversized: number } {
  const ends: number[] = [];
  const sums: number[] = [];
  let oversized = 0;
  let i = 0;
  const n = rows.length;
  while (i < n) {
    let sum = rows[i];
    let nonEmpty = sum > 0 ? 1 : 0;
    let j = i;
    while (j + 1 < n) {
      const next = rows[j + 1];
      const nextNonEmpty = nonEmpty + (next > 0 ? 1 : 0);
      if (sum + next > budget && nextNonEmpty > 1) break;
      sum += next;
      nonEmpty = nextNonEmpty;
      j++;
    }
    if (sum > budget) oversized++;
    ends.push(j);
    sums.push(sum);
    i = j + 1;
  }
  return { ends, sums, oversized };
}

/** Row-budget windows over `range`. */
export function rowWindows(range: DayRange, density: Density, budget: RowBudget): RowWindows {
  const perDay = dailyRows(range, density);
  const { ends, sums, oversized } = greedyTiling(perDay, rowBudget(budget));
  const windows: DayRange[] = new Array(ends.length);
  let s = range.start;
  for (let k = 0; k < ends.length; k++) {
    windows[k] = { start: s, end: range.start + ends[k] };
    s = windows[k].end + 1;
  }
  return { windows, rows: sums, oversized };
}
