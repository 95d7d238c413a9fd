/**
 * The file source: rows from a local CSV (header line), JSON Lines or JSON array file, filtered
 * per batch by its window (on `dateField`) and by any batch parameter that names a column (e.g. the
 * `each` value). Useful to replay an export, or to try a job offline before spending quota.
 * The file is read once and kept in memory; each batch is served in pages of `rowCap` rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseDay } from '../core/dates.js';
import { DEFAULTS } from '../core/defaults.js';
import { ErrorCodes, SluiceError, messageOf } from '../core/errors.js';
import type { CallContext, Source } from '../core/source.js';
import type { Batch, Page } from '../core/types.js';

/**
 * Options of `createFileSource`.
 * @example
 * ```ts
 * createFileSource({ path: 'export.csv', dateField: 'trade_date', fields: ['ts_code', 'trade_date', 'close'] });
 * ```
 */
export interface FileSourceOptions {
  readonly path: string;
  /** Pacing key. @default 'file' */
  readonly api?: string;
  /** Column holding the row's date (YYYYMMDD or YYYY-MM-DD). @default 'trade_date' */
  readonly dateField?: string;
  /** Columns to return, in order. @default all columns of the file */
  readonly fields?: readonly string[];
  /** Rows per page. @default 6000 */
  readonly rowCap?: number;
  /** Batch parameters that carry the window (not column filters). @default ['start_date', 'end_date'] */
  readonly windowParams?: readonly string[];
}

interface Table {
  readonly fields: string[];
  readonly rows: unknown[][];
  /** Day number of each row (NaN when the row has no readable date). */
  readonly days: Float64Array;
}

function bad(path: string, message: string): SluiceError {
  return new SluiceError(ErrorCodes.BAD_JOB, `source.path: ${path}: ${message}`);
}

/** Split one CSV line (RFC 4180 quoting). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

function csvValue(text: string): unknown {
  if (text === '') return null;
  return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) && !/^-?0\d/.test(text) && text.length < 16 ? Number(text) : text;
}

function readTable(path: string, dateField: string): Table {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw bad(path, 'cannot read the file');
  }
  let fields: string[];
  let rows: unknown[][];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let objects: Record<string, unknown>[];
    try {
      objects = trimmed.startsWith('[')
        ? (JSON.parse(text) as Record<string, unknown>[])
        : text
            .split(/\r?\n/)
            .filter((l) => l.trim() !== '')
            .map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch (err) {
      throw bad(path, `not valid JSON or JSON Lines (${messageOf(err)})`);
    }
    fields = [...new Set(objects.flatMap((o) => Object.keys(o)))];
    rows = objects.map((o) => fields.map((f) => o[f] ?? null));
  } else {
    const lines = text.split(/\r?\n/).filter((l) => l !== '');
    if (lines.length === 0) throw bad(path, 'the file is empty');
    fields = splitCsvLine(lines[0]).map((f) => f.trim());
    rows = lines.slice(1).map((l) => splitCsvLine(l).map(csvValue));
  }
  const at = fields.indexOf(dateField);
  if (at < 0) throw bad(path, `no column ${dateField} (columns: ${fields.join(', ')})`);
  const days = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    try {
      days[i] = parseDay(String(r[at]));
    } catch {
      days[i] = NaN;
    }
  });
  return { fields, rows, days };
}

/**
 * A source that reads a CSV, JSON Lines or JSON file: each batch gets the rows inside its window (to replay an export
 * or try a job offline).
 * @example
 * ```ts
 * import { createFileSource, execute } from 'sluice';
 * const source = createFileSource({ path: 'daily.csv' });
 * execute(
 *   [
 *     {
 *       key: 'q1',
 *       params: { start_date: '20240101', end_date: '20240331' },
 *       window: { start: '20240101', end: '20240331' },
 *     },
 *   ],
 *   { source },
 * );
 * ```
 */
export function createFileSource(opts: FileSourceOptions): Source {
  if (!existsSync(opts.path)) throw bad(opts.path, 'no such file');
  const rowCap = opts.rowCap ?? DEFAULTS.file.rowCap;
  const dateField = opts.dateField ?? DEFAULTS.file.dateField;
  let table: Table | undefined;
  const load = (): Table => (table ??= readTable(opts.path, dateField));
  return {
    api: opts.api ?? DEFAULTS.file.api,
    rowCap,
    fields: opts.fields,
    async *fetch(batch: Batch, ctx: CallContext): AsyncIterable<Page> {
      const t = load();
      const fields = opts.fields ?? t.fields;
      const pick = fields.map((f) => {
        const i = t.fields.indexOf(f);
        if (i < 0) throw bad(opts.path, `no column ${f}`);
        return i;
      });
      const from = batch.window ? parseDay(batch.window.start) : -Infinity;
      const to = batch.window ? parseDay(batch.window.end) : Infinity;
      const windowParams = new Set(opts.windowParams ?? Object.values(DEFAULTS.plan.dateParams));
      const equal = Object.entries(batch.params)
        .filter(([k]) => !windowParams.has(k))
        .map(([k, v]) => [t.fields.indexOf(k), v] as const)
        .filter(([i]) => i >= 0 && t.fields[i] !== dateField);
      const matches: unknown[][] = [];
      for (let i = 0; i < t.rows.length; i++) {
        const d = t.days[i];
        if (!(d >= from && d <= to)) continue;
        const row = t.rows[i];
        if (equal.every(([c, v]) => String(row[c]) === String(v))) matches.push(pick.map((c) => row[c]));
      }
      for (let page = 0, offset = 0; page === 0 || offset < matches.length; page++, offset += rowCap) {
        const items = matches.slice(offset, offset + rowCap);
        yield await ctx.call(async () => ({ fields, items }), { page });
      }
    },
  };
}
