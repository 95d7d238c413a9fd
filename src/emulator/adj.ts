/**
 * `adj_factor`: one adjustment factor per symbol per day it trades (the rows of `daily`, same order
 * and parameters). The factor steps up once a year by a per-symbol amount. Its row cap is not
 * published (the catalogue lists it as unknown), which makes it the API the cap detection is
 * tested on.
 */
import { hash, round } from './hash.js';
import { dailyTable, type DailyPrices } from './daily.js';
import { pickRow, type ApiTable } from './tables.js';

export const ADJ_FIELDS = ['ts_code', 'trade_date', 'adj_factor'] as const;

export function adjTable(prices: DailyPrices, cap = 6000): ApiTable {
  const daily = dailyTable(prices, cap);
  const { seed, universe } = prices;
  return {
    name: 'adj_factor',
    fields: ADJ_FIELDS,
    cap,
    prepare(params) {
      const q = daily.prepare(params);
      return {
        count: () => q.count(),
        rows(offset, limit, pick) {
          return q.rows(offset, limit, [0, 1]).map(([code, date]) => {
            const s = universe.indexOf(code as string);
            const years = Number(String(date).slice(0, 4)) - 1995;
            const factor = round(1 + years * ((hash(seed, 30, s) % 50) / 1000), 4);
            return pickRow([code, date, factor], pick);
          });
        },
      };
    },
  };
}
