/**
 * `--calendar FILE`: one open date per line, or Tushare's `trade_cal` shape (`cal_date,is_open`)
 * as CSV or JSON (array of objects, or `{ fields, items }`).
 */
import { usageError } from '../core/errors.js';
import { type Calendar, calendarFromDays } from './calendar.js';
import { readDatedFile } from './dated-file.js';

const SHAPE = { dateColumns: ['cal_date', 'trade_date', 'date', 'day'], valueColumns: ['is_open', 'open'] } as const;

function isOpenValue(value: string | number | boolean | undefined, where: string): boolean {
  if (value === undefined || value === true || value === 1) return true;
  if (value === false || value === 0) return false;
  const text = String(value).trim().toLowerCase();
  if (text === '1' || text === 'true' || text === 'y') return true;
  if (text === '0' || text === 'false' || text === 'n') return false;
  throw usageError(`${where}: is_open must be 1 or 0, got ${JSON.stringify(value)}`);
}

/**
 * Load a trading calendar. Days listed as open are open; days inside the file's span that are not
 * listed (or listed with is_open=0) are closed; days outside the span fall back to weekdays.
 * When several exchanges are listed, a day is open if any row marks it open.
 * Bad files throw SLUICE_USAGE naming `label`, the file and the line.
 * @example
 * ```ts
 * import { loadCalendar, planJob } from 'sluice';
 * const calendar = loadCalendar('trade_cal.csv'); // one date per line, or a trade_cal CSV/JSON export
 * planJob({ start: '20240101', end: '20241231', calendar });
 * ```
 */
export function loadCalendar(file: string, label = '--calendar'): Calendar {
  const entries = readDatedFile(file, label, SHAPE);
  if (entries.length === 0) throw usageError(`${label} ${file}: no dates in the file`);
  const open: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const e of entries) {
    if (e.day < first) first = e.day;
    if (e.day > last) last = e.day;
    if (isOpenValue(e.value, `${label} ${file}: ${e.where}`)) open.push(e.day);
  }
  return calendarFromDays(open, { name: `file:${file}`, first, last });
}
