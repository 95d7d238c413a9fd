/**
 * The `auto` strategy: windows chosen online, from the rows the finished ones returned.
 *
 * Why it spends about the fewest calls with no density given. With offset paging every page is
 * one call, so a window costs ceil(rows / cap) calls whatever its length, up to the offset limit
 * (a window holds at most maxOffset + cap rows, rowBudget in rows.ts). Larger windows therefore
 * never cost more calls; each window wastes only the unfilled part of its last page. The lower
 * bound, sum over `each` values of ceil(rows / cap), is reached when every value is one window,
 * and nearly reached when windows are several pages long. What limits window size:
 * - the offset limit: a window that overflows is paged through and then split, its calls lost.
 *   Windows aim at OFFSET_SHARE of it, from a density learned online;
 * - parallelism and memory: the run wants `concurrency` windows in flight, and its rows held
 *   under maxRowsHeld; windows are cut to maxRowsHeld / concurrency rows, or to the remaining rows
 *   / concurrency, but never below EFFICIENT_PAGES pages (smaller windows would waste calls);
 * - with no paging (maxOffset 0), a window must fit one page: it aims at PAGE_SHARE of it.
 *
 * Learning. Density is rows per open day of the calendar. Each stream (one `each` value, or the
 * whole job) learns from its own finished windows, (rows + 1) / open days (the +1 keeps a window
 * that returned nothing from promising that the next one is empty); a stream with nothing finished
 * uses the largest density any stream has shown, and aims at half a window. A window that
 * overflowed proves its stream holds more than the offset limit over its days.
 * The first window is one open day at the end of the first stream (a probe). While fewer than
 * SAMPLE_ROWS rows have been seen, one window runs at a time and each may be at most GROWTH times
 * the open days seen so far, so a wrong first guess costs a few one-call windows, never an
 * overflow of a huge window. Streams are planned from their end backwards: data usually grows
 * with time, so the recent part's density overestimates the older part's, and a wrong estimate
 * costs a window more, not an overflow.
 *
 * A prior (a given density, or one learned from earlier runs of the job) replaces the probe: a
 * stream with nothing finished reads it over the last PRIOR_DAYS open days of what it has left.
 *
 * The planner tiles each stream's ranges exactly (no gap, no overlap) whatever it is told.
 */
import type { DayRange } from '../core/dates.js';
import type { Calendar } from './calendar.js';
import { rowBudget } from './rows.js';

/** Share of the offset limit a window aims at. */
export const OFFSET_SHARE = 0.8;
/** Share of one page a window aims at when the API does not page. */
export const PAGE_SHARE = 0.85;
/** Windows are never cut below this many pages for parallelism or memory. */
export const EFFICIENT_PAGES = 8;
/** Rows seen before the density is trusted for windows in parallel. */
export const SAMPLE_ROWS = 8;
/** While the density is not trusted, a window is at most this many times the open days seen. */
export const GROWTH = 16;
/** A prior density is read over this many open days at the end of what a stream has left. */
const PRIOR_DAYS = 20;
/** A last piece of a range smaller than this share of a window joins it. */
const TAIL_SHARE = 0.25;

/**
 * One stream the auto planner covers: an `each` value (or the whole job) and its day ranges.
 * @example
 * ```ts
 * const stream: AutoStream = { value: '000001.SZ', ranges: [{ start: 18262, end: 19722 }] };
 * ```
 */
export interface AutoStream {
  /** The `each` value; undefined for a job without `each`. */
  readonly value?: string;
  /** Day ranges to cover (disjoint; any order). */
  readonly ranges: readonly DayRange[];
}

/**
 * What the auto planner sizes windows with.
 * @example
 * ```ts
 * const settings: AutoSettings = { rowCap: 6000, maxOffset: 100000, concurrency: 4, maxRowsHeld: 50000, calendar: weekdayCalendar };
 * ```
 */
export interface AutoSettings {
  /** Rows one call returns at most. */
  readonly rowCap: number;
  /** Largest offset the API pages to; 0 or undefined: one call per window. */
  readonly maxOffset?: number;
  /** Windows the run keeps in flight. */
  readonly concurrency: number;
  /** Most rows the run holds in memory (0 = no limit). */
  readonly maxRowsHeld: number;
  /** Open days: densities are rows per open day. */
  readonly calendar: Calendar;
  /**
   * Rows one stream is expected to hold over a range (a given or learned density): used for a
   * stream until its own windows return, and no probe is needed.
   */
  readonly prior?: (range: DayRange) => number;
}

/**
 * A window the auto planner chose: a stream (index into the streams given) and its days.
 * @example
 * ```ts
 * const w = planner.next();
 * if (typeof w === 'object') console.log(w.stream, w.range.start, w.range.end);
 * ```
 */
export interface AutoWindow {
  readonly stream: number;
  readonly range: DayRange;
}

