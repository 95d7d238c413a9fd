/**
 * SQLite's errors in words a user can act on: a full disk names the disk and what to do, not the
 * statement that happened to hit it.
 */
import { ErrorCodes, SluiceError, isSluiceError, messageOf } from '../../core/errors.js';
import { scrub } from '../../core/secrets.js';

/** What a SQLite result code means for the file at `path`, or undefined for the rest. */
export function sqliteHint(err: unknown, path: string | undefined): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const file = path ?? 'the database';
  const raw = `${code}: ${messageOf(err)}`;
  if (code === 'SQLITE_FULL')
    return `the disk holding ${file} is full, or the database reached its size limit (${raw}); free space, then run again with --resume`;
  if (code.startsWith('SQLITE_READONLY')) return `${file} is read-only (${raw})`;
  if (code === 'SQLITE_CANTOPEN') return `cannot open ${file}: check that it is a file in a writable folder (${raw})`;
  if (code.startsWith('SQLITE_IOERR')) return `the disk holding ${file} failed to read or write (${raw})`;
  if (code === 'SQLITE_NOTADB') return `${file} is not a SQLite database (${raw})`;
  if (code.startsWith('SQLITE_CORRUPT')) return `${file} is damaged (${raw})`;
  return undefined;
}

/** Wraps a database error as SLUICE_SINK with a scrubbed message (SluiceErrors pass through). */
export function sinkError(err: unknown, doing: string, batchKey?: string, path?: string): SluiceError {
  if (isSluiceError(err)) return err;
  const text = sqliteHint(err, path) ?? messageOf(err);
  return new SluiceError(ErrorCodes.SINK, scrub(`${doing}: ${text}`), batchKey ? { batchKey } : {}, { cause: err });
}
