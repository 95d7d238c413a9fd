/** The sinks room: stores for SQLite, PostgreSQL and JSON Lines, and opening one from a config or a `--db` value. */
export { createSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite/store.js';
export { createJsonlStore, JsonlStore, type JsonlStoreOptions } from './jsonl.js';
export { createPostgresStore, PostgresStore, type PostgresStoreOptions } from './postgres/store.js';
export { checkIdentifier, checkTableSpec, isIdentifier } from './sql.js';
export { openJournalReader, openStore, openStoreAt, isPostgresUrl, type StoreConfig } from './open.js';
