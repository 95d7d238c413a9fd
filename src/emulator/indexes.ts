/**
 * Indexes: `index_basic` (the list, ts_code ascending) and `index_daily` (one row per index per
 * open day from its listing, trade_date descending; `ts_code` required as on the real server, cap
 * 8000; served up to the emulator's asOf day). A fixed set of indexes with their real listing dates; the levels come from the seed.
 */
import { formatDay, parseDay } from '../core/dates.js';
import type { TradingCalendar } from './calendar.js';
import { round, unit } from './hash.js';
import { ParamError, codesParam, dayRange, pickRow, textParam, type ApiTable } from './tables.js';
import type { Vintage } from './vintage.js';
import { missingParamMessage } from './wordings.js';

export const INDEX_BASIC_FIELDS = [
  'ts_code',
  'name',
  'market',
  'publisher',
  'category',
  'base_date',
  'base_point',
  'list_date',
] as const;

export const INDEX_DAILY_FIELDS = [
  'ts_code',
  'trade_date',
  'close',
  'open',
  'high',
  'low',
  'pre_close',
  'change',
  'pct_chg',
  'vol',
  'amount',
] as const;

/** The indexes served: code, name, market, base date, base point, list date (sorted by code). */
const INDEXES: readonly [string, string, 'SSE' | 'SZSE', string, number, string][] = [
  ['000001.SH', '上证指数', 'SSE', '19901219', 100, '19910715'],
  ['000016.SH', '上证50', 'SSE', '20031231', 1000, '20040102'],
  ['000300.SH', '沪深300', 'SSE', '20041231', 1000, '20050408'],
  ['000905.SH', '中证500', 'SSE', '20041231', 1000, '20070115'],
  ['399001.SZ', '深证成指', 'SZSE', '19940720', 1000, '19950123'],
  ['399006.SZ', '创业板指', 'SZSE', '20100531', 1000, '20100601'],
];

const LIST_DAYS = INDEXES.map((i) => parseDay(i[5]));
const codeIndex = (code: string) => INDEXES.findIndex((i) => i[0] === code);

export function indexBasicTable(): ApiTable {
  return {
    name: 'index_basic',
    fields: INDEX_BASIC_FIELDS,
    cap: 8000,
    prepare(params) {
      const market = textParam(params, 'market');
      const codes = codesParam(params, codeIndex) ?? INDEXES.map((_i, k) => k);
      const ids = codes.filter((k) => market === undefined || INDEXES[k][2] === market);
      return {
        count: () => ids.length,
        rows(offset, limit, pick) {
          return ids.slice(offset, offset + limit).map((k) => {
            const [code, name, mk, base, point, list] = INDEXES[k];
            return pickRow([code, name, mk, mk === 'SSE' ? '中证公司' : '深交所', '规模指数', base, point, list], pick);
          });
        },
      };
    },
  };
}

/** Level of index k on open day index t: a slow wave around its base point, from the seed. */
function level(seed: number, k: number, t: number): number {
  const base = INDEXES[k][4] * 3;
  const wave = 1 + 0.4 * Math.sin(t * (0.002 + 0.004 * unit(seed, 50, k)) + unit(seed, 51, k) * 6.28);
  return round(base * wave * (1 + 0.02 * (unit(seed, 52, k, t) - 0.5)), 4);
}

export function indexDailyTable(seed: number, calendar: TradingCalendar, vintage: Vintage): ApiTable {
  return {
    name: 'index_daily',
    fields: INDEX_DAILY_FIELDS,
    cap: 8000,
    prepare(params) {
      const codes = codesParam(params, codeIndex);
      if (codes === undefined) throw new ParamError(missingParamMessage('ts_code'));
      const { start, end } = dayRange(params, 'trade_date');
      const last = calendar.lastIndexUpTo(Math.min(end, vintage.lastDay));
      // (index, day index) pairs in the API's order: trade_date descending, then ts_code
      const spans = codes.map((k) => ({ k, first: calendar.firstIndexFrom(Math.max(start, LIST_DAYS[k])) }));
      const count = spans.reduce((n, s) => n + Math.max(0, last - s.first + 1), 0);
      return {
        count: () => count,
        rows(offset, limit, pick) {
          const out: unknown[][] = [];
          let skip = offset;
          for (let t = last; t >= 0 && out.length < limit; t--) {
            for (const { k, first } of spans) {
              if (t < first) continue;
              if (skip > 0) {
                skip--;
                continue;
              }
              const close = level(seed, k, t);
              const pre = t > 0 ? level(seed, k, t - 1) : close;
              const open = round(pre * (1 + 0.01 * (unit(seed, 53, k, t) - 0.5)), 4);
              const vol = round(1e6 + unit(seed, 54, k, t) * 5e7, 2);
              const full = [
                INDEXES[k][0],
                formatDay(calendar.openDays[t]),
                close,
                open,
                round(Math.max(open, close) * (1 + 0.01 * unit(seed, 55, k, t)), 4),
                round(Math.min(open, close) * (1 - 0.01 * unit(seed, 56, k, t)), 4),
                pre,
                round(close - pre, 4),
                round(((close - pre) / pre) * 100, 4),
                vol,
                round(vol * close * 0.01, 3),
              ];
              out.push(pickRow(full, pick));
              if (out.length >= limit) break;
            }
            if (spans.every((s) => t <= s.first)) break;
          }
          return out;
        },
      };
    },
  };
}
