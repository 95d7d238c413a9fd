/**
 * The `rows` strategy: the fewest windows whose estimated rows each fit a row budget.
 *
 * Budget: with a page size `rowCap` and no offset limit, a window should fit one call, so the
 * budget is `rowCap`. With `maxOffset` (Tushare refuses offset > 100000), a window may be paged
 * through as long as its last page starts at an offset <= maxOffset, so it may hold up to
 * `maxOffset + rowCap` rows and costs ceil(rows / rowCap) calls.
 *
 * Why greedy is optimal. Call a window feasible when its rows fit the budget or it is a single
 * day (a day over budget cannot be split, so it stands alone and is counted in `oversized`). Rows
 * are non-negative, so a sub-window of a feasible window is feasible. Let greedy's k-th window end
 * at g_k and any feasible tiling's k-th window end at o_k (g_0 = o_0 = start - 1). Claim g_k >= o_k.
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
  /** Windows of a single day whose rows alone exceed the budget. */
  readonly oversized: number;
}

/** The largest number of rows one window may hold. */
export function rowBudget(b: RowBudget): number {
  return b.maxOffset === undefined ? b.rowCap : b.maxOffset + b.rowCap;
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
export function greedyTiling(rows: ArrayLike<number>, budget: number): { ends: number[]; sums: number[]; oversized: number } {
  const ends: number[] = [];
  const sums: number[] = [];
  let oversized = 0;
  let i = 0;
  const n = rows.length;
  while (i < n) {
    let sum = rows[i];
    let j = i;
    if (sum > budget) oversized++;
    else while (j + 1 < n && sum + rows[j + 1] <= budget) sum += rows[++j];
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
