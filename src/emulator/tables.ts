/**
 * What every emulated API implements: a field list, a row cap, and prepared queries that count
 * their rows and produce any slice of them by index, in a fixed order, without storing rows.
 */
import { dayFromParts } from '../core/dates.js';

/** A bad parameter or field: the server answers code -2001 with this message. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

export interface PreparedQuery {
  /** Rows matching the query. */
  count(): number;
  /**
   * Rows [offset, offset + limit) in the API's order, each holding the fields at `pick`
   * (indices into the API's field list).
   */
  rows(offset: number, limit: number, pick: readonly number[]): unknown[][];
}

export interface ApiTable {
  readonly name: string;
  /** All fields, in the default order. */
  readonly fields: readonly string[];
  /** Most rows one call returns. */
  readonly cap: number;
  /** Validate the parameters (throws ParamError) and prepare the row set. */
  prepare(params: Readonly<Record<string, unknown>>): PreparedQuery;
}

const DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** A YYYYMMDD parameter as a day number; undefined when absent or empty. */
export function dateParam(params: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  const m = DATE.exec(String(v));
  if (!m) throw new ParamError(`参数错误: ${name} 应为 YYYYMMDD 格式的日期, 收到 ${JSON.stringify(v)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const day = dayFromParts(y, mo, d);
  const check = new Date(day * 86_400_000);
  if (check.getUTCMonth() + 1 !== mo || check.getUTCDate() !== d) {
    throw new ParamError(`参数错误: ${name} 不是有效日期 ${JSON.stringify(v)}`);
  }
  return day;
}

/** A text parameter; undefined when absent or empty. */
export function textParam(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** Inclusive day range from start_date/end_date (or one exact date parameter). */
export function dayRange(
  params: Readonly<Record<string, unknown>>,
  exactName: string | undefined,
): { start: number; end: number } {
  const exact = exactName ? dateParam(params, exactName) : undefined;
  if (exact !== undefined) return { start: exact, end: exact };
  return {
    start: dateParam(params, 'start_date') ?? Number.MIN_SAFE_INTEGER,
    end: dateParam(params, 'end_date') ?? Number.MAX_SAFE_INTEGER,
  };
}

/** Symbol indices named by a comma-separated `ts_code` (unknown codes match nothing), or undefined for all. */
export function codesParam(
  params: Readonly<Record<string, unknown>>,
  indexOf: (code: string) => number,
): number[] | undefined {
  const text = textParam(params, 'ts_code');
  if (text === undefined) return undefined;
  const found = new Set<number>();
  for (const part of text.split(',')) {
    const i = indexOf(part.trim());
    if (i >= 0) found.add(i);
  }
  return [...found].sort((a, b) => a - b);
}

/** Pick fields from a full row. */
export function pickRow(full: readonly unknown[], pick: readonly number[]): unknown[] {
  const out = new Array<unknown>(pick.length);
  for (let j = 0; j < pick.length; j++) out[j] = full[pick[j]];
  return out;
}
