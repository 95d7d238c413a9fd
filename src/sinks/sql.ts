/**
 * Helpers shared by the SQL stores: identifier checks and quoting, column type inference from
 * values, and the shape of a batch's rows (which fields, which pages).
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { SluiceError, ErrorCodes, type ErrorCode } from '../core/errors.js';
import type { BatchRows, Page } from '../core/types.js';
import type { TableSpec } from '../core/store.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Longest identifier accepted (Postgres truncates at 63 bytes). */
export const MAX_IDENTIFIER_LENGTH = 63;

/** True when `name` is a plain identifier that is safe to quote and use in SQL. */
export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_IDENTIFIER_LENGTH && IDENTIFIER.test(name);
}

/**
 * Throws unless `name` is a plain identifier. `what` names the place it came from (for example
 * `sink.table`), so that the message points at the key to fix.
 */
export function checkIdentifier(name: unknown, what: string, code: ErrorCode = ErrorCodes.BAD_JOB): string {
  if (!isIdentifier(name)) {
    throw new SluiceError(
      code,
      `${what}: expected an identifier matching [A-Za-z_][A-Za-z0-9_]* (at most ${MAX_IDENTIFIER_LENGTH} chars), got ${JSON.stringify(String(name)).slice(0, 80)}`,
    );
  }
  return name;
}

/** Double-quotes a checked identifier. */
export function quote(name: string): string {
  return `"${checkIdentifier(name, 'identifier', ErrorCodes.SINK)}"`;
}

/** Validates a table spec (table, key, schema) and returns it; job-file errors name the key. */
export function checkTableSpec(spec: TableSpec): TableSpec {
  checkIdentifier(spec.table, 'sink.table');
  if (spec.schema !== undefined) checkIdentifier(spec.schema, 'sink.schema');
  if (!Array.isArray(spec.key) || spec.key.length === 0) {
    throw new SluiceError(ErrorCodes.BAD_JOB, 'sink.key: expected a non-empty list of column names');
  }
  spec.key.forEach((k, i) => checkIdentifier(k, `sink.key[${i}]`));
  if (new Set(spec.key).size !== spec.key.length) {
    throw new SluiceError(ErrorCodes.BAD_JOB, 'sink.key: expected distinct column names');
  }
  return spec;
}

/** What a column holds, as far as the values seen so far tell. */
export type ColumnKind = 'integer' | 'real' | 'boolean' | 'text' | 'unknown';

/** The kind of one value; null and undefined are 'unknown'. */
export function kindOf(value: unknown): ColumnKind {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'real';
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'undefined':
      return 'unknown';
    default:
      return value === null ? 'unknown' : 'text';
  }
}

/** Combines two kinds into the narrowest kind that holds both. */
export function widen(a: ColumnKind, b: ColumnKind): ColumnKind {
  if (a === b || b === 'unknown') return a;
  if (a === 'unknown') return b;
  if ((a === 'integer' && b === 'real') || (a === 'real' && b === 'integer')) return 'real';
  return 'text';
}

/** Infers each named field's kind from every value of that field in the pages. */
export function inferKinds(fields: readonly string[], pages: readonly Page[]): Map<string, ColumnKind> {
  const kinds = new Map<string, ColumnKind>(fields.map((f) => [f, 'unknown']));
  for (const page of pages) {
    page.fields.forEach((field, col) => {
      if (!kinds.has(field)) return;
      let kind = kinds.get(field) as ColumnKind;
      for (const row of page.items) {
        kind = widen(kind, kindOf(row[col]));
        if (kind === 'text') break;
      }
      kinds.set(field, kind);
    });
  }
  return kinds;
}

/**
 * The kind a new column is created with: the declared one when the spec has it; otherwise the
 * values' kind, except that whole numbers make a REAL column (a price column whose first batch
 * happened to hold only whole numbers must not become INTEGER), unless it is a key column.
 */
export function columnKind(spec: TableSpec, field: string, inferred: ColumnKind | undefined): ColumnKind {
  const declared = spec.columns?.[field];
  if (declared) return declared;
  const kind = inferred ?? 'unknown';
  return kind === 'integer' && !spec.key.includes(field) ? 'real' : kind;
}

/** Every field named by the rows or any of their pages, in first-seen order, each checked. */
export function fieldsOf(rows: BatchRows): string[] {
  const seen = new Set<string>();
  const add = (f: string): void => {
    if (!seen.has(f)) {
      checkIdentifier(f, `field ${JSON.stringify(f)} returned by the source`, ErrorCodes.SINK);
      seen.add(f);
    }
  };
  for (const page of rows.pages) if (page.items.length > 0) page.fields.forEach(add);
  if (seen.size > 0) rows.fields.forEach(add);
  return [...seen];
}

/** Throws SLUICE_BAD_JOB unless every key column is among the page's fields. */
export function checkKeyPresent(key: readonly string[], fields: readonly string[], batchKey: string): void {
  for (const k of key) {
    if (!fields.includes(k)) {
      throw new SluiceError(
        ErrorCodes.BAD_JOB,
        `sink.key: column "${k}" is not among the fields the source returned (${fields.join(', ')})`,
        { batchKey },
      );
    }
  }
}

/** Throws SLUICE_BAD_JOB when the folder that should hold `path` does not exist. */
export function checkParentDir(path: string, key = 'sink.path'): void {
  if (path === ':memory:' || path === '') return;
  const dir = dirname(path);
  if (!existsSync(dir))
    throw new SluiceError(ErrorCodes.BAD_JOB, `${key}: directory ${dir} does not exist; create it first`);
}
