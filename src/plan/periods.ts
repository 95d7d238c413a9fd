/**
 * Calendar-period windows over day numbers. Every function here tiles the inclusive range exactly:
 * windows are in order, adjacent, non-overlapping and clipped to the range (the first and last
 * windows may be partial periods).
 */
import { usageError } from '../core/errors.js';
import { type DayRange, dayFromParts, partsFromDay, weekday } from '../core/dates.js';

/** Named periods. `single` is the whole range; `multi_year` is 5 calendar years (1990-1994, 1995-1999, ...). */
export type Period = 'single' | 'day' | 'week' | 'month' | 'quarter' | 'half' | 'year' | 'multi_year';

export const PERIODS: readonly Period[] = ['single', 'day', 'week', 'month', 'quarter', 'half', 'year', 'multi_year'];

const MONTHS_PER: Partial<Record<Period, number>> = { month: 1, quarter: 3, half: 6, year: 12, multi_year: 60 };

/** Windows of one calendar period each, clipped to `range`. */
export function periodWindows(range: DayRange, period: Period): DayRange[] {
  switch (period) {
    case 'single':
      return [{ start: range.start, end: range.end }];
    case 'day':
      return fixedDayWindows(range, 1);
    case 'week':
      return weekWindows(range);
    default:
      return monthAlignedWindows(range, MONTHS_PER[period] as number);
  }
}

/** Consecutive windows of `days` days starting at range.start; the last one is clipped. */
export function fixedDayWindows(range: DayRange, days: number): DayRange[] {
  if (!Number.isSafeInteger(days) || days < 1)
    throw usageError(`window length must be a whole number >= 1, got ${days}`);
  const out: DayRange[] = [];
  for (let s = range.start; s <= range.end; s += days) out.push({ start: s, end: Math.min(range.end, s + days - 1) });
  return out;
}

/** ISO weeks, Monday to Sunday. */
function weekWindows(range: DayRange): DayRange[] {
  const out: DayRange[] = [];
  let s = range.start;
  while (s <= range.end) {
    const sinceMonday = (weekday(s) + 6) % 7;
    const e = Math.min(range.end, s + 6 - sinceMonday);
    out.push({ start: s, end: e });
    s = e + 1;
  }
  return out;
}

/** Periods of `step` months aligned to the calendar (month index divisible by `step`, from year 0). */
function monthAlignedWindows(range: DayRange, step: number): DayRange[] {
  const out: DayRange[] = [];
  const first = partsFromDay(range.start);
  let index = Math.floor((first.year * 12 + first.month - 1) / step) * step; // start month of the period holding range.start
  let s = range.start;
  while (s <= range.end) {
    index += step;
    const nextStart = dayFromParts(Math.floor(index / 12), (index % 12) + 1, 1);
    const e = Math.min(range.end, nextStart - 1);
    out.push({ start: s, end: e });
    s = e + 1;
  }
  return out;
}
