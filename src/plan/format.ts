/**
 * Fast day-number -> date string for the planner's hot paths (a plan of 13,000 daily windows
 * formats 50,000 dates). Same output as formatDay in src/core/dates.ts, without Date objects:
 * the civil-from-days conversion on the proleptic Gregorian calendar (400-year eras of 146,097 days).
 */
import type { DateFormat } from '../core/dates.js';

const TWO_DIGITS = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, '0'));

/** Year, month (1..12) and day (1..31) of a day number (days since 1970-01-01). */
export function civilFromDay(dayNumber: number): [number, number, number] {
  const z = dayNumber + 719_468; // shift the epoch to 0000-03-01
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097; // day of era, 0..146096
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // day of year from March 1
  const mp = Math.floor((5 * doy + 2) / 153); // month from March = 0
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Format a day number as YYYYMMDD (`compact`) or YYYY-MM-DD (`dashed`). */
export function formatDayFast(dayNumber: number, format: DateFormat = 'compact'): string {
  const [y, m, d] = civilFromDay(dayNumber);
  const year = y >= 1000 && y <= 9999 ? String(y) : String(y).padStart(4, '0');
  return format === 'dashed' ? `${year}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}` : year + TWO_DIGITS[m] + TWO_DIGITS[d];
}
