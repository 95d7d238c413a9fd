/**
 * Strategy names -> windows. A strategy is a pure function of a day range (and, for `rows`, a
 * density and a row budget); every one of them tiles the range exactly.
 */
import { type DayRange, monthsBetween } from '../core/dates.js';
import { DEFAULTS } from '../core/defaults.js';
import { usageError } from '../core/errors.js';
import type { Density } from './density.js';
import { type Period, fixedDayWindows, periodWindows } from './periods.js';
import { type RowBudget, rowWindows } from './rows.js';

export type Frequency = 'daily' | 'monthly';

export type Strategy =
  | { readonly kind: 'smart' }
  | { readonly kind: 'guide' }
  | { readonly kind: 'period'; readonly period: Period }
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'rows' }
  | { readonly kind: 'auto' };

/**
 * The strategy names a PlanSpec accepts (`days:N` takes a number of days).
 * @example
 * ```ts
 * import { STRATEGY_NAMES } from 'sluice';
 * console.log(STRATEGY_NAMES.join(', ')); // auto, smart, guide, day, week, ...
 * ```
 */
export const STRATEGY_NAMES = [
  'auto',
  'smart',
  'guide',
  'day',
  'week',
  'month',
  'quarter',
  'half',
  'year',
  'days:N',
  'rows',
] as const;

const FIXED: readonly Period[] = ['day', 'week', 'month', 'quarter', 'half', 'year'];

/** Parse a strategy name; SLUICE_USAGE naming `label` when it is not one. */
export function parseStrategy(text: string | undefined, label = 'strategy'): Strategy {
  const name = (text ?? DEFAULTS.plan.strategy).trim();
  if (name === 'smart' || name === 'guide' || name === 'rows' || name === 'auto') return { kind: name };
  if ((FIXED as readonly string[]).includes(name)) return { kind: 'period', period: name as Period };
  const m = /^days:(.*)$/.exec(name);
  if (m) {
    const days = Number(m[1]);
    if (!/^\d+$/.test(m[1]) || !Number.isSafeInteger(days) || days < 1) {
      throw usageError(`${label}: days:N needs a whole number N >= 1, got ${JSON.stringify(name)}`);
    }
    return { kind: 'days', days };
  }
  throw usageError(`${label}: expected one of ${STRATEGY_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
}

/** Parse `daily|monthly` (default daily). */
export function parseFrequency(text: string | undefined, label = 'frequency'): Frequency {
  if (text === undefined || text === 'daily' || text === 'monthly') return text ?? DEFAULTS.plan.frequency;
  throw usageError(`${label}: expected daily or monthly, got ${JSON.stringify(text)}`);
}

/**
 * The upstream five-level rule. The span is measured like the original: days = end - start,
 * months = calendar months between the two dates (Jan 15 -> Mar 14 is 2).
 * <= 31 days: one window; <= 3 months: months; <= 24: quarters; <= 120: half-years; else years.
 */
export function smartPeriod(range: DayRange): Period {
  if (range.end - range.start <= 31) return 'single';
  const months = monthsBetween(range.start, range.end);
  if (months <= 3) return 'month';
  if (months <= 24) return 'quarter';
  if (months <= 120) return 'half';
  return 'year';
}

/**
 * The `guide` strategy's period, from span = end - start in days and the data's frequency.
 * daily: <= 31 single, <= 365 month, <= 1825 quarter, else year.
 * monthly: <= 365 single, <= 1825 year, else multi_year (5 calendar years).
 */
export function guidePeriod(range: DayRange, frequency: Frequency = 'daily'): Period {
  const span = range.end - range.start;
  if (frequency === 'monthly') return span <= 365 ? 'single' : span <= 1825 ? 'year' : 'multi_year';
  if (span <= 31) return 'single';
  if (span <= 365) return 'month';
  if (span <= 1825) return 'quarter';
  return 'year';
}

export interface StrategyOptions {
  /** For `guide`. @default 'daily' */
  readonly frequency?: Frequency;
  /** Required by `rows`. */
  readonly density?: Density;
  /** Required by `rows`. */
  readonly budget?: RowBudget;
}

export interface StrategyResult {
  readonly windows: DayRange[];
  /** What the strategy resolved to: a period name, `days:N` or `rows`. */
  readonly resolved: string;
  /** For `rows`: estimated rows per window and the count of windows over budget (one oversized day each). */
  readonly rows?: number[];
  readonly oversized?: number;
}

/**
 * Windows of `range` for `strategy`. `rows` without a density or budget is a SLUICE_USAGE. `auto`
 * plans online (plan/auto.ts); as a fixed plan, with no run to learn from, it is the calendar rule.
 */
export function windowsFor(range: DayRange, strategy: Strategy, options: StrategyOptions = {}): StrategyResult {
  switch (strategy.kind) {
    case 'auto':
    case 'smart': {
      const p = smartPeriod(range);
      return { windows: periodWindows(range, p), resolved: p };
    }
    case 'guide': {
      const p = guidePeriod(range, options.frequency);
      return { windows: periodWindows(range, p), resolved: p };
    }
    case 'period':
      return { windows: periodWindows(range, strategy.period), resolved: strategy.period };
    case 'days':
      return { windows: fixedDayWindows(range, strategy.days), resolved: `days:${strategy.days}` };
    case 'rows': {
      if (!options.density) throw usageError('strategy rows: needs a row density (--rows-per-day N or --density FILE)');
      if (!options.budget) throw usageError('strategy rows: needs a row cap (--row-cap N)');
      const r = rowWindows(range, options.density, options.budget);
      return { windows: r.windows, resolved: 'rows', rows: r.rows, oversized: r.oversized };
    }
  }
}
