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

export { createSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite/store.js';
export { createJsonlStore, JsonlStore, type JsonlStoreOptions } from './jsonl.js';
export { createPostgresStore, PostgresStore, type PostgresStoreOptions } from './postgres/store.js';
export { checkIdentifier, checkTableSpec, isIdentifier } from './sql.js';

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

/** A store for writing (not yet open: call `open()`). */
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
