/**
 * Opening a store from a sink config (`sluice run`) or from a `--db` value (read-only commands).
 */
import { existsSync } from 'node:fs';
import type { Store, TableSpec } from '../core/store.js';
import { SluiceError, ErrorCodes } from '../core/errors.js';
import { redactUrls } from '../core/secrets.js';
import { createSqliteStore } from './sqlite/store.js';
import { createJsonlStore } from './jsonl.js';
import { createPostgresStore } from './postgres/store.js';

/**
 * Which store to open, as a job's `sink` describes it: SQLite (the journal and the table in one
 * file), JSON Lines (rows appended to a file, the journal in a SQLite file next to it) or
 * PostgreSQL (journal and table in one schema; batches load with COPY and upsert).
 * @example
 * ```ts
 * const config: StoreConfig = {
 *   type: 'sqlite',
 *   path: './market.db',
 *   table: { table: 'daily', key: ['ts_code', 'trade_date'] },
 * };
 * ```
 */
export type StoreConfig =
  | {
      readonly type: 'sqlite';
      readonly path: string;
      readonly table: TableSpec;
      /** Group commit window; 0 (default) = every batch durable when `commit` returns. See SqliteStore. */
      readonly groupCommitMs?: number;
    }
  | { readonly type: 'jsonl'; readonly path: string; readonly journalPath?: string; readonly table: TableSpec }
  | { readonly type: 'postgres'; readonly url: string; readonly schema?: string; readonly table: TableSpec };

/**
 * A store for writing (not yet open: call `open()`).
 * @example
 * ```ts
 * import { openStore } from 'sluice';
 * const table = { table: 'daily', key: ['ts_code', 'trade_date'] };
 * const sqlite = openStore({ type: 'sqlite', path: './market.db', table, groupCommitMs: 2000 });
 * const jsonl = openStore({ type: 'jsonl', path: './daily.jsonl', table });
 * const pg = openStore({ type: 'postgres', url: process.env.DATABASE_URL!, schema: 'market', table });
 * await sqlite.open();
 * ```
 */
export function openStore(config: StoreConfig): Store {
  switch (config.type) {
    case 'sqlite':
      return createSqliteStore({ path: config.path, table: config.table, groupCommitMs: config.groupCommitMs });
    case 'jsonl':
      return createJsonlStore({ path: config.path, journalPath: config.journalPath, table: config.table });
    case 'postgres':
      return createPostgresStore({ url: config.url, schema: config.schema, table: config.table });
    default:
      throw new SluiceError(
        ErrorCodes.BAD_JOB,
        `sink.type: expected sqlite, postgres or jsonl, got ${String((config as { type: unknown }).type)}`,
      );
  }
}

/**
 * The journal of a sink's database, for reading only (not yet open: call `open()`). Never creates
 * anything: a missing database, or one without the journal tables, is SLUICE_NOT_FOUND from `open()`.
 */
export function openJournalReader(config: StoreConfig): Store {
  switch (config.type) {
    case 'sqlite':
      return createSqliteStore({ path: config.path, mustExist: true });
    case 'jsonl':
      return createJsonlStore({ path: config.path, journalPath: config.journalPath, mustExist: true });
    case 'postgres':
      return createPostgresStore({ url: config.url, schema: config.schema, mustExist: true });
  }
}

/** True when `db` names a PostgreSQL database. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * A store for reading the journal of an existing database (`--db X`): a postgres:// URL, a
 * `.jsonl` file (its journal), or a SQLite file. Never creates anything: a missing file or a
 * database without Sluice's tables is SLUICE_NOT_FOUND ("no Sluice database at X"), thrown at
 * once for a missing file and by `open()` for a database without the journal tables.
 * @example
 * ```ts
 * import { openStoreAt } from 'sluice';
 * const store = openStoreAt('./market.db'); // or 'postgres://user@db:5432/market?schema=market'
 * await store.open();
 * const latest = await store.getRun('latest');
 * console.log(latest?.report?.rows.written);
 * await store.close();
 * ```
 */
export function openStoreAt(db: string, options: { readonly schema?: string } = {}): Store {
  if (isPostgresUrl(db)) {
    // `?schema=NAME` picks the schema the job wrote to (the rest of the URL goes to pg as is).
    const url = new URL(db);
    const schema = url.searchParams.get('schema') ?? options.schema;
    url.searchParams.delete('schema');
    return createPostgresStore({ url: url.toString(), schema: schema ?? undefined, mustExist: true });
  }
  if (db.toLowerCase().endsWith('.jsonl')) {
    if (!existsSync(`${db}.journal.db`)) throw new SluiceError(ErrorCodes.NOT_FOUND, `no Sluice database at ${db}`);
    return createJsonlStore({ path: db, mustExist: true });
  }
  if (!existsSync(db)) throw new SluiceError(ErrorCodes.NOT_FOUND, `no Sluice database at ${redactUrls(db)}`);
  return createSqliteStore({ path: db, mustExist: true });
}
