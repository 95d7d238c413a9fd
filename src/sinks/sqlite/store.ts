/**
 * SqliteStore: journal and data table in one SQLite file, a batch's rows and its done mark in one
 * transaction.
 *
 * Durability: WAL mode with `synchronous = NORMAL` by default. A WAL commit is atomic whatever
 * happens to the process (SIGKILL, crash): the journal and the rows it vouches for appear together
 * or not at all. NORMAL skips the fsync at each commit, so a power loss or OS crash may roll back
 * the last few commits; they roll back together with their done marks, so `--resume` fetches
 * those batches again and the table stays exact. Choose `FULL` to also keep every acknowledged
 * commit across power loss, at the price of one fsync per batch.
 *
 * Group commit: batches (rows + done mark) are written into one transaction that stays open for up
 * to `groupCommitMs` or `groupCommitRows` rows. A crash before the group's COMMIT, or a batch that
 * fails half-written (the group is rolled back and the error stops the run), loses the whole group's
 * rows together with their done marks, so the batches are simply fetched again on `--resume`: no
 * row is lost or duplicated. This cuts the
 * write amplification of re-writing the key index's pages at every batch (see bench/ingest).
 * Run-level changes (createRun, reopenRun, finishRun, close) commit at once.
 *
 * Other writers on the same file: an open group holds SQLite's write lock, so it never stays open
 * longer than `groupCommitMs` (a timer commits it even when no further batch arrives), a new group
 * begins only at the next `commit` call, and after each group the store commits batches one by one
 * for a short breather (`GROUP_BREATHER_MS`) so that another process polling for the lock gets in.
 * Writers wait up to `busy_timeout` (60 s) for the lock.
 *
 * Group commit is off by default, because it is only safe when nothing outside this database
 * records a batch as finished once `commit` returns. The local executor can turn it on (a lost
 * group is refetched on resume); a queue worker that acknowledges its job to Redis after `commit`
 * must not, unless it calls `flush()` before acknowledging.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { Batch, BatchRows } from '../../core/types.js';
import type { Store, TableSpec } from '../../core/store.js';
import { SluiceError, ErrorCodes } from '../../core/errors.js';
import { checkParentDir, checkTableSpec } from '../sql.js';
import { SqliteLocks } from './lock.js';
import { SqliteJournal, hasJournal } from './journal.js';
import { SqliteJournalStore, sinkError } from './journal-store.js';

export { sinkError } from './journal-store.js';
import { SqliteTable, DEFAULT_ROWS_PER_STATEMENT } from './table.js';

/** How long a writer waits for SQLite's write lock before failing with "database is locked". */
export const WRITER_BUSY_TIMEOUT_MS = 60_000;
/**
 * After a group commits, batches are committed one by one for this long before the next group
 * begins. SQLite's busy handler polls at most every 100 ms, so this leaves other writers a window.
 */
export const GROUP_BREATHER_MS = 250;

export interface SqliteStoreOptions {
  /** Database file. */
  readonly path: string;
  /** Data table and upsert key; required to `commit`, not for reading the journal. */
  readonly table?: TableSpec;
  /**
   * SQLite `synchronous` pragma.
   * @default 'NORMAL'
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * Open an existing database only: never create the file or the journal tables
   * (SLUICE_NOT_FOUND otherwise). For read-only commands such as `sluice report`.
   * @default false
   */
  readonly mustExist?: boolean;
  /**
   * Rows bound per INSERT statement.
   * @default 1
   */
  readonly rowsPerStatement?: number;
  /**
   * Longest time a group of batch commits stays uncommitted; 0 commits every batch at once.
   * 2000 is a good value for a single-process run (see the class comment for when not to).
   * @default 0
   */
  readonly groupCommitMs?: number;
  /**
   * Commit the group once it holds this many rows.
   * @default 200000
   */
  readonly groupCommitRows?: number;
}

/** True when `db` is a SQLite database holding Sluice's journal tables. */
function isSluiceDatabase(db: Database.Database): boolean {
  try {
    return hasJournal(db);
  } catch {
    return false; // not a SQLite database at all
  }
}

/** A transaction holding several batch commits, committed by size or by its timer. */
interface OpenGroup {
  rows: number;
  batches: number;
  /** The batches written into the group so far (run, key, attempts), to fail them if it cannot commit. */
  readonly written: { runId: string; key: string; attempts: number }[];
  readonly startedMs: number;
  readonly timer: NodeJS.Timeout;
}

