/**
 * The data table in SQLite: created from the first rows it sees (column types declared by the
 * table spec, else from the values: numbers REAL, text TEXT; see sql.ts columnKind), widened with ALTER TABLE ADD COLUMN when new fields appear, written with a cached
 * upsert statement per field list. Identifiers are checked and quoted; values are always bound.
 */
import type Database from 'better-sqlite3';
import type { BatchRows, Page } from '../../core/types.js';
import type { TableSpec } from '../../core/store.js';
import { SluiceError, ErrorCodes } from '../../core/errors.js';
import { checkKeyPresent, columnKind, fieldsOf, inferKinds, quote, type ColumnKind } from '../sql.js';
import { checkExistingTable } from '../table-check.js';

const SQLITE_TYPE: Record<ColumnKind, string> = {
  integer: ' INTEGER',
  real: ' REAL',
  boolean: ' INTEGER',
  text: ' TEXT',
  // No declared type: the column keeps each value as given (SQLite's BLOB/"none" affinity).
  unknown: '',
};

/** Rows bound per INSERT statement (multi-row VALUES); see bench/ingest for the measurement. */
export const DEFAULT_ROWS_PER_STATEMENT = 1;

/** Turns a value into something better-sqlite3 can bind. */
export function bindable(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'bigint':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'undefined':
      return null;
    default:
      if (value === null || value instanceof Uint8Array) return value;
      if (value instanceof Date) return value.toISOString();
      return JSON.stringify(value);
  }
}

function needsCopy(row: readonly unknown[], width: number): boolean {
  if (row.length !== width) return true;
  for (let i = 0; i < width; i++) {
    const t = typeof row[i];
    if (t !== 'number' && t !== 'string' && row[i] !== null) return true;
  }
  return false;
}

function normalized(row: readonly unknown[], width: number): unknown[] {
  const out = new Array<unknown>(width);
  for (let i = 0; i < width; i++) out[i] = bindable(row[i]);
  return out;
}

/**
 * Key columns are NOT NULL: refuse such a row before anything is written, so that a bad batch fails
 * alone and does not take an open commit group down with it.
 */
function checkKeyValues(key: readonly string[], page: Page, batchKey: string): void {
  const at = key.map((k) => page.fields.indexOf(k));
  for (let r = 0; r < page.items.length; r++) {
    const row = page.items[r];
    for (let k = 0; k < at.length; k++) {
      if (row[at[k]] === null || row[at[k]] === undefined) {
        throw new SluiceError(
          ErrorCodes.SINK,
          `batch ${batchKey}: row ${r + 1} has no value for key column "${key[k]}" (NOT NULL)`,
          { batchKey },
        );
      }
    }
  }
}

