/**
 * Trading calendars: which days an exchange is open. Baselines, densities and row budgets count
 * trading days through this interface. All days are day numbers (see src/core/dates.ts).
 */
import { weekday } from '../core/dates.js';

/**
 * A trading calendar: which days are open. Day numbers count days since 1970-01-01.
 * @example
 * ```ts
 * const plan = planJob({ start: '20240101', end: '20241231', calendar: loadCalendar('trade_cal.csv') });
 * plan.stats.baselineBatches; // trading days, not calendar days
 * ```
 */
export interface Calendar {
  /** Short description, e.g. `weekdays` or `file:cal.csv`. */
  readonly name: string;
  /** True when the exchange trades on this day. */
  isOpen(day: number): boolean;
  /** Number of open days in the inclusive range [start, end]; 0 when start > end. */
  openDaysBetween(start: number, end: number): number;
}

/** Weekdays before `day` counted from day 0 (1970-01-01, a Thursday). Works for negative days. */
function weekdaysBefore(day: number): number {
  const weeks = Math.floor(day / 7);
  const rest = day - weeks * 7; // 0..6 days after a Thursday-aligned block start
  // Days of the block starting on Thursday: Thu Fri Sat Sun Mon Tue Wed -> open 1 1 0 0 1 1 1
  const openInPrefix = [0, 1, 2, 2, 2, 3, 4][rest];
  return weeks * 5 + openInPrefix;
}

/**
 * Monday to Friday are open; no holidays. The default calendar.
 * @example
 * ```ts
 * import { constantDensity, weekdayCalendar } from 'sluice';
 * const density = constantDensity(5000, weekdayCalendar); // 5,000 rows each weekday
 * ```
 */
export const weekdayCalendar: Calendar = {
  name: 'weekdays',
  isOpen(day: number): boolean {
    const w = weekday(day);
    return w !== 0 && w !== 6;
  },
  openDaysBetween(start: number, end: number): number {
    if (start > end) return 0;
    return weekdaysBefore(end + 1) - weekdaysBefore(start);
  },
};

/** Every day is open (useful for continuous data such as crypto or for plain day counts). */
export const everyDayCalendar: Calendar = {
  name: 'every-day',
  isOpen: () => true,
  openDaysBetween: (start, end) => (start > end ? 0 : end - start + 1),
};

/**
 * A calendar from explicit knowledge of the days [first, last]: `openDays` are open, every other
 * day in that span is closed. Outside the span the calendar falls back to `outside` (weekdays by
 * default), so a calendar file that stops last year still gives sane estimates for this year.
 * `openDaysBetween` is O(1) via prefix sums over the covered span.
 */
export function calendarFromDays(
  openDays: Iterable<number>,
  options: {
    readonly name?: string;
    readonly first?: number;
    readonly last?: number;
    readonly outside?: Calendar;
  } = {},
): Calendar {
  const days = [...new Set(openDays)].sort((a, b) => a - b);
  const outside = options.outside ?? weekdayCalendar;
  const name = options.name ?? 'custom';
  const first = Math.min(options.first ?? Infinity, days.length ? days[0] : Infinity);
  const last = Math.max(options.last ?? -Infinity, days.length ? days[days.length - 1] : -Infinity);
  if (!Number.isFinite(first) || !Number.isFinite(last)) return { ...outside, name };
  // prefix[i] = open days in [first, first + i - 1]
  const prefix = new Int32Array(last - first + 2);
  const open = new Uint8Array(last - first + 1);
  for (const d of days) open[d - first] = 1;
  for (let i = 0; i < open.length; i++) prefix[i + 1] = prefix[i] + open[i];
  const inside = (a: number, b: number): number => prefix[b - first + 1] - prefix[a - first];
  return {
    name,
    isOpen(day: number): boolean {
      if (day < first || day > last) return outside.isOpen(day);
      return open[day - first] === 1;
    },
    openDaysBetween(start: number, end: number): number {
      if (start > end) return 0;
      let total = 0;
      if (start < first) total += outside.openDaysBetween(start, Math.min(end, first - 1));
      if (end > last) total += outside.openDaysBetween(Math.max(start, last + 1), end);
      const a = Math.max(start, first);
      const b = Math.min(end, last);
      if (a <= b) total += inside(a, b);
      return total;
    },
  };
}
