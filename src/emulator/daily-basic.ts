/**
 * `daily_basic`: daily indicators of each symbol on each day it trades (the rows, order and
 * parameters of `daily`): close, turnover, valuation ratios and market values, from the seed.
 */
import { hash, round, unit } from './hash.js';
import { dailyTable, type DailyPrices } from './daily.js';
import { pickRow, type ApiTable } from './tables.js';

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
  const daily = dailyTable(prices, cap);
  const { seed, universe } = prices;
  return {
    name: 'daily_basic',
    fields: DAILY_BASIC_FIELDS,
    cap,
    prepare(params) {
      const q = daily.prepare(params);
      return {
        count: () => q.count(),
        rows(offset, limit, pick) {
          // the daily rows give code, date and close; the indicators are a function of (symbol, date)
          return q.rows(offset, limit, [0, 1, 5]).map(([code, date, close]) => {
            const s = universe.indexOf(code as string);
            const d = Number(date);
            const shares = round(1e4 + (hash(seed, 40, s) % 900_000), 2); // 10k shares
            const full = [
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
            return pickRow(full, pick);
          });
        },
      };
    },
  };
}
