/**
 * Coverage arithmetic for incremental runs: which days of a range earlier runs already landed,
 * and which days a run still has to fetch. Pure functions over inclusive DayRanges (day numbers);
 * the calendar counts trading days (the lookback, the day counts of the report).
 *
 * A run fetches, per `each` value, the days of its range that no done batch of an earlier run
 * covers, plus the last `lookback` trading days of what is covered (fetched again to pick up the
 * vendor's revisions; the rows are upserted).
 */
import type { DayRange } from '../core/dates.js';
import type { Calendar } from './calendar.js';

/** Sorted copy with overlapping and adjacent ranges joined. */
export function mergeRanges(ranges: readonly DayRange[]): DayRange[] {
  const sorted = ranges.filter((r) => r.start <= r.end).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: DayRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end + 1) {
      if (r.end > last.end) out[out.length - 1] = { start: last.start, end: r.end };
    } else {
      out.push({ start: r.start, end: r.end });
    }
  }
  return out;
}

/** The parts of `ranges` inside `range`, merged. */
export function clipRanges(ranges: readonly DayRange[], range: DayRange): DayRange[] {
  return mergeRanges(ranges.map((r) => ({ start: Math.max(r.start, range.start), end: Math.min(r.end, range.end) })));
}

/** The days of `range` that no range of `covered` holds, in order. */
export function subtractRanges(range: DayRange, covered: readonly DayRange[]): DayRange[] {
  const out: DayRange[] = [];
  let next = range.start;
  for (const c of clipRanges(covered, range)) {
    if (c.start > next) out.push({ start: next, end: c.start - 1 });
    next = c.end + 1;
  }
  if (next <= range.end) out.push({ start: next, end: range.end });
  return out;
}

/** Calendar days in `ranges` (which must not overlap). */
export function daysIn(ranges: readonly DayRange[]): number {
  return ranges.reduce((n, r) => n + (r.end - r.start + 1), 0);
}

/** Trading days in `ranges` (which must not overlap). */
export function tradingDaysIn(ranges: readonly DayRange[], calendar: Calendar): number {
  return ranges.reduce((n, r) => n + calendar.openDaysBetween(r.start, r.end), 0);
}

/**
 * The last `days` trading days up to `end` (and not before `floor`), as one range ending at `end`;
 * undefined when `days` is 0 or no trading day is found.
 */
export function lookbackRange(end: number, days: number, calendar: Calendar, floor: number): DayRange | undefined {
  if (days <= 0) return undefined;
  let seen = 0;
  let first: number | undefined;
  for (let d = end; d >= floor && seen < days; d--) {
    if (calendar.isOpen(d)) {
      seen++;
      first = d;
    }
  }
  return first === undefined ? undefined : { start: first, end };
}

/** What one `each` value (or the whole job) still needs. */
export interface ValueCoverage {
  /** Days of the range earlier runs landed (merged). */
  readonly covered: DayRange[];
  /** Days to fetch: the gaps, plus the lookback (merged, inside the range). */
  readonly todo: DayRange[];
  /** The covered days fetched again (inside `todo`). */
  readonly lookback: DayRange[];
}

export interface CoverageOptions {
  /** Trading days before the end of what is covered to fetch again. @default 0 */
  readonly lookback?: number;
  readonly calendar: Calendar;
}

/** Coverage of `range` by the windows of done batches (any order, may overlap, may reach outside). */
export function coverageOf(range: DayRange, done: readonly DayRange[], opts: CoverageOptions): ValueCoverage {
  const covered = clipRanges(done, range);
  const gaps = subtractRanges(range, covered);
  const last = covered.at(-1);
  const back = last ? lookbackRange(last.end, opts.lookback ?? 0, opts.calendar, range.start) : undefined;
  // Only covered days count as looked back: the gaps are fetched anyway.
  const lookback = back ? covered.flatMap((c) => clipRanges([c], back)) : [];
  return { covered, todo: mergeRanges([...gaps, ...lookback]), lookback };
}

/** A done batch of an earlier run: its window, and its `each` value ('' when the job has none). */
export interface DoneWindow {
  readonly value: string;
  readonly window: DayRange;
  readonly runId: string;
}

/**
 * What a run skips as covered and fetches, summed over `each` values. Days are trading days by
 * the plan's calendar.
 */
export interface CoverageStats {
  /** Days the run fetches (new days and the lookback). */
  readonly fetchedDays: number;
  /** Days skipped because done batches of earlier runs hold them. */
  readonly skippedDays: number;
  /** Covered days fetched again to pick up revisions (part of fetchedDays). */
  readonly lookbackDays: number;
  /** Done batches of earlier runs with a window in the skipped days. */
  readonly skippedBatches: number;
  /** Earlier runs whose done batches counted. */
  readonly fromRuns: number;
}

/** The plan input of an incremental run: per `each` value, the day ranges to fetch; and its stats. */
export interface RunCoverage {
  /** Key: the `each` value, '' when the job has no `each`. */
  readonly todo: Map<string, DayRange[]>;
  readonly stats: CoverageStats;
}

/**
 * Per value (`values`: the job's `each` values, or `['']`), the days of `range` to fetch given the
 * done windows of earlier runs; windows of values not in `values` are ignored.
 */
export function runCoverage(
  range: DayRange,
  values: readonly string[],
  done: readonly DoneWindow[],
  opts: CoverageOptions,
): RunCoverage {
  const byValue = new Map<string, DayRange[]>();
  for (const v of values) byValue.set(v, []);
  for (const d of done) byValue.get(d.value)?.push(d.window);
  const todo = new Map<string, DayRange[]>();
  const skippedByValue = new Map<string, DayRange[]>();
  let fetchedDays = 0;
  let skippedDays = 0;
  let lookbackDays = 0;
  for (const [value, windows] of byValue) {
    const c = coverageOf(range, windows, opts);
    todo.set(value, c.todo);
    const skipped = c.covered.flatMap((r) => subtractRanges(r, c.lookback));
    skippedByValue.set(value, skipped);
    fetchedDays += tradingDaysIn(c.todo, opts.calendar);
    skippedDays += tradingDaysIn(skipped, opts.calendar);
    lookbackDays += tradingDaysIn(c.lookback, opts.calendar);
  }
  const runs = new Set<string>();
  let skippedBatches = 0;
  for (const d of done) {
    const skipped = skippedByValue.get(d.value);
    if (!skipped || clipRanges(skipped, d.window).length === 0) continue;
    skippedBatches++;
    runs.add(d.runId);
  }
  return { todo, stats: { fetchedDays, skippedDays, lookbackDays, skippedBatches, fromRuns: runs.size } };
}
