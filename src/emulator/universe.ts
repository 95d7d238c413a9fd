/**
 * The emulator's universe of symbols: codes in ascending order (index order = ts_code order),
 * listing and delisting days, a price level per symbol, and rare suspension days, all from the seed.
 */
import { dayFromParts, formatDay } from '../core/dates.js';
import type { TradingCalendar } from './calendar.js';
import { hash, unit } from './hash.js';

/** Most symbols a universe may hold (codes must stay 6 digits and ordered). */
export const MAX_SYMBOLS = 100_000;
/** Probability that a listed symbol is suspended on a given open day. */
export const SUSPENSION_RATE = 0.01;
/** Share of the symbols not delisted that stock_basic reports as paused (list_status P). */
export const PAUSED_RATE = 0.03;
/** No delisting: a day after every calendar. */
export const NEVER = 2 ** 31 - 1;

export class Universe {
  readonly size: number;
  readonly codes: readonly string[];
  readonly names: readonly string[];
  readonly markets: readonly string[];
  /** First trading day (listing day) of each symbol. */
  readonly listDay: Int32Array;
  /** Delisting day (no trading from that day on), or NEVER. */
  readonly delistDay: Int32Array;
  /** Price level of each symbol. */
  readonly basePrice: Float64Array;
  private readonly suspendThreshold: number;

  constructor(
    readonly seed: number,
    size: number,
    calendar: TradingCalendar,
  ) {
    this.size = size;
    const half = Math.ceil(size / 2);
    const codes: string[] = [];
    const names: string[] = [];
    const markets: string[] = [];
    this.listDay = new Int32Array(size);
    this.delistDay = new Int32Array(size);
    this.basePrice = new Float64Array(size);
    const early = dayFromParts(1995, 1, 3);
    const lateSpan = dayFromParts(2022, 12, 31) - dayFromParts(2000, 1, 1);
    for (let i = 0; i < size; i++) {
      const sz = i < half;
      const num = sz ? 1 + i : 600000 + (i - half);
      codes.push(`${String(num).padStart(6, '0')}.${sz ? 'SZ' : 'SH'}`);
      names.push(`Emu ${sz ? 'Shenzhen' : 'Shanghai'} ${String(i + 1).padStart(5, '0')}`);
      markets.push(num % 5 === 0 ? 'ChiNext' : 'Main');
      const h = hash(seed, 1, i);
      // 60 % listed from the start; the rest list between 2000 and 2022.
      const wanted = unit(seed, 2, i) < 0.6 ? early : dayFromParts(2000, 1, 1) + (h % lateSpan);
      const li = Math.min(calendar.firstIndexFrom(wanted), calendar.openDays.length - 1);
      this.listDay[i] = calendar.openDays[li];
      // About 8 % delist, between two years after listing and the end of 2024.
      const endOfDelisting = dayFromParts(2024, 12, 31);
      const earliest = this.listDay[i] + 730;
      if (unit(seed, 3, i) < 0.08 && earliest < endOfDelisting) {
        const d = earliest + (hash(seed, 4, i) % (endOfDelisting - earliest));
        this.delistDay[i] = calendar.openDays[Math.min(calendar.firstIndexFrom(d), calendar.openDays.length - 1)];
      } else {
        this.delistDay[i] = NEVER;
      }
      this.basePrice[i] = 3 + unit(seed, 5, i) * 77;
    }
    this.codes = codes;
    this.names = names;
    this.markets = markets;
    this.suspendThreshold = Math.floor(SUSPENSION_RATE * 4294967296);
  }

  /** Listed and not yet delisted on `day` (ignores suspension). */
  isListed(s: number, day: number): boolean {
    return this.listDay[s] <= day && day < this.delistDay[s];
  }

  /** Suspended on `day` (only meaningful on open days while listed). */
  isSuspended(s: number, day: number): boolean {
    return hash(this.seed, 6, s, day) < this.suspendThreshold;
  }

  /** Trades on the open day `day`: listed and not suspended. */
  trades(s: number, day: number): boolean {
    return this.listDay[s] <= day && day < this.delistDay[s] && hash(this.seed, 6, s, day) >= this.suspendThreshold;
  }

  /** Index of a ts_code, or -1. Codes are sorted, so this is a binary search. */
  indexOf(code: string): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.codes[mid];
      if (c === code) return mid;
      if (c < code) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Listing status as stock_basic reports it: D delisted, P listing paused (about 3 % of the
   * symbols not delisted; a label only: their rows are those of any listed symbol), else L.
   */
  listStatus(s: number): 'L' | 'D' | 'P' {
    if (this.delistDay[s] !== NEVER) return 'D';
    return unit(this.seed, 60, s) < PAUSED_RATE ? 'P' : 'L';
  }

  listDate(s: number): string {
    return formatDay(this.listDay[s]);
  }

  delistDate(s: number): string | null {
    return this.delistDay[s] === NEVER ? null : formatDay(this.delistDay[s]);
  }
}
