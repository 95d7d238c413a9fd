/**
 * The run journal (`sluice_runs`, `sluice_batches`) in PostgreSQL. Every function takes the client
 * to run on, so that the store can put the done mark in the same transaction as the rows.
 */
import type { PoolClient } from 'pg';
import type { Batch } from '../../core/types.js';
import type { ApiFacts, BatchRecord, BatchStatus, NewRun, RunRecord, RunStatus } from '../../core/store.js';
import { FACTS_COLUMNS, factsUpdate, factsValues, toApiFacts, type FactsRow } from '../facts.js';
import type { RunReport } from '../../core/report.js';
import { SluiceError, ErrorCodes } from '../../core/errors.js';
import { SEQ_GAP, childSeqs, plannedSeq, shiftFor } from '../seq.js';
import {
  UNFINISHED,
  errorText,
  nowIso,
  paramsJson,
  reportJson,
  toBatchRecord,
  toRunRecord,
  windowJson,
  type BatchRow,
  type RunRow,
} from '../records.js';

const RUN_COLUMNS = 'id, job, status, started_at, finished_at, report';
const BATCH_COLUMNS =
  'run_id, batch_key, params, "window", status, attempts, rows, started_at, finished_at, last_error';

/** Journal SQL bound to one schema (quoted identifier). */
export class PgJournal {
  readonly runs: string;
  readonly batchTable: string;
  readonly facts: string;

  constructor(private readonly schema: string) {
    this.runs = `${schema}.sluice_runs`;
    this.batchTable = `${schema}.sluice_batches`;
    this.facts = `${schema}.sluice_api_facts`;
  }

