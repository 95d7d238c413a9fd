/**
 * `daily`: one row per symbol per open day it trades. Order: trade_date descending, then ts_code
 * ascending. Rows are computed by index; per-day row counts of the full universe are cached so an
 * offset is reached by skipping whole days.
 */
import { formatDay } from '../core/dates.js';
import type { TradingCalendar } from './calendar.js';
import { unit, round } from './hash.js';
import { codesParam, dayRange, pickRow, type ApiTable, type PreparedQuery } from './tables.js';
import type { Universe } from './universe.js';
import type { Vintage } from './vintage.js';

export const DAILY_FIELDS = [
  'ts_code',
  'trade_date',
  'open',
  'high',
  'low',
  'close',
  'pre_close',
  'change',
  'pct_chg',
  'vol',
  'amount',
] as const;

export class DailyPrices {
  private readonly freq: Float64Array;
  private readonly phase: Float64Array;
  private readonly dayCounts: Int32Array;
  private readonly dateText: (string | undefined)[];

  constructor(
    readonly seed: number,
    readonly calendar: TradingCalendar,
    readonly universe: Universe,
    readonly vintage: Vintage,
  ) {
    const n = universe.size;
    this.freq = new Float64Array(n);
    this.phase = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      this.freq[s] = 0.005 + 0.03 * unit(seed, 8, s);
      this.phase[s] = unit(seed, 9, s) * 2 * Math.PI;
    }
    this.dayCounts = new Int32Array(calendar.openDays.length).fill(-1);
    this.dateText = new Array<string | undefined>(calendar.openDays.length);
  }

  /** YYYYMMDD of open day index `t` (cached). */
  date(t: number): string {
    let s = this.dateText[t];
    if (s === undefined) {
      s = formatDay(this.calendar.openDays[t]);
      this.dateText[t] = s;
    }
    return s;
  }

  /** Close of symbol `s` on open day index `t` (defined for every index; used when it trades). */
  close(s: number, t: number): number {
    const level = this.universe.basePrice[s] * (1 + 0.3 * Math.sin(t * this.freq[s] + this.phase[s]));
    return round(level * (1 + 0.04 * (unit(this.seed, 7, s, t) - 0.5)), 2);
  }

  /** Last close before open day index `t` on a day the symbol traded; the listing price before that. */
  preClose(s: number, t: number): number {
    const u = this.universe;
    const days = this.calendar.openDays;
    for (let j = t - 1; j >= 0 && days[j] >= u.listDay[s]; j--) {
      if (!u.isSuspended(s, days[j])) return this.close(s, j);
    }
    return round(u.basePrice[s], 2);
  }

  /** Rows of the whole universe on open day index `t`. */
  countDay(t: number): number {
    let c = this.dayCounts[t];
    if (c < 0) {
      c = 0;
      const day = this.calendar.openDays[t];
      for (let s = 0; s < this.universe.size; s++) if (this.universe.trades(s, day)) c++;
      this.dayCounts[t] = c;
    }
    return c;
  }

  /** Write the full row of (s, t) into `out` (length = DAILY_FIELDS.length). */
  fill(out: unknown[], s: number, t: number): void {
    const close = this.close(s, t);
    const pre = this.preClose(s, t);
    const seed = this.seed;
    const open = round(pre * (1 + 0.03 * (unit(seed, 11, s, t) - 0.5)), 2);
    const high = round(Math.max(open, close) * (1 + 0.02 * unit(seed, 12, s, t)), 2);
    const low = round(Math.min(open, close) * (1 - 0.02 * unit(seed, 13, s, t)), 2);
    let vol = round(1000 + unit(seed, 14, s, t) * 500_000, 2);
    // A revised day: the vendor corrected the volume (and so the amount); prices stand.
    if (this.vintage.isRevised(this.calendar.openDays[t])) vol = round(vol * (1.01 + 0.1 * unit(seed, 15, s, t)), 2);
    out[0] = this.universe.codes[s];
    out[1] = this.date(t);
    out[2] = open;
    out[3] = high;
    out[4] = low;
    out[5] = close;
    out[6] = pre;
    out[7] = round(close - pre, 2);
    out[8] = round(((close - pre) / pre) * 100, 4);
    out[9] = vol;
    out[10] = round((vol * (open + close + high + low)) / 40, 3);
  }
}

class DailyQuery implements PreparedQuery {
  constructor(
    private readonly prices: DailyPrices,
    private readonly symbols: number[] | undefined,
    private readonly first: number,
    private readonly last: number,
  ) {}

  private countDay(t: number): number {
    if (!this.symbols) return this.prices.countDay(t);
    const day = this.prices.calendar.openDays[t];
    let c = 0;
    for (const s of this.symbols) if (this.prices.universe.trades(s, day)) c++;
    return c;
  }

  count(): number {
    let total = 0;
    for (let t = this.last; t >= this.first; t--) total += this.countDay(t);
    return total;
  }

  rows(offset: number, limit: number, pick: readonly number[]): unknown[][] {
    const out: unknown[][] = [];
    const { universe, calendar } = this.prices;
    const full = new Array<unknown>(DAILY_FIELDS.length);
    const identity = pick.length === DAILY_FIELDS.length && pick.every((p, i) => p === i);
    let skip = offset;
    for (let t = this.last; t >= this.first && out.length < limit; t--) {
      if (skip > 0) {
        const c = this.countDay(t);
        if (skip >= c) {
          skip -= c;
          continue;
        }
      }
      const day = calendar.openDays[t];
      const n = this.symbols ? this.symbols.length : universe.size;
      for (let k = 0; k < n && out.length < limit; k++) {
        const s = this.symbols ? this.symbols[k] : k;
        if (!universe.trades(s, day)) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        if (identity) {
          const row = new Array<unknown>(DAILY_FIELDS.length);
          this.prices.fill(row, s, t);
          out.push(row);
        } else {
          this.prices.fill(full, s, t);
          out.push(pickRow(full, pick));
        }
      }
    }
    return out;
  }
}

export function dailyTable(prices: DailyPrices, cap: number): ApiTable {
  return {
    name: 'daily',
    fields: DAILY_FIELDS,
    cap,
    prepare(params) {
      const { start, end } = dayRange(params, 'trade_date');
      const symbols = codesParam(params, (c) => prices.universe.indexOf(c));
      const first = prices.calendar.firstIndexFrom(start);
      const last = prices.calendar.lastIndexUpTo(Math.min(end, prices.vintage.lastDay));
      return new DailyQuery(prices, symbols, first, last);
    },
  };
}

/**
 * A table with the rows, parameters, order and cap of `daily`, each row made by `make` from the
 * daily columns `from` (indices into DAILY_FIELDS) and the symbol's index in the universe.
 */
export function derivedFromDaily(
  prices: DailyPrices,
  cap: number,
  name: string,
  fields: readonly string[],
  from: readonly number[],
  make: (cols: unknown[], symbol: number) => unknown[],
): ApiTable {
  const daily = dailyTable(prices, cap);
  return {
    name,
    fields,
    cap,
    prepare(params) {
      const q = daily.prepare(params);
      return {
        count: () => q.count(),
        rows: (offset, limit, pick) =>
          q
            .rows(offset, limit, from)
            .map((cols) => pickRow(make(cols, prices.universe.indexOf(cols[0] as string)), pick)),
      };
    },
  };
}
