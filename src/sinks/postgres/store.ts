/**
 * PostgresStore: journal and data table in one PostgreSQL database (optionally one schema). Each
 * commit is one transaction: COPY into a staging table, upsert into the target, done mark.
 *
 * One writer connection (a pool of one): calls queue for it, so commits never interleave. The URL's
 * password is registered as a secret and every error message is scrubbed.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';
import type { Batch, BatchRows } from '../../core/types.js';
import type {
  ApiFacts,
  BatchRecord,
  BatchStatus,
  NewRun,
  RunRecord,
  RunStatus,
  Store,
  TableSpec,
} from '../../core/store.js';
import type { RunReport } from '../../core/report.js';
import { SluiceError, ErrorCodes, isSluiceError, messageOf } from '../../core/errors.js';
import { redactUrls, registerSecret, scrub } from '../../core/secrets.js';
import { checkIdentifier, checkTableSpec, quote } from '../sql.js';
import { PgJournal } from './journal.js';
import { PgTable } from './table.js';
import { PgLocks } from './lock.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/db`; the password never appears in messages. */
  readonly url: string;
  /**
   * Schema holding the journal and data tables (created if missing).
   * @default 'public'
   */
  readonly schema?: string;
  /** Data table and upsert key; required to `commit`, not for reading the journal. */
  readonly table?: TableSpec;
  /**
   * Only read an existing journal: never create the schema or tables (SLUICE_NOT_FOUND otherwise).
   * @default false
   */
  readonly mustExist?: boolean;
  /**
   * Connection timeout.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
}

/** Registers the URL's password as a secret. */
export function registerUrlSecrets(url: string): void {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      registerSecret(parsed.password);
      registerSecret(decodeURIComponent(parsed.password));
    }
  } catch {
    /* not a URL: pg reports it, and redactUrls still applies */
  }
}

/** Wraps a pg error as SLUICE_SINK with a scrubbed message (SluiceErrors pass through). */
export function pgError(err: unknown, doing: string, batchKey?: string): SluiceError {
  if (isSluiceError(err)) return err;
  const e = err as { code?: string; detail?: string };
  const detail = e.detail ? ` (${e.detail})` : '';
  const code = e.code ? ` [${e.code}]` : '';
  return new SluiceError(
    ErrorCodes.SINK,
    scrub(redactUrls(`${doing}: ${messageOf(err)}${detail}${code}`)),
    batchKey ? { batchKey } : {},
  );
}

export class PostgresStore implements Store {
  private pool: pg.Pool | undefined;
  private readonly journal: PgJournal;
  private readonly table: PgTable | undefined;
  private readonly schema: string;
  readonly where: string;

  constructor(private readonly options: PostgresStoreOptions) {
    registerUrlSecrets(options.url);
    this.schema = checkIdentifier(options.schema ?? options.table?.schema ?? 'public', 'sink.schema');
    if (options.table) checkTableSpec(options.table);
    this.journal = new PgJournal(quote(this.schema));
    this.table = options.table ? new PgTable(this.schema, options.table) : undefined;
    this.where = redactUrls(options.url);
  }