export class SqliteStore extends SqliteJournalStore implements Store {
  protected readonly label = 'SQLite';
  private db: Database.Database | undefined;
  private table: SqliteTable | undefined;
  private group: OpenGroup | undefined;
  private lastGroupEndMs = Number.NEGATIVE_INFINITY;
  /** A group the timer could not commit: thrown by the next `commit` or `flush`. */
  private failure: SluiceError | undefined;
  private readonly flushOnExit = (): void => this.flushQuietly();

  constructor(private readonly options: SqliteStoreOptions) {
    super();
    if (options.table) checkTableSpec(options.table);
  }

  /** The open database (for tests and tools). */
  get database(): Database.Database {
    if (!this.db) throw new SluiceError(ErrorCodes.SINK, 'the SQLite store is not open');
    return this.db;
  }

  async open(): Promise<void> {
    if (this.db) return;
    const { path, mustExist = false } = this.options;
    if (mustExist && (path === ':memory:' || !existsSync(path))) {
      throw new SluiceError(ErrorCodes.NOT_FOUND, `no Sluice database at ${path}`);
    }
    if (!mustExist) checkParentDir(path);
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: mustExist });
    } catch (err) {
      throw sinkError(err, `opening SQLite database ${path}`, undefined, path);
    }
    if (mustExist && !isSluiceDatabase(db)) {
      db.close();
      throw new SluiceError(ErrorCodes.NOT_FOUND, `no Sluice database at ${path}`);
    }
    try {
      db.pragma(`busy_timeout = ${mustExist ? 5000 : WRITER_BUSY_TIMEOUT_MS}`);
      // A reader leaves the file as it is (switching to WAL would write to the file).
      if (!mustExist) db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${this.options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    } catch (err) {
      db.close();
      throw sinkError(err, `opening SQLite database ${path}`, undefined, path);
    }
    try {
      // the table first: an existing table that does not fit the job is refused before anything is created
      if (this.options.table) {
        this.table = new SqliteTable(
          db,
          this.options.table,
          this.options.rowsPerStatement ?? DEFAULT_ROWS_PER_STATEMENT,
        );
      }
      this.journalRef = new SqliteJournal(db, !mustExist);
    } catch (err) {
      db.close();
      throw sinkError(err, `preparing SQLite database ${path}`, undefined, path);
    }
    this.db = db;
    process.on('exit', this.flushOnExit);
  }

  /** Forgets the open group (its timer too) and returns it; the caller commits or rolls back. */
  private endGroup(): OpenGroup | undefined {
    const group = this.group;
    if (!group) return undefined;
    this.group = undefined;
    this.lastGroupEndMs = Date.now();
    clearTimeout(group.timer);
    return group;
  }

  /**
   * Commits the open group of batch commits, if any. Throws the SLUICE_SINK error of a group that
   * could not commit (now, or earlier on the timer); that group's batches are marked failed.
   */
  flush(): void {
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      throw failure;
    }
    this.commitGroup();
  }

  private commitGroup(): void {
    const group = this.endGroup();
    const db = this.db;
    if (!group || !db) return;
    try {
      // SQLite rolls a transaction back by itself after some errors (a full disk among them)
      if (!db.inTransaction) throw new Error('SQLite rolled the transaction back');
      db.exec('COMMIT');
    } catch (err) {
      // Leave no half-open group behind: its batches are failed, and --resume fetches them again.
      if (db.inTransaction) db.exec('ROLLBACK');
      this.table?.refresh();
      throw this.groupFailed(group, err, `committing ${group.batches} batches into ${this.options.table?.table}`);
    }
  }

  /**
   * The group's batches lost their rows and done marks: mark them failed with the cause (in a
   * transaction of its own; when even that fails they stay pending, and --resume fetches them too).
   */
  private groupFailed(group: OpenGroup, err: unknown, doing: string): SluiceError {
    const keys = group.written.map((w) => w.key);
    const shown = keys.length > 3 ? `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more` : keys.join(', ');
    const error = sinkError(err, `${doing}${shown ? ` (${shown})` : ''}`, keys[0], this.options.path);
    const journal = this.journalRef;
    if (journal && this.db && keys.length > 0) {
      try {
        this.db.transaction(() => {
          for (const w of group.written) journal.markFailed(w.runId, w.key, error.message, w.attempts);
        })();
      } catch {
        /* the batches stay pending: still fetched again on --resume */
      }
    }
    return error;
  }

  async close(): Promise<void> {
    process.off('exit', this.flushOnExit);
    if (this.db) this.flushQuietly();
    this.db?.close();
    this.db = undefined;
    this.journalRef = undefined;
    this.table = undefined;
  }

  /** Run-level changes commit at once, with any open group before them. */
  protected override settle(): void {
    this.flush();
  }

  protected override settleQuietly(): void {
    this.flushQuietly();
  }

  async commit(runId: string, batch: Batch, rows: BatchRows, attempts: number): Promise<number> {
    const table = this.table;
    if (!table) throw new SluiceError(ErrorCodes.SINK, 'this store was opened without a table; cannot write rows');
    const journal = this.journal;
    const db = this.database;
    if (this.failure) this.flush(); // throws the group the timer could not commit
    table.check(rows, batch.key);
    const write = (): number => {
      const written = table.write(rows);
      journal.markDone(runId, batch.key, written, attempts);
      return written;
    };
    const groupMs = this.options.groupCommitMs ?? 0;
    if (groupMs > 0 && !this.group && Date.now() - this.lastGroupEndMs >= Math.min(GROUP_BREATHER_MS, groupMs)) {
      this.beginGroup(db, groupMs, batch.key);
    }
    const group = this.group;
    if (!group) {
      try {
        // IMMEDIATE: take the write lock first (waiting up to busy_timeout); a read that later turns
        // into a write fails at once with SQLITE_BUSY when another writer committed in between.
        return db.transaction(write).immediate();
      } catch (err) {
        table.refresh();
        throw sinkError(
          err,
          `writing batch ${batch.key} into ${this.options.table?.table}`,
          batch.key,
          this.options.path,
        );
      }
    }
    let written: number;
    try {
      // No savepoint per batch: it would copy every page the batch touches into a statement journal
      // (about 15 % of the ingest rate, see bench/ingest). A batch that fails half-written takes its
      // group down with it instead; the group's done marks go too, so --resume fetches them again.
      written = write();
    } catch (err) {
      this.endGroup();
      if (db.inTransaction) db.exec('ROLLBACK');
      table.refresh();
      const lost =
        group.batches === 0 ? '' : ` with the ${group.batches} batches committed before it in the same group`;
      const error = sinkError(
        err,
        `writing batch ${batch.key}: rolled back${lost}; run again with --resume to fetch them again`,
        batch.key,
        this.options.path,
      );
      if (group.batches > 0) this.groupFailed(group, err, `rolled back with batch ${batch.key}`);
      throw error;
    }
    group.rows += written;
    group.batches += 1;
    group.written.push({ runId, key: batch.key, attempts });
    if (group.rows >= (this.options.groupCommitRows ?? 200_000) || Date.now() - group.startedMs >= groupMs) {
      this.guard(() => this.flush(), `committing batch ${batch.key}`, batch.key);
    }
    return written;
  }

  locks(): SqliteLocks {
    return new SqliteLocks(this.database);
  }

  /** The database file, named in errors (a full disk names it). */
  protected override get file(): string {
    return this.options.path;
  }

  /**
   * Opens a group and its flush timer. A method of its own, not inline in `commit`: a closure made
   * there would share commit's scope, and the timer would keep the batch's rows alive for the
   * whole group (measured: a 100,000-row batch, about 30 MB, held up to two seconds).
   */
  private beginGroup(db: Database.Database, groupMs: number, batchKey: string): void {
    this.guard(() => db.exec('BEGIN IMMEDIATE'), `writing batch ${batchKey}`, batchKey);
    const timer = setTimeout(() => this.flushQuietly(), groupMs);
    timer.unref();
    this.group = { rows: 0, batches: 0, written: [], startedMs: Date.now(), timer };
  }

  /**
   * Commits the open group without throwing (the timer, finishRun, close): a failure marks the
   * group's batches failed and is kept for the next `commit` or `flush` to throw.
   */
  private flushQuietly(): void {
    try {
      this.commitGroup();
    } catch (err) {
      this.failure ??= sinkError(err, 'committing batches', undefined, this.options.path);
    }
  }
}

/** A SQLite store (not yet open: call `open()`). */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
