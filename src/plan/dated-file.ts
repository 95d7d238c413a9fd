/**
 * Reading small "date -> value" files (calendars, densities) in the shapes people actually have:
 * one date per line, CSV with or without a header, a JSON array of objects, a JSON object map,
 * or Tushare's `{ fields, items }` answer (optionally wrapped in `{ data: ... }`).
 */
import { readFileSync } from 'node:fs';
import { parseDay } from '../core/dates.js';
import { usageError } from '../core/errors.js';

export interface DatedValue {
  readonly day: number;
  /** The value column, or undefined when the file had none (plain list of dates). */
  readonly value: string | number | boolean | undefined;
  /** Where it came from, e.g. `line 3` or `item 2`, for error messages. */
  readonly where: string;
}

export interface DatedFileShape {
  /** Column names that may hold the date, in order of preference. */
  readonly dateColumns: readonly string[];
  /** Column names that may hold the value, in order of preference. */
  readonly valueColumns: readonly string[];
}

const SEPARATOR = /\s*[,;\t]\s*|\s+/;

/** Read and parse a dated file; every problem is a SLUICE_USAGE naming `label`, the file and the line. */
export function readDatedFile(file: string, label: string, shape: DatedFileShape): DatedValue[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw usageError(`${label}: cannot read ${JSON.stringify(file)}: ${reason}`);
  }
  const where = `${label} ${file}`;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw usageError(`${where}: not valid JSON (${(err as Error).message})`);
    }
    return fromJson(json, where, shape);
  }
  return fromLines(text, where, shape);
}

function toDay(raw: unknown, where: string, at: string): number {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  if (text === undefined) throw usageError(`${where}: ${at}: expected a date, got ${JSON.stringify(raw)}`);
  try {
    return parseDay(text);
  } catch {
    throw usageError(`${where}: ${at}: ${JSON.stringify(text)} is not a date (expected YYYYMMDD or YYYY-MM-DD)`);
  }
}

function pickColumn(names: readonly string[], wanted: readonly string[]): number {
  const lower = names.map((n) => n.trim().toLowerCase());
  for (const w of wanted) {
    const i = lower.indexOf(w);
    if (i >= 0) return i;
  }
  return -1;
}

function fromLines(text: string, where: string, shape: DatedFileShape): DatedValue[] {
  const out: DatedValue[] = [];
  const lines = text.split(/\r?\n/);
  let dateCol = 0;
  let valueCol = 1;
  let sawFirst = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(SEPARATOR).map((c) => c.replace(/^"(.*)"$/, '$1'));
    if (!sawFirst) {
      sawFirst = true;
      if (!/^\d{4}-?\d{2}-?\d{2}$/.test(cells[0])) {
        // A header: find the columns by name.
        dateCol = pickColumn(cells, shape.dateColumns);
        if (dateCol < 0) {
          throw usageError(
            `${where}: line ${i + 1}: header has no date column (expected one of ${shape.dateColumns.join(', ')})`,
          );
        }
        valueCol = pickColumn(cells, shape.valueColumns);
        if (valueCol < 0 && cells.length === 2) valueCol = 1 - dateCol;
        continue;
      }
    }
    const at = `line ${i + 1}`;
    const value = valueCol >= 0 && valueCol < cells.length ? cells[valueCol] : undefined;
    out.push({ day: toDay(cells[dateCol], where, at), value, where: at });
  }
  return out;
}

function fromJson(json: unknown, where: string, shape: DatedFileShape): DatedValue[] {
  let root = json;
  if (isRecord(root) && isRecord(root.data) && Array.isArray(root.data.items)) root = root.data;
  if (isRecord(root) && Array.isArray(root.fields) && Array.isArray(root.items)) {
    const fields = (root.fields as unknown[]).map(String);
    const dateCol = pickColumn(fields, shape.dateColumns);
    if (dateCol < 0)
      throw usageError(`${where}: fields have no date column (expected one of ${shape.dateColumns.join(', ')})`);
    const valueCol = pickColumn(fields, shape.valueColumns);
    return (root.items as unknown[]).map((item, i) => {
      const at = `item ${i + 1}`;
      if (!Array.isArray(item)) throw usageError(`${where}: ${at}: expected an array of values`);
      return {
        day: toDay(item[dateCol], where, at),
        value: valueCol >= 0 ? scalar(item[valueCol], where, at) : undefined,
        where: at,
      };
    });
  }
  if (Array.isArray(root)) {
    return root.map((item, i) => {
      const at = `item ${i + 1}`;
      if (typeof item === 'string' || typeof item === 'number')
        return { day: toDay(item, where, at), value: undefined, where: at };
      if (Array.isArray(item)) return { day: toDay(item[0], where, at), value: scalar(item[1], where, at), where: at };
      if (isRecord(item)) {
        const keys = Object.keys(item);
        const dk = keys[pickColumn(keys, shape.dateColumns)];
        if (dk === undefined)
          throw usageError(`${where}: ${at}: no date key (expected one of ${shape.dateColumns.join(', ')})`);
        const vk = keys[pickColumn(keys, shape.valueColumns)];
        return {
          day: toDay(item[dk], where, at),
          value: vk === undefined ? undefined : scalar(item[vk], where, at),
          where: at,
        };
      }
      throw usageError(`${where}: ${at}: expected a date, an array or an object`);
    });
  }
  if (isRecord(root)) {
    return Object.entries(root).map(([k, v]) => ({
      day: toDay(k, where, `key ${k}`),
      value: scalar(v, where, `key ${k}`),
      where: `key ${k}`,
    }));
  }
  throw usageError(`${where}: expected a JSON array or object`);
}

function scalar(v: unknown, where: string, at: string): string | number | boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw usageError(`${where}: ${at}: expected a number or string value, got ${JSON.stringify(v)}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
