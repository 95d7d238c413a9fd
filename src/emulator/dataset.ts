/**
 * The emulator's data, and the ground truth for tests: the server answers from a Dataset, and a
 * test asks the same Dataset for the rows a job should have landed. Same seed -> same rows.
 */
import { usageError } from '../core/errors.js';
import { tradingCalendar, type TradingCalendar } from './calendar.js';
import { adjTable } from './adj.js';
import { DailyPrices, dailyTable } from './daily.js';
import { dailyBasicTable } from './daily-basic.js';
import { finaTable } from './fina.js';
import { indexBasicTable, indexDailyTable } from './indexes.js';
import { stockBasicTable, tradeCalTable } from './reference.js';
import { ParamError, type ApiTable } from './tables.js';
import { MAX_SYMBOLS, Universe } from './universe.js';
import { Vintage, type VintageInfo } from './vintage.js';

export interface DatasetOptions {
  /** @default 42 */
  readonly seed?: number;
  /** Symbols in the universe (1..100000). @default 50 */
  readonly symbols?: number;
  /**
   * Row cap of `daily` (the other APIs have fixed caps: fina_indicator 100, stock_basic 6000,
   * trade_cal 10000, adj_factor 6000, daily_basic 6000, index_basic 8000, index_daily 8000; the
   * server's `rowCaps` option lowers any of them). @default 6000
   */
  readonly dailyRowCap?: number;
}

export interface DataPage {
  readonly fields: string[];
  readonly items: unknown[][];
  readonly hasMore: boolean;
}

export interface Dataset {
  readonly seed: number;
  readonly calendar: TradingCalendar;
  readonly universe: Universe;
  /** What is published: market data up to asOf, and the revised days (see vintage.ts). */
  vintage(): VintageInfo;
  /** API names served. */
  readonly apis: readonly string[];
  /** The table behind an API, or undefined. */
  table(api: string): ApiTable | undefined;
  /** Resolve a `fields` request ('a,b', an array, or empty = all) to indices; throws ParamError. */
  pick(api: string, fields?: string | readonly string[]): { names: string[]; pick: number[] };
  /** One page as the server would answer it (rows [offset, offset+limit), limit clamped to the cap). */
  page(
    api: string,
    params: Readonly<Record<string, unknown>>,
    fields: string | readonly string[] | undefined,
    offset: number,
    limit: number,
  ): DataPage;
  /** Every row matching `params` (no cap, no paging), in the API's order: the ground truth. */
  rows(
    api: string,
    params: Readonly<Record<string, unknown>>,
    fields?: string | readonly string[],
  ): Iterable<unknown[]>;
  /** Number of rows matching `params`. */
  count(api: string, params: Readonly<Record<string, unknown>>): number;
}

const cache = new Map<string, Dataset>();

/**
 * The rows a job over `api` with `params` should land, as arrays in `fields` order (all fields when
 * left out). Same as `dataset(opts).rows(api, params, fields)`, collected.
 */
export function expectedRows(
  opts: DatasetOptions,
  api: string,
  params: Readonly<Record<string, unknown>>,
  fields?: string | readonly string[],
): unknown[][] {
  return [...dataset(opts).rows(api, params, fields)];
}

/** The dataset of a seed and universe size (cached: building it is cheap, but counts are memoised). */
export function dataset(opts: DatasetOptions = {}): Dataset {
  const seed = opts.seed ?? 42;
  const symbols = opts.symbols ?? 50;
  const dailyCap = opts.dailyRowCap ?? 6000;
  if (!Number.isSafeInteger(seed)) throw usageError(`seed: expected a whole number, got ${seed}`);
  if (!Number.isSafeInteger(symbols) || symbols < 1 || symbols > MAX_SYMBOLS) {
    throw usageError(`symbols: expected a whole number from 1 to ${MAX_SYMBOLS}, got ${symbols}`);
  }
  if (!Number.isSafeInteger(dailyCap) || dailyCap < 1)
    throw usageError(`dailyRowCap: expected a whole number >= 1, got ${dailyCap}`);
  const key = `${seed}/${symbols}/${dailyCap}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const built = build(seed | 0, symbols, dailyCap, new Vintage(tradingCalendar()));
  cache.set(key, built);
  return built;
}

/**
 * A dataset of its own (not cached) that follows `vintage`: an emulator moves its data on and
 * revises it through the Vintage, and its ground truth follows.
 */
export function vintageDataset(opts: DatasetOptions, vintage: Vintage): Dataset {
  const base = dataset(opts); // validates the options
  return build(base.seed, base.universe.size, base.table('daily')?.cap ?? 6000, vintage);
}

function build(seed: number, symbols: number, dailyCap: number, vintage: Vintage): Dataset {
  const calendar = tradingCalendar();
  const universe = new Universe(seed, symbols, calendar);
  const prices = new DailyPrices(seed, calendar, universe, vintage);
  const tables = new Map<string, ApiTable>();
  for (const t of [
    dailyTable(prices, dailyCap),
    adjTable(prices),
    finaTable(seed, universe, vintage),
    tradeCalTable(calendar),
    stockBasicTable(universe),
    dailyBasicTable(prices),
    indexBasicTable(),
    indexDailyTable(seed, calendar, vintage),
  ]) {
    tables.set(t.name, t);
  }

  function need(api: string): ApiTable {
    const t = tables.get(api);
    if (!t) throw new ParamError(`接口名称错误: 不存在接口 ${api}`);
    return t;
  }

  function pick(api: string, fields?: string | readonly string[]): { names: string[]; pick: number[] } {
    const t = need(api);
    const list =
      typeof fields === 'string'
        ? fields
            .split(',')
            .map((f) => f.trim())
            .filter((f) => f !== '')
        : [...(fields ?? [])];
    if (list.length === 0) return { names: [...t.fields], pick: t.fields.map((_f, i) => i) };
    const idx = list.map((f) => {
      const i = t.fields.indexOf(f);
      if (i < 0) throw new ParamError(`参数错误: 接口 ${api} 没有字段 ${f}`);
      return i;
    });
    return { names: list, pick: idx };
  }

  return {
    seed,
    calendar,
    universe,
    vintage: () => vintage.info(),
    apis: [...tables.keys()],
    table: (api) => tables.get(api),
    pick,
    page(api, params, fields, offset, limit) {
      const t = need(api);
      const p = pick(api, fields);
      const n = Math.max(0, Math.min(limit, t.cap));
      // Ask for one extra row to learn has_more without counting the whole range.
      const items = t.prepare(params).rows(offset, n + 1, p.pick);
      const hasMore = items.length > n;
      if (hasMore) items.pop();
      return { fields: p.names, items, hasMore };
    },
    *rows(api, params, fields) {
      const t = need(api);
      const p = pick(api, fields);
      const q = t.prepare(params);
      const chunk = 10_000;
      for (let offset = 0; ; offset += chunk) {
        const items = q.rows(offset, chunk, p.pick);
        yield* items;
        if (items.length < chunk) return;
      }
    },
    count: (api, params) => need(api).prepare(params).count(),
  };
}