export class SqliteTable {
  /** Lower-cased existing column names, or undefined before the table exists. */
  private columns: Set<string> | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly spec: TableSpec,
    private readonly rowsPerStatement = DEFAULT_ROWS_PER_STATEMENT,
  ) {
    this.columns = this.existingColumns();
    if (this.columns) this.checkKey();
  }

  /** An existing table must have the key's columns and a primary key or unique index on them. */
  private checkKey(): void {
    const info = this.db.prepare('SELECT name, pk FROM pragma_table_info(?)').all(this.spec.table) as {
      name: string;
      pk: number;
    }[];
    const pk = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const uniqueKeys: string[][] = pk.length > 0 ? [pk] : [];
    const indexes = this.db.prepare('SELECT name, "unique" AS u FROM pragma_index_list(?)').all(this.spec.table) as {
      name: string;
      u: number;
    }[];
    for (const ix of indexes) {
      if (!ix.u) continue;
      const cols = this.db.prepare('SELECT name FROM pragma_index_info(?)').all(ix.name) as { name: string | null }[];
      if (cols.every((c) => c.name !== null)) uniqueKeys.push(cols.map((c) => c.name as string));
    }
    checkExistingTable(this.spec.table, { columns: info.map((c) => c.name), uniqueKeys }, this.spec.key, (n) =>
      n.toLowerCase(),
    );
  }

  /** Re-reads the table's columns (after a rolled-back transaction may have undone a change). */
  refresh(): void {
    this.columns = this.existingColumns();
    this.statements.clear();
  }

  private existingColumns(): Set<string> | undefined {
    const info = this.db.prepare('SELECT name FROM pragma_table_info(?)').all(this.spec.table) as { name: string }[];
    return info.length === 0 ? undefined : new Set(info.map((c) => c.name.toLowerCase()));
  }

  /** Creates the table or adds the missing columns; call inside the commit's transaction. */
  private ensure(fields: readonly string[], pages: readonly Page[]): void {
    const missing = fields.filter((f) => !this.columns?.has(f.toLowerCase()));
    if (missing.length === 0) return;
    const kinds = inferKinds(missing, pages);
    const table = quote(this.spec.table);
    if (this.columns === undefined) {
      const keys = new Set(this.spec.key);
      const cols = fields.map(
        (f) => `${quote(f)}${SQLITE_TYPE[columnKind(this.spec, f, kinds.get(f))]}${keys.has(f) ? ' NOT NULL' : ''}`,
      );
      const pk = this.spec.key.map(quote).join(', ');
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (${cols.join(', ')}, PRIMARY KEY (${pk}))`);
    } else {
      for (const f of missing)
        this.db.exec(
          `ALTER TABLE ${table} ADD COLUMN ${quote(f)}${SQLITE_TYPE[columnKind(this.spec, f, kinds.get(f))]}`,
        );
    }
    this.columns = this.existingColumns();
    this.statements.clear();
  }

  private statement(fields: readonly string[], rowCount: number): Database.Statement {
    const id = `${rowCount}:${fields.join(',')}`;
    let stmt = this.statements.get(id);
    if (!stmt) {
      const keys = new Set(this.spec.key);
      const tuple = `(${fields.map(() => '?').join(', ')})`;
      const updates = fields.filter((f) => !keys.has(f)).map((f) => `${quote(f)} = excluded.${quote(f)}`);
      const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
      stmt = this.db.prepare(
        `INSERT INTO ${quote(this.spec.table)} (${fields.map(quote).join(', ')}) VALUES ${Array(rowCount).fill(tuple).join(', ')} ` +
          `ON CONFLICT (${this.spec.key.map(quote).join(', ')}) ${action}`,
      );
      this.statements.set(id, stmt);
    }
    return stmt;
  }

  /**
   * Throws SLUICE_BAD_JOB when a key column is missing from a page that has rows, and SLUICE_SINK
   * when a row has no key value. Writes nothing: call before `write`.
   */
  check(rows: BatchRows, batchKey: string): void {
    for (const page of rows.pages) {
      if (page.items.length === 0) continue;
      checkKeyPresent(this.spec.key, page.fields, batchKey);
      checkKeyValues(this.spec.key, page, batchKey);
    }
  }

  /**
   * Upserts every row of every page (checked with `check`); call inside a transaction. Returns the
   * number of rows written.
   */
  write(rows: BatchRows): number {
    const fields = fieldsOf(rows);
    if (fields.length === 0) return 0;
    this.ensure(fields, rows.pages);
    let written = 0;
    for (const page of rows.pages) written += this.writePage(page);
    return written;
  }

  private writePage(page: Page): number {
    const items = page.items;
    const width = page.fields.length;
    const per = this.rowsPerStatement;
    let i = 0;
    if (per > 1) {
      const multi = this.statement(page.fields, per);
      const flat = new Array<unknown>(per * width);
      for (; i + per <= items.length; i += per) {
        for (let r = 0; r < per; r++) {
          const row = items[i + r];
          for (let c = 0; c < width; c++) flat[r * width + c] = bindable(row[c]);
        }
        multi.run(flat);
      }
    }
    if (i < items.length) {
      const single = this.statement(page.fields, 1);
      for (; i < items.length; i++) {
        const row = items[i];
        single.run(needsCopy(row, width) ? normalized(row, width) : (row as unknown[]));
      }
    }
    return items.length;
  }
}