interface StreamState {
  /** Ranges left to plan, ascending; windows are taken from the end of the last one. */
  readonly rest: DayRange[];
  rows: number;
  days: number;
  /** Lower bound on density proved by an overflow. */
  floor: number;
  /** The prior's density, and the day it was read up to (a cache). */
  priorDensity: number | undefined;
  priorAt: number;
}

/**
 * The online planner behind `strategy: auto`: `next()` gives the next window (or says to wait for
 * an outcome), and `done` / `failed` / `split` tell it what became of the windows it gave.
 * @example
 * ```ts
 * import { AutoPlanner, weekdayCalendar } from 'sluice';
 * const planner = new AutoPlanner([{ ranges: [{ start: 17897, end: 18627 }] }], {
 *   rowCap: 6000, maxOffset: 100000, concurrency: 4, maxRowsHeld: 50000, calendar: weekdayCalendar,
 * });
 * const first = planner.next(); // one open day at the end: the probe
 * if (typeof first === 'object') planner.done(first.stream, first.range, 1800);
 * ```
 */
export class AutoPlanner {
  private readonly streams: StreamState[];
  private readonly cal: Calendar;
  /** Most rows a window may hold (the offset limit), and what windows aim at. */
  private readonly budget: number;
  private readonly aim: number;
  private readonly least: number;
  private readonly memoryShare: number;
  private readonly parallel: number;
  private readonly prior: ((range: DayRange) => number) | undefined;
  private seenRows = 0;
  private seenDays = 0;
  private seenWindows = 0;
  /** The largest density any stream has shown; undefined: to be computed again. */
  private shown: number | undefined;
  private shownStale = true;
  private cursor = 0;
  /** Windows given and not yet finished (split children included). */
  inflight = 0;

  constructor(streams: readonly AutoStream[], settings: AutoSettings) {
    this.cal = settings.calendar;
    this.streams = streams.map((s) => ({
      rest: [...s.ranges].filter((r) => r.end >= r.start).sort((a, b) => a.start - b.start),
      rows: 0,
      days: 0,
      floor: 0,
      priorDensity: undefined,
      priorAt: NaN,
    }));
    const paging = settings.maxOffset !== undefined && settings.maxOffset > 0;
    this.budget = paging ? rowBudget({ rowCap: settings.rowCap, maxOffset: settings.maxOffset }) : settings.rowCap;
    this.aim = paging ? this.budget * OFFSET_SHARE : settings.rowCap * PAGE_SHARE;
    this.least = paging ? Math.min(this.aim, settings.rowCap * EFFICIENT_PAGES) : this.aim;
    this.parallel = Math.max(1, settings.concurrency);
    this.prior = settings.prior;
    this.memoryShare = settings.maxRowsHeld > 0 ? settings.maxRowsHeld / this.parallel : Infinity;
  }

  /** True while some stream has days left to plan. */
  get pending(): boolean {
    return this.streams.some((s) => s.rest.length > 0);
  }

  /**
   * The next window; 'wait' when it should first hear of a window in flight (the density is not
   * known well enough to plan in parallel); undefined when every day is planned.
   */
  next(): AutoWindow | 'wait' | undefined {
    while (this.cursor < this.streams.length && this.streams[this.cursor].rest.length === 0) this.cursor++;
    if (this.cursor >= this.streams.length) return undefined;
    const trusted = this.trusted();
    if (!trusted && this.inflight > 0) return 'wait';
    const index = this.cursor;
    const s = this.streams[index];
    const last = s.rest[s.rest.length - 1];
    const density = this.densityOf(s);
    let take: number;
    if (density === undefined) {
      take = 1; // the probe: one open day
    } else {
      const target = s.days > 0 ? this.target() : this.target() / 2;
      take = Math.max(1, Math.floor(target / density));
      if (!trusted) take = Math.min(take, Math.max(1, GROWTH * this.seenDays));
    }
    const open = this.cal.openDaysBetween(last.start, last.end);
    let start: number;
    if (open <= take * (1 + TAIL_SHARE)) start = last.start;
    else start = this.startFor(last, take);
    const range = { start, end: last.end };
    if (start === last.start) s.rest.pop();
    else s.rest[s.rest.length - 1] = { start: last.start, end: start - 1 };
    this.inflight++;
    return { stream: index, range };
  }

  /** A window (or a split child) finished with `rows` rows. */
  done(stream: number, range: DayRange, rows: number): void {
    this.inflight = Math.max(0, this.inflight - 1);
    this.learn(stream, range, rows);
  }

  /** Rows a window of an earlier session returned (resume): learned, nothing in flight changes. */
  learn(stream: number, range: DayRange, rows: number): void {
    const s = this.streams[stream];
    if (!s) return;
    const days = this.cal.openDaysBetween(range.start, range.end);
    s.rows += rows;
    s.days += days;
    this.shownStale = true;
    this.seenRows += rows;
    this.seenDays += days;
    this.seenWindows++;
  }

  /** A window failed: nothing learned; its days stay with the failed batch (resume reruns it). */
  failed(): void {
    this.inflight = Math.max(0, this.inflight - 1);
  }

