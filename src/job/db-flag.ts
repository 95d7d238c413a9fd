/**
 * `--db` overrides the job's sink: a `postgres://` URL makes it a PostgreSQL sink (`?schema=NAME`
 * picks the schema), a path ending in `.jsonl` a JSONL sink, any other path a SQLite file; the
 * table and key stay the job's. Also the sink's place, checked before the run (exit 2).
 */
import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { redactUrls } from '../core/secrets.js';
import { isIdentifier, isPostgresUrl } from '../sinks/index.js';
import { checkWritableFile } from './places.js';
import type { SinkConfig } from './schema.js';

/** The sink config with `--db` applied. */
export function sinkWithDb(sink: SinkConfig, db: string | undefined): SinkConfig {
  if (!db) return sink;
  const { table, key } = sink;
  if (isPostgresUrl(db)) {
    let url: URL;
    try {
      url = new URL(db);
    } catch {
      throw new SluiceError(ErrorCodes.USAGE, `--db: not a valid PostgreSQL URL: ${redactUrls(db)}`);
    }
    const schema = url.searchParams.get('schema');
    if (schema !== null && !isIdentifier(schema))
      throw new SluiceError(ErrorCodes.USAGE, `--db: ?schema= expects an identifier, got ${JSON.stringify(schema)}`);
    url.searchParams.delete('schema');
    const fallback = sink.type === 'postgres' ? sink.schema : undefined;
    return { type: 'postgres', url: url.toString(), schema: schema ?? fallback, table, key };
  }
  if (db.toLowerCase().endsWith('.jsonl')) return { type: 'jsonl', path: db, table, key };
  return { type: 'sqlite', path: db, table, key };
}

/** Where the sink is, for messages: a path, or a URL without its password. */
export function sinkLabel(sink: SinkConfig, db: string | undefined): string {
  const s = sinkWithDb(sink, db);
  return s.type === 'postgres' ? `${redactUrls(s.url)}${s.schema ? ` (schema ${s.schema})` : ''}` : s.path;
}

/**
 * Throws a usage error (exit 2) when the SQLite or JSONL file cannot be written: a directory, a
 * read-only file, a missing or read-only folder. `--db` names the flag, else `sink.path`.
 */
export function checkSinkPlace(sink: SinkConfig, options: { db?: string; baseDir?: string }): void {
  const s = sinkWithDb(sink, options.db);
  if (s.type === 'postgres' || s.path === ':memory:') return;
  const path = options.db || isAbsolute(s.path) ? s.path : resolve(options.baseDir ?? process.cwd(), s.path);
  const label = options.db ? '--db' : 'sink.path';
  const code = options.db ? ErrorCodes.USAGE : ErrorCodes.BAD_JOB;
  checkWritableFile(path, label, code);
  if (s.type === 'jsonl') checkWritableFile(`${path}.journal.db`, label, code);
}
