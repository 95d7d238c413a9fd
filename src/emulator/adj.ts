/**
 * `adj_factor`: one adjustment factor per symbol per day it trades (the rows of `daily`, same order
 * and parameters). The factor steps up once a year by a per-symbol amount. Its row cap is not
 * published (the catalogue lists it as unknown), which makes it the API the cap detection is
 * tested on.
 */
import { hash, round } from './hash.js';
import { derivedFromDaily, type DailyPrices } from './daily.js';
import type { ApiTable } from './tables.js';

export const ADJ_FIELDS = ['ts_code', 'trade_date', 'adj_factor'] as const;

export function adjTable(prices: DailyPrices, cap = 6000): ApiTable {
  return derivedFromDaily(prices, cap, 'adj_factor', ADJ_FIELDS, [0, 1], ([code, date], s) => {
    const years = Number(String(date).slice(0, 4)) - 1995;
    return [code, date, round(1 + years * ((hash(prices.seed, 30, s) % 50) / 1000), 4)];
  });
}
