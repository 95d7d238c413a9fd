/**
 * Store contract: the run journal (`sluice_runs`, `sluice_batches`) plus the data table, in one
 * database so that a batch's rows and its `done` mark commit in one transaction.
 */
import type { Quota } from './errors.js';
import type { CapFacts } from './source.js';
import type { Batch, BatchRows } from './types.js';
import type { RunReport } from './report.js';
import type { JobLocks } from './lock.js';

/**
 * The status of a run in the journal.
 * @example
 * ```ts
 * const unfinished = (s: RunStatus) => s !== 'succeeded';
 * ```
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';
/**
 * The status of a batch in the journal.
 * @example
 * ```ts
 * const left = await store.batches(runId, ['pending', 'failed'] satisfies BatchStatus[]);
 * ```
 */
export type BatchStatus = 'pending' | 'running' | 'done' | 'failed' | 'split';

/**
 * One run in the journal (`sluice_runs`).
 * @example
 * ```ts
 * const run: RunRecord | undefined = await store.getRun('latest');
 * console.log(run?.status, run?.report?.wallMs);
 * ```
 */
export interface RunRecord {
  readonly id: string;
  readonly job: string;
  readonly status: RunStatus;
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly report: RunReport | null;
}

/**
 * One batch in the journal (`sluice_batches`).
 * @example
 * ```ts
 * for (const b of await store.batches(runId, ['failed'])) console.log(b.key, b.attempts, b.lastError);
 * ```
 */
export interface BatchRecord {
  readonly runId: string;
  readonly key: string;
  readonly batch: Batch;
  readonly status: BatchStatus;
  readonly attempts: number;
  readonly rows: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly lastError: string | null;
}

/**
 * A run as `createRun` records it. `fingerprint` names what the run fetches (the job's name, API,
 * params, fields, `each` parameter and table: job/fingerprint.ts); the done batches of runs with
 * the same fingerprint are what an incremental run skips.
 * @example
 * ```ts
 * await store.createRun({ id: 'r2', job: 'daily', startedAt: new Date().toISOString(), fingerprint: 'a1b2c3d4e5f60718' }, batches);
 * ```
 */
export interface NewRun {
  readonly id: string;
  readonly job: string;
  readonly startedAt: string;
  readonly fingerprint?: string;
}

/**
 * Where the data goes: table name and upsert key.
 * @example
 * ```ts
 * const table: TableSpec = { table: 'daily', key: ['ts_code', 'trade_date'] };
 * ```
 */
export interface TableSpec {
  readonly table: string;
  readonly key: readonly string[];
  /** Optional schema (Postgres). */
  readonly schema?: string;
  /**
   * Declared kinds of some columns (from the API's catalogue): `integer` columns are INTEGER
   * (bigint), `real` REAL (double precision), `text` TEXT. An undeclared number column is REAL,
   * whatever one batch's values look like (an integer-valued key column stays INTEGER). Used when
   * a table or column is created; existing ones are never altered.
   */
  readonly columns?: Readonly<Record<string, DeclaredKind>>;
}

/** A column kind a table spec may declare. */
export type DeclaredKind = 'integer' | 'real' | 'text';

/**
 * What runs learned about an API (`sluice_api_facts`), read at the start of the next run of any
 * job on the same database: the quota the server named and what is known of its row cap. Keyed by
 * API and endpoint host; nothing about the token is stored.
 */
export interface ApiFacts {
  readonly api: string;
  /** Host of the endpoint ('' when it has none). */
  readonly host: string;
  readonly quota?: Quota & { readonly learnedAt: string };
  readonly rowCap?: CapFacts & { readonly learnedAt: string };
}

/**
 * Where rows and the run journal go, in one database, so a batch's rows and its `done` mark commit together.
 * @example
 * ```ts
 * const table = { table: 'daily', key: ['ts_code', 'trade_date'] };
 * const store: Store = openStore({ type: 'sqlite', path: './market.db', table });
 * await store.open();
 * await store.createRun({ id: 'r1', job: 'daily', startedAt: new Date().toISOString() }, plan.batches);
 * for await (const o of execute(plan.batches, { source }))
 *   if (o.status === 'done') await store.commit('r1', o.batch, o.rows, o.attempts);
 * await store.close();
 * ```
 */
export interface Store {
  /** Creates journal tables if missing. */
  open(): Promise<void>;
  close(): Promise<void>;

  /** One transaction: the run row (status running) and all its batches as pending. */
  createRun(run: NewRun, batches: readonly Batch[]): Promise<void>;
  /**
   * Done batches (leaves: split parents are never done) of every run of `job` created with this
   * fingerprint, whatever the run's status: the days earlier runs landed. Empty for a journal
   * written before fingerprints were stored.
   */
  doneBatches(job: string, fingerprint: string): Promise<BatchRecord[]>;
  /**
   * Adds batches to a run as pending, after the ones it has (a plan made online records each
   * batch before it runs). A key the run already has is left as it is.
   */
  addBatches(runId: string, batches: readonly Batch[]): Promise<void>;
  /** The newest run of `job` whose status is running or interrupted (or failed), if any. */
  latestUnfinishedRun(job: string): Promise<RunRecord | undefined>;
  /** Marks a run running again (resume). */
  reopenRun(runId: string): Promise<void>;
  /** Batches of a run, optionally only those with the given statuses, in plan order. */
  batches(runId: string, statuses?: readonly BatchStatus[]): Promise<BatchRecord[]>;

  markRunning(runId: string, key: string): Promise<void>;
  /**
   * Upserts the rows into the data table (creating it from `rows.fields` on first use) and marks
   * the batch done with its row count and attempts, in ONE transaction. Returns rows written.
   */
  commit(runId: string, batch: Batch, rows: BatchRows, attempts: number): Promise<number>;
  markFailed(runId: string, key: string, error: string, attempts: number): Promise<void>;
  /**
   * For a store that commits batches in groups: commits what `commit` wrote but has not committed
   * yet, and throws the error of a group that could not commit (its batches are marked failed).
   */
  flush?(): void | Promise<void>;
  /** The job lock (one run of a job at a time on this database), for stores that can hold it. */
  locks?(): JobLocks;
  /** One transaction: parent becomes `split`, children are added as pending right after it. */
  split(runId: string, parentKey: string, children: readonly Batch[]): Promise<void>;

  finishRun(runId: string, status: RunStatus, report: RunReport): Promise<void>;
  /** A run by id; `latest`: the run that ended last, or started last while unfinished (optionally of one job). */
  getRun(id: string, job?: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(job: string | undefined, limit: number): Promise<RunRecord[]>;

  /** Stored API facts (empty when none, or when the database has no facts table yet). */
  apiFacts(): Promise<ApiFacts[]>;
  /** Upserts facts per (api, host); a part left out (quota or rowCap) keeps its stored value. */
  saveApiFacts(facts: readonly ApiFacts[]): Promise<void>;
}
