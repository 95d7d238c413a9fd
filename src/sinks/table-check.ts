/**
 * An existing data table must fit the job before anything is fetched: the upsert on `sink.key`
 * needs the key's columns and a primary key or unique index on exactly them. Anything else is a
 * job error (exit 2) that says what differs and what to do, not a database error at the first commit.
 */
import { ErrorCodes, SluiceError } from '../core/errors.js';

export interface ExistingTable {
  readonly columns: readonly string[];
  /** Column lists of the primary key and of every unique index. */
  readonly uniqueKeys: readonly (readonly string[])[];
}

const list = (names: readonly string[]): string => `(${names.join(', ')})`;

/**
 * Throws SLUICE_BAD_JOB when `existing` cannot take the job's rows. `fold` maps a name to how the
 * database compares names (SQLite ignores case).
 */
export function checkExistingTable(
  table: string,
  existing: ExistingTable,
  key: readonly string[],
  fold: (name: string) => string = (n) => n,
): void {
  const have = new Set(existing.columns.map(fold));
  const missing = key.filter((k) => !have.has(fold(k)));
  const fix = `write to another table (sink.table), or rename or drop the existing table ${table}`;
  if (missing.length > 0) {
    throw new SluiceError(
      ErrorCodes.BAD_JOB,
      `sink.table: table ${table} already exists without the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of sink.key ` +
        `(its columns: ${existing.columns.join(', ')}): ${fix}`,
    );
  }
  const wanted = new Set(key.map(fold));
  const fits = existing.uniqueKeys.some((u) => u.length === wanted.size && u.every((c) => wanted.has(fold(c))));
  if (fits) return;
  const shown = [...new Set(existing.uniqueKeys.map(list))];
  const theirs =
    shown.length === 0 ? 'no primary key or unique index' : `primary key or unique index ${shown.join(', ')}`;
  throw new SluiceError(
    ErrorCodes.BAD_JOB,
    `sink.table: table ${table} already exists with ${theirs}, but sink.key is ${list(key)}: storing each row once ` +
      `needs a primary key or unique index on exactly the key's columns. Change sink.key to match, or ${fix}`,
  );
}
