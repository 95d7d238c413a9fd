/**
 * `fina_indicator`: a sparse per-symbol quarterly API (cap 100). A symbol reports for each quarter
 * it was listed through, except about 15 % of quarters (missing reports). Order: ts_code ascending,
 * then end_date descending. As on the real server, `ts_code` is required (-2001 without it),
 * `start_date`/`end_date` select report periods (end_date), `period` one end_date, `ann_date` one
 * announcement day.
 */
import { dayFromParts, daysInMonth, formatDay } from '../core/dates.js';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR } from './calendar.js';
import { hash, round, unit } from './hash.js';
import { ParamError, codesParam, dateParam, dayRange, pickRow, type ApiTable, type PreparedQuery } from './tables.js';
import { missingParamMessage } from './wordings.js';
import type { Universe } from './universe.js';
import type { Vintage } from './vintage.js';

export const FINA_FIELDS = [
  'ts_code',
  'ann_date',
  'end_date',
  'eps',
  'bps',
  'roe',
  'grossprofit_margin',
  'netprofit_margin',
  'debt_to_assets',
] as const;

/** Share of quarters without a report. */
const MISSING_RATE = 0.15;

const QUARTER_ENDS: number[] = [];
for (let y = CALENDAR_FIRST_YEAR; y <= CALENDAR_LAST_YEAR; y++) {
  for (const m of [3, 6, 9, 12]) QUARTER_ENDS.push(dayFromParts(y, m, daysInMonth(y, m)));
}

class FinaQuery implements PreparedQuery {
  constructor(
    private readonly seed: number,
    private readonly universe: Universe,
    private readonly symbols: number[] | undefined,
    private readonly periods: { start: number; end: number },
    private readonly annDay: number | undefined,
    private readonly vintage: Vintage,
  ) {}

  private announced(s: number, q: number): number {
    return QUARTER_ENDS[q] + 15 + (hash(this.seed, 21, s, q) % 76);
  }

  /** Report of symbol s for quarter q exists and matches the filters. */
  private matches(s: number, q: number): boolean {
    const end = QUARTER_ENDS[q];
    const u = this.universe;
    if (end < u.listDay[s] || end >= u.delistDay[s]) return false;
    if (end < this.periods.start || end > this.periods.end) return false;
    if (unit(this.seed, 20, s, q) < MISSING_RATE) return false;
    const ann = this.announced(s, q);
    return ann <= this.vintage.lastDay && (this.annDay === undefined || ann === this.annDay);
  }

  private each(visit: (s: number, q: number) => boolean): void {
    const n = this.symbols ? this.symbols.length : this.universe.size;
    for (let k = 0; k < n; k++) {
      const s = this.symbols ? this.symbols[k] : k;
      for (let q = QUARTER_ENDS.length - 1; q >= 0; q--) {
        if (this.matches(s, q) && !visit(s, q)) return;
      }
    }
  }

  count(): number {
    let c = 0;
    this.each(() => {
      c++;
      return true;
    });
    return c;
  }

  rows(offset: number, limit: number, pick: readonly number[]): unknown[][] {
    const out: unknown[][] = [];
    let skip = offset;
    const seed = this.seed;
    this.each((s, q) => {
      if (skip > 0) {
        skip--;
        return true;
      }
      const full = [
        this.universe.codes[s],
        formatDay(this.announced(s, q)),
        formatDay(QUARTER_ENDS[q]),
        // A report announced on a revised day was restated: its eps differs.
        round(unit(seed, this.vintage.isRevised(this.announced(s, q)) ? 28 : 22, s, q) * 2.5 - 0.4, 4),
        round(2 + unit(seed, 23, s, q) * 18, 4),
        round(unit(seed, 24, s, q) * 30 - 6, 4),
        round(5 + unit(seed, 25, s, q) * 55, 4),
        round(unit(seed, 26, s, q) * 35 - 5, 4),
        round(10 + unit(seed, 27, s, q) * 75, 4),
      ];
      out.push(pickRow(full, pick));
      return out.length < limit;
    });
    return out;
  }
}

export function finaTable(seed: number, universe: Universe, vintage: Vintage): ApiTable {
  return {
    name: 'fina_indicator',
    fields: FINA_FIELDS,
    cap: 100,
    prepare(params) {
      const codes = codesParam(params, (c) => universe.indexOf(c));
      if (codes === undefined) throw new ParamError(missingParamMessage('ts_code'));
      return new FinaQuery(seed, universe, codes, dayRange(params, 'period'), dateParam(params, 'ann_date'), vintage);
    },
  };
}
