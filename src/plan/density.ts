/**
 * Row densities: how many rows a query returns for one day. The `rows` strategy sums them to keep
 * each window under a row budget. Closed days (per the trading calendar) hold no rows.
 */
import { parseDay } from '../core/dates.js';
import { usageError } from '../core/errors.js';
import { type Calendar, weekdayCalendar } from './calendar.js';
import { readDatedFile } from './dated-file.js';

/**
 * Rows per day: what the `rows` strategy sizes windows with and what estimates count.
 * @example
 * ```ts
 * const density: Density = constantDensity(5000);
 * planJob({ start: '20200101', end: '20241231', strategy: 'rows', density, rowCap: 6000 });
 * ```
 */
export interface Density {
  /** Short description, e.g. `5000/trading-day`. */
  readonly name: string;
  /** Estimated rows on `day` (>= 0). */
  rowsOn(day: number): number;
}

/**
 * `rowsPerDay` rows on every open day of `calendar`, none on closed days.
 * @example
 * ```ts
 * import { constantDensity, planJob } from 'sluice';
 * const plan = planJob({
 *   start: '20100101',
 *   end: '20241231',
 *   strategy: 'rows',
 *   density: constantDensity(5000),
 *   rowCap: 6000,
 *   maxOffset: 100000,
 * });
 * plan.stats.estimatedCalls;
 * ```
 */
export function constantDensity(rowsPerDay: number, calendar: Calendar = weekdayCalendar): Density {
  if (!Number.isFinite(rowsPerDay) || rowsPerDay < 0)
    throw usageError(`rows per day: expected a number >= 0, got ${rowsPerDay}`);
  return { name: `${rowsPerDay}/trading-day`, rowsOn: (day) => (calendar.isOpen(day) ? rowsPerDay : 0) };
}

/**
 * Density from explicit per-day rows. Inside the span of the given days a missing day holds 0 rows;
 * outside it every open day holds the span's average rows per open day.
 */
export function densityFromDays(
  rowsByDay: ReadonlyMap<number, number>,
  calendar: Calendar = weekdayCalendar,
  name = 'per-day',
): Density {
  let first = Infinity;
  let last = -Infinity;
  let total = 0;
  for (const [day, rows] of rowsByDay) {
    if (day < first) first = day;
    if (day > last) last = day;
    total += rows;
  }
  if (rowsByDay.size === 0) return constantDensity(0, calendar);
  const open = calendar.openDaysBetween(first, last);
  const average = total / (open > 0 ? open : last - first + 1);
  return {
    name,
    rowsOn(day: number): number {
      if (day >= first && day <= last) return rowsByDay.get(day) ?? 0;
      return calendar.isOpen(day) ? average : 0;
    },
  };
}

const SHAPE = {
  dateColumns: ['trade_date', 'date', 'cal_date', 'day'],
  valueColumns: ['rows', 'count', 'n', 'value'],
} as const;

/**
 * `--density FILE`: date -> rows as CSV (`date,rows`) or JSON (object map, array, `{fields, items}`).
 * @example
 * ```ts
 * import { loadDensity, planJob } from 'sluice';
 * const density = loadDensity('rows-per-day.csv'); // date,rows lines
 * planJob({ start: '20200101', end: '20241231', strategy: 'rows', density, rowCap: 6000 });
 * ```
 */
export function loadDensity(file: string, calendar: Calendar = weekdayCalendar, label = '--density'): Density {
  const entries = readDatedFile(file, label, SHAPE);
  if (entries.length === 0) throw usageError(`${label} ${file}: no dates in the file`);
  const map = new Map<number, number>();
  for (const e of entries) {
    const rows = typeof e.value === 'string' ? Number(e.value.trim() === '' ? NaN : e.value) : e.value;
    if (typeof rows !== 'number' || !Number.isFinite(rows) || rows < 0) {
      throw usageError(
        `${label} ${file}: ${e.where}: expected a row count >= 0, got ${JSON.stringify(e.value ?? null)}`,
      );
    }
    map.set(e.day, (map.get(e.day) ?? 0) + rows);
  }
  return densityFromDays(map, calendar, `file:${file}`);
}

/** What an earlier batch returned: its window (YYYYMMDD, YYYY-MM-DD or day numbers) and row count. */
export interface HistoryRecord {
  readonly start: string | number;
  readonly end: string | number;
  readonly rows: number;
}

/**
 * Learn a per-day density from earlier runs: each record's rows are spread evenly over the open
 * days of its window; where records overlap their estimates are averaged; open days no record
 * covers get the overall average rows per open day. Records with a bad window, a negative row
 * count or no open day are ignored. Returns undefined when no record is usable.
 * Cost: O(records + days spanned).
 */
export function densityFromHistory(
  records: readonly HistoryRecord[],
  calendar: Calendar = weekdayCalendar,
): Density | undefined {
  const used: { s: number; e: number; rate: number }[] = [];
  let totalRows = 0;
  let totalOpen = 0;
  for (const r of records) {
    const s = typeof r.start === 'number' ? r.start : safeDay(r.start);
    const e = typeof r.end === 'number' ? r.end : safeDay(r.end);
    if (s === undefined || e === undefined || s > e || !Number.isFinite(r.rows) || r.rows < 0) continue;
    const open = calendar.openDaysBetween(s, e);
    if (open === 0) continue;
    used.push({ s, e, rate: r.rows / open });
    totalRows += r.rows;
    totalOpen += open;
  }
  if (used.length === 0) return undefined;
  const average = totalRows / totalOpen;
  let first = Infinity;
  let last = -Infinity;
  for (const u of used) {
    if (u.s < first) first = u.s;
    if (u.e > last) last = u.e;
  }
  const size = last - first + 1;
  const rateDiff = new Float64Array(size + 1);
  const countDiff = new Int32Array(size + 1);
  for (const u of used) {
    rateDiff[u.s - first] += u.rate;
    rateDiff[u.e - first + 1] -= u.rate;
    countDiff[u.s - first] += 1;
    countDiff[u.e - first + 1] -= 1;
  }
  const perDay = new Float64Array(size);
  let rate = 0;
  let count = 0;
  for (let i = 0; i < size; i++) {
    rate += rateDiff[i];
    count += countDiff[i];
    perDay[i] = count > 0 ? Math.max(0, rate / count) : -1; // -1: not covered
  }
  return {
    name: `history:${used.length}`,
    rowsOn(day: number): number {
      if (!calendar.isOpen(day)) return 0;
      const v = day >= first && day <= last ? perDay[day - first] : -1;
      return v >= 0 ? v : average;
    },
  };
}

function safeDay(text: string): number | undefined {
  try {
    return parseDay(text);
  } catch {
    return undefined;
  }
}
