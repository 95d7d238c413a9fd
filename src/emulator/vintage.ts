/**
 * What the emulated vendor has published so far: market data up to an `asOf` day (a later asOf is
 * the data moved on), and a run of trading days whose values were revised after they were first
 * served (the vendor correcting itself). The server and its ground truth (`emu.dataset`) read the
 * same Vintage, so tests compare a table with what the server serves now.
 */
import { usageError } from '../core/errors.js';
import { formatDay, parseDay } from '../core/dates.js';
import { DATA_LAST_DAY, type TradingCalendar } from './calendar.js';

/**
 * Revised days: the last `days` trading days up to and including `through` (YYYYMMDD; default the
 * asOf day when the revision is set) serve values that differ from the unrevised ones.
 */
export interface RevisionSpec {
  readonly days: number;
  readonly through?: string;
}

/** The vintage as plain text, for reports and tests. */
export interface VintageInfo {
  /** Last day with market data (YYYYMMDD). */
  readonly asOf: string;
  /** First and last revised trading day, when a revision is in force. */
  readonly revised?: { readonly from: string; readonly to: string };
}

export class Vintage {
  /** Last day number with market data. */
  private last = DATA_LAST_DAY;
  private revisedFirst = Number.POSITIVE_INFINITY;
  private revisedLast = Number.NEGATIVE_INFINITY;

  constructor(private readonly calendar: TradingCalendar) {}

  /** Last day number with market data. */
  get lastDay(): number {
    return this.last;
  }

  /** True when values of `day` (a day number) are served revised. */
  isRevised(day: number): boolean {
    return day >= this.revisedFirst && day <= this.revisedLast;
  }

  /** Serve market data up to `asOf` (YYYYMMDD); undefined: up to the dataset's last day. */
  setAsOf(asOf: string | undefined): void {
    if (asOf === undefined) {
      this.last = DATA_LAST_DAY;
      return;
    }
    const day = parseDay(asOf, 'asOf');
    if (day < this.calendar.first) throw usageError(`asOf: ${asOf} is before the calendar starts (19950101)`);
    this.last = Math.min(day, DATA_LAST_DAY);
  }

  /** Revise the last `days` trading days through `through` (default: the asOf day); undefined: none. */
  setRevisions(spec: RevisionSpec | undefined): void {
    if (spec === undefined || spec.days === 0) {
      this.revisedFirst = Number.POSITIVE_INFINITY;
      this.revisedLast = Number.NEGATIVE_INFINITY;
      return;
    }
    if (!Number.isSafeInteger(spec.days) || spec.days < 0)
      throw usageError(`revisions.days: expected a whole number >= 0, got ${spec.days}`);
    const through = spec.through === undefined ? this.last : parseDay(spec.through, 'revisions.through');
    const lastIdx = this.calendar.lastIndexUpTo(through);
    if (lastIdx < 0) throw usageError(`revisions.through: no trading day on or before ${spec.through}`);
    const firstIdx = Math.max(0, lastIdx - spec.days + 1);
    this.revisedFirst = this.calendar.openDays[firstIdx];
    this.revisedLast = this.calendar.openDays[lastIdx];
  }

  info(): VintageInfo {
    const base = { asOf: formatDay(this.last) };
    if (!Number.isFinite(this.revisedFirst)) return base;
    return { ...base, revised: { from: formatDay(this.revisedFirst), to: formatDay(this.revisedLast) } };
  }
}

/** Parse `N` or `N@YYYYMMDD` (the CLI's --revisions); throws a usage error naming the flag. */
export function parseRevisions(text: string, flag = '--revisions'): RevisionSpec {
  const m = /^\s*(\d+)\s*(?:@\s*(\d{8}))?\s*$/.exec(text);
  if (!m)
    throw usageError(
      `${flag}: expected N or N@YYYYMMDD (N trading days through that day), got ${JSON.stringify(text)}`,
    );
  return m[2] === undefined ? { days: Number(m[1]) } : { days: Number(m[1]), through: m[2] };
}