  async open(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool({
      connectionString: this.options.url,
      max: 1,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 10_000,
    });
    pool.on('error', () => undefined); // an idle connection dropped: the next call reconnects
    this.pool = pool;
    try {
      await this.use(async (c) => {
        if (this.options.mustExist) {
          const r = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [
            `${quote(this.schema)}.sluice_runs`,
          ]);
          if (!r.rows[0].t) throw new SluiceError(ErrorCodes.NOT_FOUND, `no Sluice database at ${this.where}`);
          return;
        }
        await this.table?.checkExisting(c); // before anything is created
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice:journal:${this.schema}`]);
        await c.query(this.journal.ddl());
        await c.query('COMMIT');
      }, `opening ${this.where}`);
    } catch (err) {
      this.pool = undefined;
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  /** Runs `work` on the writer connection; errors become scrubbed SluiceErrors. */
  private async use<T>(work: (c: PoolClient) => Promise<T>, doing: string, batchKey?: string): Promise<T> {
    if (!this.pool) throw new SluiceError(ErrorCodes.SINK, 'the Postgres store is not open');
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw pgError(err, `connecting to ${this.where}`);
    }
    let broken = false;
    try {
      return await work(client);
    } catch (err) {
      broken = !isSluiceError(err) && !(err as { code?: string }).code;
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw pgError(err, doing, batchKey);
    } finally {
      client.release(broken);
    }
  }

  /** `work` inside BEGIN ... COMMIT. */
  private tx<T>(work: (c: PoolClient) => Promise<T>, doing: string, batchKey?: string): Promise<T> {
    return this.use(
      async (c) => {
        await c.query('BEGIN');
        const out = await work(c);
        await c.query('COMMIT');
        return out;
      },
      doing,
      batchKey,
    );
  }

  createRun(run: NewRun, batches: readonly Batch[]): Promise<void> {
    return this.tx((c) => this.journal.createRun(c, run, batches), `creating run ${run.id}`);
  }

  addBatches(runId: string, batches: readonly Batch[]): Promise<void> {
    return this.tx((c) => this.journal.addBatches(c, runId, batches), `adding batches to run ${runId}`);
  }

  latestUnfinishedRun(job: string): Promise<RunRecord | undefined> {
    return this.use((c) => this.journal.latestUnfinishedRun(c, job), 'reading the journal');
  }

  reopenRun(runId: string): Promise<void> {
    return this.use((c) => this.journal.reopenRun(c, runId), `reopening run ${runId}`);
  }

  batches(runId: string, statuses?: readonly BatchStatus[]): Promise<BatchRecord[]> {
    return this.use((c) => this.journal.batches(c, runId, statuses), 'reading the journal');
  }

  doneBatches(job: string, fingerprint: string): Promise<BatchRecord[]> {
    return this.use((c) => this.journal.doneBatches(c, job, fingerprint), 'reading the journal');
  }

  markRunning(runId: string, key: string): Promise<void> {
    return this.use((c) => this.journal.markRunning(c, runId, key), `marking batch ${key} running`, key);
  }

  async commit(runId: string, batch: Batch, rows: BatchRows, attempts: number): Promise<number> {
    const table = this.table;
    if (!table) throw new SluiceError(ErrorCodes.SINK, 'this store was opened without a table; cannot write rows');
    const fields = table.fieldsFor(rows, batch.key);
    const doing = `writing batch ${batch.key} into ${table.name}`;
    if (fields.length > 0) await this.use((c) => table.ensure(c, fields, rows.pages), doing, batch.key);
    try {
      return await this.tx(
        async (c) => {
          const written = fields.length > 0 ? await table.write(c, rows) : 0;
          await this.journal.markDone(c, runId, batch.key, written, attempts);
          return written;
        },
        doing,
        batch.key,
      );
    } catch (err) {
      table.forget();
      throw err;
    }
  }

  markFailed(runId: string, key: string, error: string, attempts: number): Promise<void> {
    return this.use((c) => this.journal.markFailed(c, runId, key, error, attempts), `marking batch ${key} failed`, key);
  }

  split(runId: string, parentKey: string, children: readonly Batch[]): Promise<void> {
    return this.tx((c) => this.journal.split(c, runId, parentKey, children), `splitting batch ${parentKey}`, parentKey);
  }

  finishRun(runId: string, status: RunStatus, report: RunReport): Promise<void> {
    return this.use((c) => this.journal.finishRun(c, runId, status, report), `finishing run ${runId}`);
  }

  locks(): PgLocks {
    return new PgLocks(quote(this.schema), (work, doing) => this.use(work, doing));
  }

  getRun(id: string, job?: string): Promise<RunRecord | undefined> {
    return this.use((c) => this.journal.getRun(c, id, job), 'reading the journal');
  }

  listRuns(job: string | undefined, limit: number): Promise<RunRecord[]> {
    return this.use((c) => this.journal.listRuns(c, job, limit), 'reading the journal');
  }
  apiFacts(): Promise<ApiFacts[]> {
    return this.use((c) => this.journal.apiFacts(c), 'reading the API facts');
  }

  saveApiFacts(facts: readonly ApiFacts[]): Promise<void> {
    return this.tx((c) => this.journal.saveApiFacts(c, facts), 'saving what was learned about the API');
  }

  /** Runs one query on the writer connection (tests, tools). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.use((c) => c.query<R>(text, values), 'running a query');
  }
}

export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}
