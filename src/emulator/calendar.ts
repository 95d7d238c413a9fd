/**
 * The emulator's trading calendar: weekdays minus a deterministic holiday set (New Year, a
 * spring-festival week, Qingming, Labour Day, Dragon Boat, National Day week). Holidays depend on
 * the year only, so every seed shares one calendar. Days are day numbers (src/core/dates.ts).
 */
import { dayFromParts, formatDay, weekday } from '../core/dates.js';
import { hash } from './hash.js';

/** First and last calendar days the emulator knows. */
export const CALENDAR_FIRST_YEAR = 1995;
export const CALENDAR_LAST_YEAR = 2030;
/** Last day with market data (daily rows, announcements); the calendar itself runs to 2030. */
export const DATA_LAST_DAY = dayFromParts(2026, 12, 31);

function markHolidays(closed: Set<number>, year: number): void {
  const h = hash(0x5eed, year);
  const add = (month: number, day: number, count = 1): void => {
    for (let i = 0; i < count; i++) closed.add(dayFromParts(year, month, day) + i);
  };
  add(1, 1);
  add(1, 21 + (h % 21), 7); // spring festival week, late January to mid February
  add(4, 4 + ((h >>> 8) % 2));
  add(5, 1, 3);
  add(6, 1 + ((h >>> 12) % 24));
  add(10, 1, 7);
}

export class TradingCalendar {
  /** First day number covered. */
  readonly first: number;
  /** Last day number covered. */
  readonly last: number;
  /** Open days in ascending order. */
  readonly openDays: Int32Array;
  /** For each covered day: number of open days strictly before it. */
  private readonly openBefore: Int32Array;
  private readonly open: Uint8Array;

  constructor() {
    this.first = dayFromParts(CALENDAR_FIRST_YEAR, 1, 1);
    this.last = dayFromParts(CALENDAR_LAST_YEAR, 12, 31);
    const closed = new Set<number>();
    for (let y = CALENDAR_FIRST_YEAR; y <= CALENDAR_LAST_YEAR; y++) markHolidays(closed, y);
    const span = this.last - this.first + 1;
    this.open = new Uint8Array(span);
    this.openBefore = new Int32Array(span + 1);
    const days: number[] = [];
    for (let i = 0; i < span; i++) {
      const d = this.first + i;
      const w = weekday(d);
      const isOpen = w !== 0 && w !== 6 && !closed.has(d);
      this.openBefore[i] = days.length;
      if (isOpen) {
        this.open[i] = 1;
        days.push(d);
      }
    }
    this.openBefore[span] = days.length;
    this.openDays = Int32Array.from(days);
  }

  /** True when the exchange trades on `day` (false outside the covered years). */
  isOpen(day: number): boolean {
    return day >= this.first && day <= this.last && this.open[day - this.first] === 1;
  }

  /** Index into `openDays` of the first open day >= `day` (may equal openDays.length). */
  firstIndexFrom(day: number): number {
    if (day <= this.first) return 0;
    if (day > this.last) return this.openDays.length;
    return this.openBefore[day - this.first];
  }

  /** Index into `openDays` of the last open day <= `day` (may be -1). */
  lastIndexUpTo(day: number): number {
    if (day < this.first) return -1;
    if (day >= this.last) return this.openDays.length - 1;
    return this.openBefore[day - this.first + 1] - 1;
  }

  /** The open day before `day` (strictly), or undefined. */
  previousOpen(day: number): number | undefined {
    const i = this.lastIndexUpTo(day - 1);
    return i >= 0 ? this.openDays[i] : undefined;
  }

  /** Open days in [start, end] as YYYYMMDD strings (for tests and calendar files). */
  openDatesBetween(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = this.firstIndexFrom(start); i < this.openDays.length && this.openDays[i] <= end; i++) {
      out.push(formatDay(this.openDays[i]));
    }
    return out;
  }
}

let shared: TradingCalendar | undefined;

/** The one calendar (built once, ~13k days). */
export function tradingCalendar(): TradingCalendar {
  shared ??= new TradingCalendar();
  return shared;
}
