/**
 * Reading columns of a table a job wrote (a sync reads its reference tables back: the trading
 * calendar and the lists of codes). Opens its own connection and closes it; never creates anything.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { quote } from './sql.js';
import type { StoreConfig } from './open.js';

/**
 * The given columns of every row of the sink's table, or undefined when the table does not exist
 * (nothing stored yet).
 * @example
 * ```ts
 * const rows = await readColumns({ type: 'sqlite', path: './mirror.db', table: { table: 'stock_basic', key: ['ts_code'] } }, ['ts_code']);
 * ```
 */
export async function readColumns(config: StoreConfig, columns: readonly string[]): Promise<unknown[][] | undefined> {
  const list = columns.map(quote).join(', ');
  if (config.type === 'postgres') {
    const schema = config.schema ?? config.table.schema ?? 'public';
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    try {
      const name = `${quote(schema)}.${quote(config.table.table)}`;
      const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [name]);
      if (!exists.rows[0].t) return undefined;
      const r = await client.query({ text: `SELECT ${list} FROM ${name}`, rowMode: 'array' });
      return r.rows as unknown[][];
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (config.type === 'jsonl') throw new SluiceError(ErrorCodes.USAGE, 'a JSON Lines sink cannot be read back');
  if (!existsSync(config.path)) return undefined;
  const db = new Database(config.path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 60000');
    const found = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(config.table.table);
    if (!found) return undefined;
    return db
      .prepare(`SELECT ${list} FROM ${quote(config.table.table)}`)
      .raw()
      .all() as unknown[][];
  } finally {
    db.close();
  }
}
