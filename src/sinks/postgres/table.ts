/**
 * The data table in PostgreSQL: created from the first rows it sees, widened with ADD COLUMN when
 * new fields appear (both under an advisory lock, so several workers can start at once), and
 * written through COPY into a temporary staging table followed by one
 * `INSERT ... SELECT DISTINCT ON (key) ... ON CONFLICT (key) DO UPDATE`.
 *
 * Column types: those the table spec declares (from the API's catalogue: `bigint` for integer
 * columns); otherwise text, boolean, and `double precision` for numbers, except that an
 * integer-valued key column becomes `bigint`. (Numbers are not typed `bigint` from the values: a
 * column whose first batch happened to hold only whole numbers may hold fractions later.) A column
 * seen only with nulls becomes text.
 */
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BatchRows, Page } from '../../core/types.js';
import type { TableSpec } from '../../core/store.js';
import { SluiceError, ErrorCodes } from '../../core/errors.js';
import { checkKeyPresent, columnKind, fieldsOf, inferKinds, quote, type ColumnKind } from '../sql.js';
import { copyChunks } from './copy.js';
import { checkExistingTable } from '../table-check.js';

/** Extra staging column that keeps the rows' order, so the last duplicate of a key wins. */
const ORDINAL = 'sluice_ordinal';

function pgType(kind: ColumnKind): string {
  switch (kind) {
    case 'integer':
      return 'bigint';
    case 'real':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}

async function copyPage(c: PoolClient, staging: string, page: Page, firstOrdinal: number): Promise<void> {
  const columns = [...page.fields.map(quote), quote(ORDINAL)].join(', ');
  const stream = c.query(copyFrom(`COPY ${staging} (${columns}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  for (const chunk of copyChunks(page, firstOrdinal)) {
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await done;
}

export class PgTable {
  /** Existing column names, or undefined before the table is known to exist. */
  private columns: Set<string> | undefined;
  readonly name: string;
  private readonly lockKey: string;

  constructor(
    private readonly schema: string,
    private readonly spec: TableSpec,
  ) {
    this.name = `${quote(schema)}.${quote(spec.table)}`;
    this.lockKey = `sluice:${schema}.${spec.table}`;
  }

  /** Forget what is known about the table (after a rolled-back transaction). */
  forget(): void {
    this.columns = undefined;
  }

  private async loadColumns(c: PoolClient): Promise<Set<string> | undefined> {
    const r = await c.query<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [this.schema, this.spec.table],
    );
    return r.rows.length === 0 ? undefined : new Set(r.rows.map((x) => x.column_name));
  }

  /** An existing table must have the key's columns and a primary key or unique index on them. */
  async checkExisting(c: PoolClient): Promise<void> {
    const columns = await this.loadColumns(c);
    if (!columns) return;
    const r = await c.query<{ cols: string[] }>(
      `SELECT array_agg(a.attname::text ORDER BY a.attnum) AS cols
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
       WHERE i.indrelid = to_regclass($1) AND i.indisunique GROUP BY i.indexrelid`,
      [this.name],
    );
    checkExistingTable(
      this.spec.table,
      { columns: [...columns], uniqueKeys: r.rows.map((x) => x.cols) },
      this.spec.key,
    );
  }

  /** Creates the table or adds missing columns, in its own transaction under an advisory lock. */
  async ensure(c: PoolClient, fields: readonly string[], pages: readonly Page[]): Promise<void> {
    if (this.columns && fields.every((f) => this.columns?.has(f))) return;
    if (fields.includes(ORDINAL)) throw new SluiceError(ErrorCodes.SINK, `field name ${ORDINAL} is reserved by Sluice`);
    await c.query('BEGIN');
    try {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockKey]);
      const existing = await this.loadColumns(c);
      const missing = fields.filter((f) => !existing?.has(f));
      const kinds = inferKinds(missing, pages);
      const keys = new Set(this.spec.key);
      if (!existing) {
        const cols = fields.map(
          (f) => `${quote(f)} ${pgType(columnKind(this.spec, f, kinds.get(f)))}${keys.has(f) ? ' NOT NULL' : ''}`,
        );
        await c.query(
          `CREATE TABLE ${this.name} (${cols.join(', ')}, PRIMARY KEY (${this.spec.key.map(quote).join(', ')}))`,
        );
      } else {
        for (const f of missing)
          await c.query(
            `ALTER TABLE ${this.name} ADD COLUMN IF NOT EXISTS ${quote(f)} ${pgType(columnKind({ ...this.spec, key: [] }, f, kinds.get(f)))}`,
          );
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    this.columns = await this.loadColumns(c);
  }

  /**
   * Upserts every page through a staging table; call inside the commit's transaction, after
   * `ensure`. Returns the number of rows written.
   */
  async write(c: PoolClient, rows: BatchRows): Promise<number> {
    const pages = rows.pages.filter((p) => p.items.length > 0);
    if (pages.length === 0) return 0;
    const staging = quote('sluice_staging');
    await c.query(`CREATE TEMP TABLE ${staging} (LIKE ${this.name}, ${quote(ORDINAL)} bigint) ON COMMIT DROP`);
    const keys = this.spec.key.map(quote).join(', ');
    // Pages with the same fields share one COPY and one INSERT.
    const groups = new Map<string, Page[]>();
    for (const p of pages) {
      const id = p.fields.join(',');
      groups.set(id, [...(groups.get(id) ?? []), p]);
    }
    let written = 0;
    let first = true;
    for (const group of groups.values()) {
      if (!first) await c.query(`TRUNCATE ${staging}`);
      first = false;
      for (const page of group) {
        await copyPage(c, staging, page, written);
        written += page.items.length;
      }
      const fields = group[0].fields;
      const cols = fields.map(quote).join(', ');
      const keySet = new Set(this.spec.key);
      const updates = fields.filter((f) => !keySet.has(f)).map((f) => `${quote(f)} = EXCLUDED.${quote(f)}`);
      await c.query(
        `INSERT INTO ${this.name} (${cols}) SELECT DISTINCT ON (${keys}) ${cols} FROM ${staging} ORDER BY ${keys}, ${quote(ORDINAL)} DESC ` +
          `ON CONFLICT (${keys}) ${updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`,
      );
    }
    return written;
  }

  /** Checks fields and key presence; returns the fields to ensure. */
  fieldsFor(rows: BatchRows, batchKey: string): string[] {
    const fields = fieldsOf(rows);
    for (const page of rows.pages) if (page.items.length > 0) checkKeyPresent(this.spec.key, page.fields, batchKey);
    return fields;
  }
}
