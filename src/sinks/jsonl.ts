/**
 * JsonlStore: appends one JSON object per row to a file; the run journal lives in a SQLite file next
 * to it (default `<path>.journal.db`).
 *
 * Append-only, exact across resume: JSONL has no upsert, so a row written twice is stored twice.
 * What the store guarantees instead is that every batch's lines appear exactly once: a commit
 * appends the batch's lines, fsyncs the file, then records the batch's done mark together with the
 * file's new byte length in one journal transaction. On open, the file is cut back to the last
 * recorded length, so lines of a batch whose done mark never committed (crash, SIGKILL) vanish and
 * are written again when the batch is fetched again on `--resume`.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import type { Batch, BatchRows } from '../core/types.js';
import type { Store, TableSpec } from '../core/store.js';
import { SluiceError, ErrorCodes } from '../core/errors.js';
import { checkKeyPresent, checkParentDir, checkTableSpec, fieldsOf } from './sql.js';
import { SqliteJournal, hasJournal } from './sqlite/journal.js';
import { SqliteJournalStore, sinkError } from './sqlite/journal-store.js';
import { SqliteLocks } from './sqlite/lock.js';

export interface JsonlStoreOptions {
  /** The data file (one JSON object per line). */
  readonly path: string;
  /**
   * The journal database.
   * @default `${path}.journal.db`
   */
  readonly journalPath?: string;
  /** Table spec: its key columns must be present in the rows; required to `commit`. */
  readonly table?: TableSpec;
  /**
   * Open an existing journal for reading only: never create files, never touch the data file.
   * @default false
   */
  readonly mustExist?: boolean;
}

const STATE_SQL =
  'CREATE TABLE IF NOT EXISTS sluice_jsonl (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL)';

/** Size of the file at `path`, 0 when there is none. */
function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v,
    );
  }
}

/** The batch's rows as JSON lines. */
export function toJsonLines(rows: BatchRows): string {
  const lines: string[] = [];
  for (const page of rows.pages) {
    const fields = page.fields;
    for (const row of page.items) {
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) obj[fields[i]] = row[i] === undefined ? null : row[i];
      lines.push(safeJson(obj));
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export class JsonlStore extends SqliteJournalStore implements Store {
  protected readonly label = 'JSONL';
  private db: Database.Database | undefined;
  private fd: number | undefined;
  private bytes = 0;
  readonly journalPath: string;

  constructor(private readonly options: JsonlStoreOptions) {
    super();
    if (options.table) checkTableSpec(options.table);
    this.journalPath = options.journalPath ?? `${options.path}.journal.db`;
  }

  /** Byte length of the data file that the journal vouches for. */
  get committedBytes(): number {
    return this.bytes;
  }

  async open(): Promise<void> {
    if (this.db) return;
    const mustExist = this.options.mustExist ?? false;
    if (mustExist && !existsSync(this.journalPath)) {
      throw new SluiceError(ErrorCodes.NOT_FOUND, `no Sluice database at ${this.journalPath}`);
    }
    if (!mustExist) {
      checkParentDir(this.options.path);
      checkParentDir(this.journalPath, 'sink.journalPath');
    }
    let db: Database.Database;
    try {
      db = new Database(this.journalPath, { fileMustExist: mustExist });
    } catch (err) {
      throw sinkError(err, `opening JSONL journal ${this.journalPath}`);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      if (mustExist && !hasJournal(db))
        throw new SluiceError(ErrorCodes.NOT_FOUND, `no Sluice database at ${this.journalPath}`);
      this.journalRef = new SqliteJournal(db, !mustExist);
      if (!mustExist) {
        db.exec(STATE_SQL);
        const state = db.prepare('SELECT bytes FROM sluice_jsonl WHERE id = 1').get() as { bytes: number } | undefined;
        if (state) {
          this.bytes = state.bytes;
        } else {
          // A new journal vouches for whatever the data file already holds: append after it, never cut it.
          this.bytes = sizeOf(this.options.path);
          db.prepare('INSERT INTO sluice_jsonl (id, bytes) VALUES (1, ?)').run(this.bytes);
        }
        this.fd = this.openData();
      }
    } catch (err) {
      db.close();
      this.journalRef = undefined;
      throw sinkError(err, `opening JSONL store ${this.options.path}`);
    }
    this.db = db;
  }

  /** Opens the data file for appending, cutting it back to the committed length. */
  private openData(): number {
    const fd = openSync(this.options.path, 'a');
    const size = fstatSync(fd).size;
    if (size < this.bytes) {
      closeSync(fd);
      throw new SluiceError(
        ErrorCodes.SINK,
        `${this.options.path} holds ${size} bytes but its journal vouches for ${this.bytes}: the file was changed outside Sluice`,
      );
    }
    if (size > this.bytes) {
      ftruncateSync(fd, this.bytes);
      fsyncSync(fd);
    }
    return fd;
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.db?.close();
    this.db = undefined;
    this.journalRef = undefined;
  }

  async commit(runId: string, batch: Batch, rows: BatchRows, attempts: number): Promise<number> {
    const { table } = this.options;
    const fd = this.fd;
    const db = this.db;
    if (!table || fd === undefined || !db)
      throw new SluiceError(ErrorCodes.SINK, 'this JSONL store is not open for writing');
    fieldsOf(rows);
    for (const page of rows.pages) if (page.items.length > 0) checkKeyPresent(table.key, page.fields, batch.key);
    const data = Buffer.from(toJsonLines(rows), 'utf8');
    const before = this.bytes;
    const written = rows.pages.reduce((n, p) => n + p.items.length, 0);
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      if (data.length > 0) fsyncSync(fd);
      db.transaction(() => {
        this.journal.markDone(runId, batch.key, written, attempts);
        db.prepare('UPDATE sluice_jsonl SET bytes = ? WHERE id = 1').run(before + data.length);
      })();
    } catch (err) {
      ftruncateSync(fd, before);
      throw sinkError(err, `writing batch ${batch.key} to ${this.options.path}`, batch.key);
    }
    this.bytes = before + data.length;
    return written;
  }

  locks(): SqliteLocks {
    if (!this.db) throw new SluiceError(ErrorCodes.SINK, 'the JSONL store is not open');
    return new SqliteLocks(this.db);
  }
}

export function createJsonlStore(options: JsonlStoreOptions): JsonlStore {
  return new JsonlStore(options);
}
