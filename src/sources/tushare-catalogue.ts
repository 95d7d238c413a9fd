/**
 * The Tushare API catalogue: what Sluice knows about each API it has facts for (row cap, date
 * parameters and what they filter on, whether a code is required, natural key, points, integer
 * columns). The facts themselves live in tushare-apis.ts; this file holds their types and lookups.
 * A fact that no official page confirms is listed in `unconfirmed`.
 */
import { DEFAULTS } from '../core/defaults.js';
import { TUSHARE_APIS } from './tushare-apis.js';

/** What an API's date parameters filter on. */
export type DateMeaning =
  /** The trading day of the row. */
  | 'trade-date'
  /** The day a report or notice was published (`ann_date`). */
  | 'announcement-date'
  /** The report period (`end_date`, a quarter end). */
  | 'report-period'
  /** A calendar day (trade_cal). */
  | 'calendar-date'
  /** The day a fund's net asset value is for. */
  | 'nav-date'
  /** The API takes no date range. */
  | 'none';

/**
 * Whether the API needs its code parameter: `required` (every call), `code-or-date` (the code or a
 * single date), `one-parameter` (at least one of its filters), `optional`.
 */
export type CodeRule = 'required' | 'code-or-date' | 'one-parameter' | 'optional';

/** Facts that may be unconfirmed. */
export type CatalogueFact = 'rowCap' | 'dates' | 'code' | 'key' | 'points' | 'integers';

/**
 * One catalogued Tushare API.
 * @example
 * ```ts
 * const api: TushareApi | undefined = tushareApi('daily');
 * console.log(api?.rowCap, api?.key.join(','), api?.dateMeaning);
 * ```
 */
export interface TushareApi {
  readonly name: string;
  /** What it holds, in a few words. */
  readonly title: string;
  /** Rows one call returns at most; undefined when no public figure was found (detected at run time). */
  readonly rowCap?: number;
  /** Request parameters of a date window (`start_date`/`end_date`); undefined when it takes no range. */
  readonly dateParams?: { readonly start: string; readonly end: string };
  /** What the window's dates filter on. */
  readonly dateMeaning: DateMeaning;
  /** Single-date parameters it also takes (e.g. `trade_date`, `ann_date`, `period`). */
  readonly dateFilters: readonly string[];
  /** Its code parameter and whether it is required; undefined when it takes none. */
  readonly code?: { readonly param: 'ts_code' | 'index_code'; readonly rule: CodeRule };
  /** The reference API whose list holds its codes (`stock_basic` when left out): what a sync asks it for. */
  readonly codesFrom?: string;
  /** Natural key of a row (the upsert key a job gets by default). */
  readonly key: readonly string[];
  /** Points a token needs; undefined when unknown or not a points matter (`pointsNote`). */
  readonly points?: number;
  readonly pointsNote?: string;
  /** Numeric columns that hold whole numbers (every other numeric column is REAL). */
  readonly integers: readonly string[];
  /** Columns holding dates as text (`YYYYMMDD`). */
  readonly dateColumns: readonly string[];
  /** The field holding the date a window filters on (what a mirror tracks coverage by). */
  readonly rowDate?: string;
  /** Reference data (lists, calendars): fetched whole, not in date windows. */
  readonly reference: boolean;
  /** Facts no official page confirms (a cap listed here is detected at run time, not trusted). */
  readonly unconfirmed: readonly CatalogueFact[];
  /** Where the facts come from, and what differs between sources. */
  readonly notes?: string;
}

const BY_NAME: ReadonlyMap<string, TushareApi> = new Map(TUSHARE_APIS.map((a) => [a.name, a]));

/**
 * The catalogue entry of an API, or undefined when it is not catalogued.
 * @example
 * ```ts
 * const fina = tushareApi('fina_indicator');
 * if (fina?.code?.rule === 'required') console.log(`${fina.name} needs ${fina.code.param}`);
 * ```
 */
export function tushareApi(name: string): TushareApi | undefined {
  return BY_NAME.get(name);
}

/**
 * Every catalogued API, by name.
 * @example
 * ```ts
 * for (const a of tushareApis()) console.log(a.name, a.rowCap ?? 'detected at run time');
 * ```
 */
export function tushareApis(): readonly TushareApi[] {
  return [...TUSHARE_APIS].sort((a, b) => a.name.localeCompare(b.name));
}

/** True when the catalogue's row cap of `api` is documented (a cap Sluice trusts without checking). */
export function documentedRowCap(api: string): number | undefined {
  const a = BY_NAME.get(api);
  return a?.rowCap !== undefined && !a.unconfirmed.includes('rowCap') ? a.rowCap : undefined;
}

/** Declared column kinds of an API's table: its integer columns and its text date columns. */
export function columnKindsOf(api: string): Record<string, 'integer' | 'text'> | undefined {
  const a = BY_NAME.get(api);
  if (!a) return undefined;
  const kinds: Record<string, 'integer' | 'text'> = {};
  for (const c of a.dateColumns) kinds[c] = 'text';
  for (const c of a.integers) kinds[c] = 'integer';
  return kinds;
}

/** Row cap of a Tushare API when neither the job nor the catalogue gives one. */
export const FALLBACK_ROW_CAP = DEFAULTS.tushare.rowCap;
