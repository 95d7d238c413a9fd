/**
 * Calendar dates as integer day numbers (days since 1970-01-01, UTC). All planning arithmetic is
 * done on day numbers; strings exist only at the edges, in the format the user gave.
 */
import { ErrorCodes, SluiceError } from './errors.js';

/** `compact` = YYYYMMDD (Tushare style), `dashed` = YYYY-MM-DD. */
export type DateFormat = 'compact' | 'dashed';

export interface DayParts {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

const MS_PER_DAY = 86_400_000;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const DASHED = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day number of a calendar date (no validation). */
export function dayFromParts(year: number, month: number, day: number): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.floor(d.getTime() / MS_PER_DAY);
}

/** Calendar date of a day number. */
export function partsFromDay(dayNumber: number): DayParts {
  const d = new Date(dayNumber * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Which format a date string is written in, or undefined when it is neither. */
export function detectFormat(text: string): DateFormat | undefined {
  if (COMPACT.test(text)) return 'compact';
  if (DASHED.test(text)) return 'dashed';
  return undefined;
}

/**
 * Parse `YYYYMMDD` or `YYYY-MM-DD` into a day number. Throws SLUICE_BAD_DATE naming `label`
 * for garbage and for impossible dates such as 20230230.
 */
export function parseDay(text: string, label = 'date'): number {
  const m = COMPACT.exec(text) ?? DASHED.exec(text);
  if (!m) {
    throw new SluiceError(
      ErrorCodes.BAD_DATE,
      `${label}: expected a date as YYYYMMDD or YYYY-MM-DD, got ${JSON.stringify(text)}`,
    );
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new SluiceError(ErrorCodes.BAD_DATE, `${label}: ${JSON.stringify(text)} is not a real calendar date`);
  }
  return dayFromParts(year, month, day);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Format a day number; `compact` by default. */
export function formatDay(dayNumber: number, format: DateFormat = 'compact'): string {
  const { year, month, day } = partsFromDay(dayNumber);
  const sep = format === 'dashed' ? '-' : '';
  return `${pad(year, 4)}${sep}${pad(month, 2)}${sep}${pad(day, 2)}`;
}

/** Today's day number in UTC. */
export function today(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / MS_PER_DAY);
}

/** Day of the week, 0 = Sunday .. 6 = Saturday. */
export function weekday(dayNumber: number): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** Day number of the first day of the month `months` months after the month holding `dayNumber`. */
export function addMonthsToMonthStart(dayNumber: number, months: number): number {
  const { year, month } = partsFromDay(dayNumber);
  const index = year * 12 + (month - 1) + months;
  return dayFromParts(Math.floor(index / 12), (index % 12) + 1, 1);
}

/** Whole months between two dates, counted by calendar month (e.g. Jan 15 -> Mar 14 is 2). */
export function monthsBetween(startDay: number, endDay: number): number {
  const a = partsFromDay(startDay);
  const b = partsFromDay(endDay);
  return (b.year - a.year) * 12 + (b.month - a.month);
}

/** An inclusive range of day numbers. */
export interface DayRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Parse an inclusive range; `end` may be `today`. Returns day numbers and the format to answer in
 * (the start's format). Throws SLUICE_BAD_DATE when start > end.
 */
export function parseRange(
  startText: string,
  endText: string,
  labels = { start: 'start', end: 'end' },
): DayRange & { format: DateFormat } {
  const start = parseDay(startText, labels.start);
  const end = endText === 'today' ? today() : parseDay(endText, labels.end);
  if (start > end) {
    throw new SluiceError(ErrorCodes.BAD_DATE, `${labels.start} ${startText} is after ${labels.end} ${endText}`);
  }
  return { start, end, format: detectFormat(startText) ?? 'compact' };
}