  /** Stored API facts; none when the table does not exist (a read-only open of an older database). */
  async apiFacts(c: PoolClient): Promise<ApiFacts[]> {
    const t = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [this.facts]);
    if (!t.rows[0].t) return [];
    const r = await c.query<FactsRow>(`SELECT ${FACTS_COLUMNS} FROM ${this.facts} ORDER BY api, host`);
    return r.rows.map(toApiFacts);
  }

  async saveApiFacts(c: PoolClient, facts: readonly ApiFacts[]): Promise<void> {
    for (const f of facts) {
      await c.query(
        `INSERT INTO ${this.facts} AS t (${FACTS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ` +
          `ON CONFLICT (api, host) DO UPDATE SET ${factsUpdate('t')}`,
        factsValues(f),
      );
    }
  }

  /** DDL for the schema and journal tables (idempotent). */
  ddl(): string {
    return `CREATE SCHEMA IF NOT EXISTS ${this.schema};
CREATE TABLE IF NOT EXISTS ${this.runs} (
  id text PRIMARY KEY,
  job text NOT NULL,
  status text NOT NULL CHECK (status IN ('running','succeeded','failed','interrupted')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  report jsonb,
  n bigserial
);
CREATE INDEX IF NOT EXISTS sluice_runs_job ON ${this.runs} (job, started_at);
ALTER TABLE ${this.runs} ADD COLUMN IF NOT EXISTS fingerprint text;
CREATE INDEX IF NOT EXISTS sluice_runs_fingerprint ON ${this.runs} (job, fingerprint);
CREATE TABLE IF NOT EXISTS ${this.batchTable} (
  run_id text NOT NULL REFERENCES ${this.runs} (id),
  seq bigint NOT NULL,
  batch_key text NOT NULL,
  params jsonb NOT NULL,
  "window" jsonb,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','done','failed','split')),
  attempts integer NOT NULL DEFAULT 0,
  rows bigint NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz,
  last_error text,
  PRIMARY KEY (run_id, batch_key)
);
CREATE INDEX IF NOT EXISTS sluice_batches_seq ON ${this.batchTable} (run_id, seq);
CREATE TABLE IF NOT EXISTS ${this.facts} (
  api text NOT NULL,
  host text NOT NULL,
  quota_calls integer,
  quota_interval_ms bigint,
  quota_learned_at timestamptz,
  cap_exact integer,
  cap_at_least integer,
  cap_learned_at timestamptz,
  PRIMARY KEY (api, host)
);`;
  }

  /** `keepExisting`: skip batches whose key is already in the run (a retried split). */
  private async insertBatches(
    c: PoolClient,
    runId: string,
    seqs: readonly number[],
    batches: readonly Batch[],
    keepExisting = false,
  ): Promise<void> {
    if (batches.length === 0) return;
    await c.query(
      `INSERT INTO ${this.batchTable} (run_id, seq, batch_key, params, "window")
       SELECT $1, s, k, p, w FROM unnest($2::bigint[], $3::text[], $4::jsonb[], $5::jsonb[]) AS u (s, k, p, w)${keepExisting ? '\n       ON CONFLICT (run_id, batch_key) DO NOTHING' : ''}`,
      [runId, seqs, batches.map((b) => b.key), batches.map(paramsJson), batches.map(windowJson)],
    );
  }

  async createRun(c: PoolClient, run: NewRun, batches: readonly Batch[]): Promise<void> {
    await c.query(
      `INSERT INTO ${this.runs} (id, job, status, started_at, fingerprint) VALUES ($1, $2, 'running', $3, $4)`,
      [run.id, run.job, run.startedAt, run.fingerprint ?? null],
    );
    await this.insertBatches(
      c,
      run.id,
      batches.map((_, i) => plannedSeq(i)),
      batches,
    );
  }

  /** Call inside a transaction. Batches after the run's last one; keys the run has are left alone. */
  async addBatches(c: PoolClient, runId: string, batches: readonly Batch[]): Promise<void> {
    if (batches.length === 0) return;
    await c.query(`SELECT 1 FROM ${this.runs} WHERE id = $1 FOR UPDATE`, [runId]);
    const r = await c.query<{ s: string | null }>(`SELECT max(seq) AS s FROM ${this.batchTable} WHERE run_id = $1`, [
      runId,
    ]);
    const last = r.rows[0].s;
    const first = last === null ? 0 : Math.floor(Number(last) / SEQ_GAP) + 1;
    await this.insertBatches(
      c,
      runId,
      batches.map((_, i) => plannedSeq(first + i)),
      batches,
      true,
    );
  }

  async latestUnfinishedRun(c: PoolClient, job: string): Promise<RunRecord | undefined> {
    const r = await c.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM ${this.runs} WHERE job = $1 AND status = ANY($2::text[]) ORDER BY started_at DESC, n DESC LIMIT 1`,
      [job, UNFINISHED],
    );
    return r.rows[0] && toRunRecord(r.rows[0]);
  }

  async reopenRun(c: PoolClient, runId: string): Promise<void> {
    const r = await c.query(`UPDATE ${this.runs} SET status = 'running', finished_at = NULL WHERE id = $1`, [runId]);
    if (r.rowCount === 0) throw new SluiceError(ErrorCodes.NOT_FOUND, `no run ${runId} in the journal`);
  }

  async batches(c: PoolClient, runId: string, statuses?: readonly BatchStatus[]): Promise<BatchRecord[]> {
    const filter = statuses && statuses.length > 0;
    const r = await c.query<BatchRow>(
      `SELECT ${BATCH_COLUMNS} FROM ${this.batchTable} WHERE run_id = $1${filter ? ' AND status = ANY($2::text[])' : ''} ORDER BY seq`,
      filter ? [runId, statuses] : [runId],
    );
    return r.rows.map(toBatchRecord);
  }

  /** Done batches of the job's runs with this fingerprint; none when the column is missing (an older journal). */
  async doneBatches(c: PoolClient, job: string, fingerprint: string): Promise<BatchRecord[]> {
    const has = await c.query(
      `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'fingerprint' AND NOT attisdropped`,
      [this.runs],
    );
    if (has.rows.length === 0) return [];
    const cols = BATCH_COLUMNS.split(', ')
      .map((col) => `b.${col}`)
      .join(', ');
    const r = await c.query<BatchRow>(
      `SELECT ${cols} FROM ${this.batchTable} b JOIN ${this.runs} r ON r.id = b.run_id ` +
        `WHERE r.job = $1 AND r.fingerprint = $2 AND b.status = 'done' ORDER BY r.started_at, r.n, b.seq`,
      [job, fingerprint],
    );
    return r.rows.map(toBatchRecord);
  }

  async markRunning(c: PoolClient, runId: string, key: string): Promise<void> {
    await c.query(
      `UPDATE ${this.batchTable} SET status = 'running', started_at = $3 WHERE run_id = $1 AND batch_key = $2 AND status NOT IN ('done', 'split')`,
      [runId, key, nowIso()],
    );
  }

  async markDone(c: PoolClient, runId: string, key: string, rows: number, attempts: number): Promise<void> {
    const r = await c.query(
      `UPDATE ${this.batchTable} SET status = 'done', rows = $3, attempts = $4, finished_at = $5, last_error = NULL WHERE run_id = $1 AND batch_key = $2`,
      [runId, key, rows, attempts, nowIso()],
    );
    if (r.rowCount === 0)
      throw new SluiceError(ErrorCodes.SINK, `batch ${key} of run ${runId} is not in the journal`, { batchKey: key });
  }

  async markFailed(c: PoolClient, runId: string, key: string, error: string, attempts: number): Promise<void> {
    await c.query(
      `UPDATE ${this.batchTable} SET status = 'failed', last_error = $3, attempts = $4, finished_at = $5 WHERE run_id = $1 AND batch_key = $2`,
      [runId, key, errorText(error), attempts, nowIso()],
    );
  }

  /** Call inside a transaction. Idempotent: splitting a batch that is already split changes nothing. */
  async split(c: PoolClient, runId: string, parentKey: string, children: readonly Batch[]): Promise<void> {
    // Splits of one run may shift overlapping ranges of seq; taking the run's row first makes them
    // wait for each other instead of locking batch rows in different orders (a deadlock).
    await c.query(`SELECT 1 FROM ${this.runs} WHERE id = $1 FOR UPDATE`, [runId]);
    const p = await c.query<{ seq: string; status: string }>(
      `SELECT seq, status FROM ${this.batchTable} WHERE run_id = $1 AND batch_key = $2 FOR UPDATE`,
      [runId, parentKey],
    );
    if (p.rows.length === 0)
      throw new SluiceError(ErrorCodes.SINK, `batch ${parentKey} of run ${runId} is not in the journal`, {
        batchKey: parentKey,
      });
    if (p.rows[0].status === 'split') return;
    const seq = Number(p.rows[0].seq);
    const nextSeq = async (): Promise<number | undefined> => {
      const r = await c.query<{ s: string | null }>(
        `SELECT min(seq) AS s FROM ${this.batchTable} WHERE run_id = $1 AND seq > $2`,
        [runId, seq],
      );
      return r.rows[0].s === null ? undefined : Number(r.rows[0].s);
    };
    let seqs = childSeqs(seq, await nextSeq(), children.length);
    if (!seqs) {
      await c.query(`UPDATE ${this.batchTable} SET seq = seq + $3 WHERE run_id = $1 AND seq > $2`, [
        runId,
        seq,
        shiftFor(children.length),
      ]);
      seqs = childSeqs(seq, await nextSeq(), children.length) as number[];
    }
    await this.insertBatches(c, runId, seqs, children, true);
    await c.query(
      `UPDATE ${this.batchTable} SET status = 'split', finished_at = $3 WHERE run_id = $1 AND batch_key = $2`,
      [runId, parentKey, nowIso()],
    );
  }

  async finishRun(c: PoolClient, runId: string, status: RunStatus, report: RunReport): Promise<void> {
    await c.query(`UPDATE ${this.runs} SET status = $2, finished_at = $3, report = $4::jsonb WHERE id = $1`, [
      runId,
      status,
      report.finishedAt ?? nowIso(),
      reportJson(report),
    ]);
  }

  async getRun(c: PoolClient, id: string, job?: string): Promise<RunRecord | undefined> {
    let r;
    if (id === 'latest') {
      r =
        job === undefined
          ? await c.query<RunRow>(
              `SELECT ${RUN_COLUMNS} FROM ${this.runs} ORDER BY COALESCE(finished_at, started_at) DESC, n DESC LIMIT 1`,
            )
          : await c.query<RunRow>(
              `SELECT ${RUN_COLUMNS} FROM ${this.runs} WHERE job = $1 ORDER BY COALESCE(finished_at, started_at) DESC, n DESC LIMIT 1`,
              [job],
            );
    } else {
      r = await c.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM ${this.runs} WHERE id = $1`, [id]);
    }
    return r.rows[0] && toRunRecord(r.rows[0]);
  }

  async listRuns(c: PoolClient, job: string | undefined, limit: number): Promise<RunRecord[]> {
    const n = Math.max(0, Math.floor(limit));
    const r =
      job === undefined
        ? await c.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM ${this.runs} ORDER BY started_at DESC, n DESC LIMIT $1`, [
            n,
          ])
        : await c.query<RunRow>(
            `SELECT ${RUN_COLUMNS} FROM ${this.runs} WHERE job = $1 ORDER BY started_at DESC, n DESC LIMIT $2`,
            [job, n],
          );
    return r.rows.map(toRunRecord);
  }
}
