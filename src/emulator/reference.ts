/**
 * Reference APIs: `trade_cal` (the calendar, cal_date descending) and `stock_basic` (the universe,
 * ts_code ascending; list_status defaults to L as upstream does).
 */
import { formatDay } from '../core/dates.js';
import type { TradingCalendar } from './calendar.js';
import { ParamError, codesParam, dayRange, pickRow, textParam, type ApiTable } from './tables.js';
import type { Universe } from './universe.js';

export const TRADE_CAL_FIELDS = ['exchange', 'cal_date', 'is_open', 'pretrade_date'] as const;
export const STOCK_BASIC_FIELDS = [
  'ts_code',
  'symbol',
  'name',
  'market',
  'list_status',
  'list_date',
  'delist_date',
] as const;

const EXCHANGES = new Set(['SSE', 'SZSE']);

/** A query over a precomputed list of item ids; `make` builds the full row of one id. */
function listQuery(ids: ArrayLike<number>, make: (id: number) => unknown[]) {
  return {
    count: () => ids.length,
    rows(offset: number, limit: number, pick: readonly number[]): unknown[][] {
      const out: unknown[][] = [];
      for (let i = offset; i < ids.length && out.length < limit; i++) out.push(pickRow(make(ids[i]), pick));
      return out;
    },
  };
}

export function tradeCalTable(calendar: TradingCalendar): ApiTable {
  return {
    name: 'trade_cal',
    fields: TRADE_CAL_FIELDS,
    cap: 10_000,
    prepare(params) {
      const exchange = textParam(params, 'exchange') ?? 'SSE';
      if (!EXCHANGES.has(exchange))
        throw new ParamError(`参数错误: exchange 应为 SSE 或 SZSE, 收到 ${JSON.stringify(exchange)}`);
      const range = dayRange(params, undefined);
      const start = Math.max(range.start, calendar.first);
      const end = Math.min(range.end, calendar.last);
      const isOpen = textParam(params, 'is_open');
      if (isOpen !== undefined && isOpen !== '0' && isOpen !== '1') {
        throw new ParamError(`参数错误: is_open 应为 0 或 1, 收到 ${JSON.stringify(isOpen)}`);
      }
      const ids: number[] = [];
      for (let d = end; d >= start; d--) {
        if (isOpen === undefined || (isOpen === '1') === calendar.isOpen(d)) ids.push(d);
      }
      return listQuery(ids, (d) => {
        const prev = calendar.previousOpen(d);
        return [exchange, formatDay(d), calendar.isOpen(d) ? 1 : 0, prev === undefined ? null : formatDay(prev)];
      });
    },
  };
}

export function stockBasicTable(universe: Universe): ApiTable {
  return {
    name: 'stock_basic',
    fields: STOCK_BASIC_FIELDS,
    cap: 6000,
    prepare(params) {
      const status = textParam(params, 'list_status') ?? 'L';
      if (!['L', 'D', 'P'].includes(status))
        throw new ParamError(`参数错误: list_status 应为 L, D 或 P, 收到 ${JSON.stringify(status)}`);
      const market = textParam(params, 'market');
      const codes = codesParam(params, (c) => universe.indexOf(c));
      const ids: number[] = [];
      const candidates = codes ?? Array.from({ length: universe.size }, (_v, i) => i);
      for (const s of candidates) {
        if (universe.listStatus(s) === status && (market === undefined || universe.markets[s] === market)) ids.push(s);
      }
      return listQuery(ids, (s) => [
        universe.codes[s],
        universe.codes[s].slice(0, 6),
        universe.names[s],
        universe.markets[s],
        universe.listStatus(s),
        universe.listDate(s),
        universe.delistDate(s),
      ]);
    },
  };
}
