/**
 * `daily_basic`: daily indicators of each symbol on each day it trades (the rows, order and
 * parameters of `daily`): close, turnover, valuation ratios and market values, from the seed.
 */
import { hash, round, unit } from './hash.js';
import { derivedFromDaily, type DailyPrices } from './daily.js';
import type { ApiTable } from './tables.js';

export const DAILY_BASIC_FIELDS = [
  'ts_code',
  'trade_date',
  'close',
  'turnover_rate',
  'volume_ratio',
  'pe',
  'pb',
  'total_share',
  'total_mv',
] as const;

export function dailyBasicTable(prices: DailyPrices, cap = 6000): ApiTable {
  const { seed } = prices;
  // the daily rows give code, date and close; the indicators are a function of (symbol, date)
  return derivedFromDaily(prices, cap, 'daily_basic', DAILY_BASIC_FIELDS, [0, 1, 5], ([code, date, close], s) => {
    const d = Number(date);
    const shares = round(1e4 + (hash(seed, 40, s) % 900_000), 2); // 10k shares
    return [
      code,
      date,
      close,
      round(unit(seed, 41, s, d) * 8, 4),
      round(0.3 + unit(seed, 42, s, d) * 3, 2),
      round(5 + unit(seed, 43, s, d) * 60, 4),
      round(0.5 + unit(seed, 44, s, d) * 9, 4),
      shares,
      round(shares * Number(close), 2),
    ];
  });
}