  /** A window overflowed and was split into `children` (run by the executor). */
  split(stream: number, range: DayRange, children: number): void {
    this.inflight += Math.max(0, children - 1);
    const s = this.streams[stream];
    if (!s) return;
    const days = Math.max(1, this.cal.openDaysBetween(range.start, range.end));
    s.floor = Math.max(s.floor, this.budget / days);
    this.shownStale = true;
  }

  /** Estimated rows of every day not planned yet (undefined before anything is known). */
  restRows(): number | undefined {
    let sum = 0;
    for (const s of this.streams) {
      if (s.rest.length === 0) continue;
      const d = this.densityOf(s);
      if (d === undefined) return undefined;
      for (const r of s.rest) sum += d * this.cal.openDaysBetween(r.start, r.end);
    }
    return sum;
  }

  /** A prior, enough rows seen, or enough days seen that growth no longer limits any window. */
  private trusted(): boolean {
    if (this.prior || this.seenRows >= SAMPLE_ROWS) return true;
    if (this.seenWindows === 0) return false;
    let longest = 0;
    for (let i = this.cursor; i < this.streams.length; i++) {
      for (const r of this.streams[i].rest) longest = Math.max(longest, this.cal.openDaysBetween(r.start, r.end));
    }
    return GROWTH * this.seenDays >= longest;
  }

  /**
   * Rows per open day: the stream's own, else the largest any stream has shown (and the prior's
   * over the last PRIOR_DAYS open days of what is left, when there is one).
   */
  private densityOf(s: StreamState): number | undefined {
    if (s.days > 0 || s.floor > 0) return Math.max((s.rows + 1) / Math.max(1, s.days), s.floor);
    const prior = this.priorOf(s);
    const shown = this.shownDensity();
    if (prior === undefined) return shown;
    return shown === undefined ? prior : Math.max(prior, shown);
  }

  private shownDensity(): number | undefined {
    if (!this.shownStale) return this.shown;
    let best: number | undefined;
    for (const o of this.streams) {
      if (o.days === 0 && o.floor === 0) continue;
      const d = Math.max((o.rows + 1) / Math.max(1, o.days), o.floor);
      if (best === undefined || d > best) best = d;
    }
    this.shown = best;
    this.shownStale = false;
    return best;
  }

  private priorOf(s: StreamState): number | undefined {
    const last = s.rest[s.rest.length - 1];
    if (!this.prior || !last) return undefined;
    if (s.priorAt === last.end) return s.priorDensity;
    const start = this.startFor(last, PRIOR_DAYS);
    const open = this.cal.openDaysBetween(start, last.end);
    s.priorDensity = open > 0 ? (this.prior({ start, end: last.end }) + 1) / open : undefined;
    s.priorAt = last.end;
    return s.priorDensity;
  }

  /** Rows a window aims at now. */
  private target(): number {
    const rest = this.restRows() ?? Infinity;
    const share = Math.min(this.memoryShare, rest / this.parallel);
    return Math.min(this.aim, Math.max(this.least, share));
  }

  /** The earliest start day such that [start, range.end] holds at most `take` open days. */
  private startFor(range: DayRange, take: number): number {
    let lo = range.start;
    let hi = range.end;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.cal.openDaysBetween(mid, range.end) <= take) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * What the auto planner would do if every window returned `rowsOf` rows (an estimate from a
 * density: `sluice plan` shows it). Windows finish oldest first, `concurrency` at a time.
 * @example
 * ```ts
 * import { simulateAuto, weekdayCalendar } from 'sluice';
 * const settings = { rowCap: 6000, maxOffset: 100000, concurrency: 4, maxRowsHeld: 50000, calendar: weekdayCalendar };
 * const sim = simulateAuto([{ ranges: [{ start: 17897, end: 18627 }] }], settings, (_, r) => 1800 * (r.end - r.start + 1));
 * console.log(sim.windows.length, sim.calls);
 * ```
 */
export function simulateAuto(
  streams: readonly AutoStream[],
  settings: AutoSettings,
  rowsOf: (stream: number, range: DayRange) => number,
): { windows: AutoWindow[]; rows: number[]; calls: number } {
  const planner = new AutoPlanner(streams, settings);
  const windows: AutoWindow[] = [];
  const rows: number[] = [];
  const inflight: number[] = [];
  let calls = 0;
  const finish = (): void => {
    const i = inflight.shift() as number;
    const w = windows[i];
    planner.done(w.stream, w.range, rows[i]);
    calls += Math.max(1, Math.ceil(rows[i] / settings.rowCap));
  };
  for (;;) {
    const w = planner.next();
    if (w === undefined) break;
    if (w === 'wait') {
      finish();
      continue;
    }
    inflight.push(windows.length);
    windows.push(w);
    rows.push(rowsOf(w.stream, w.range));
    if (inflight.length >= Math.max(1, settings.concurrency)) finish();
  }
  while (inflight.length > 0) finish();
  return { windows, rows, calls };
}
