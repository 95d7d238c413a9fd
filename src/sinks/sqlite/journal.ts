/**
 * The run journal (`sluice_runs`, `sluice_batches`) in a SQLite database. Synchronous: better-sqlite3
 * runs each call to completion, so callers can wrap several calls in one `db.transaction`.
 * Plan order is an integer `seq`, spread so that a split's children fit after their parent (see ../seq.ts).
 */
import type Database from 'better-sqlite3';
import type { Batch } from '../../core/types.js';
import type { ApiFacts, BatchRecord, BatchStatus, NewRun, RunRecord, RunStatus } from '../../core/store.js';
import { FACTS_COLUMNS, factsUpdate, factsValues, toApiFacts, type FactsRow } from '../facts.js';
import type { RunReport } from '../../core/report.js';
import { SluiceError, ErrorCodes } from '../../core/errors.js';
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
import { SEQ_GAP, childSeqs, plannedSeq, shiftFor } from '../seq.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sluice_runs (
  id TEXT PRIMARY KEY,
  job TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','interrupted')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  report TEXT,
  fingerprint TEXT
);
CREATE INDEX IF NOT EXISTS sluice_runs_job ON sluice_runs (job, started_at);
CREATE TABLE IF NOT EXISTS sluice_batches (
  run_id TEXT NOT NULL REFERENCES sluice_runs (id),
  seq INTEGER NOT NULL,
  batch_key TEXT NOT NULL,
  params TEXT NOT NULL,
  "window" TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','done','failed','split')),
  attempts INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0,
  started_at TEXT,
  finished_at TEXT,
  last_error TEXT,
  PRIMARY KEY (run_id, batch_key)
);
CREATE INDEX IF NOT EXISTS sluice_batches_seq ON sluice_batches (run_id, seq);
CREATE TABLE IF NOT EXISTS sluice_api_facts (
  api TEXT NOT NULL,
  host TEXT NOT NULL,
  quota_calls INTEGER,
  quota_interval_ms INTEGER,
  quota_learned_at TEXT,
  cap_exact INTEGER,
  cap_at_least INTEGER,
  cap_learned_at TEXT,
  PRIMARY KEY (api, host)
);
`;

const RUN_COLUMNS = 'id, job, status, started_at, finished_at, report';

/** True when `sluice_runs` has the fingerprint column (journals written before it lack it). */
function hasFingerprint(db: Database.Database): boolean {
  const cols = db.prepare('PRAGMA table_info(sluice_runs)').all() as { name: string }[];
  return cols.some((c) => c.name === 'fingerprint');
}
const BATCH_COLUMNS =
  'run_id, batch_key, params, "window", status, attempts, rows, started_at, finished_at, last_error';

/** True when the database already holds the journal tables. */
export function hasJournal(db: Database.Database): boolean {
  const row = db
    .prepare(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('sluice_runs', 'sluice_batches')",
    )
    .get() as { n: number };
  return row.n === 2;
}

export class SqliteJournal {
  private readonly insertBatch: Database.Statement;
  private readonly insertChild: Database.Statement;
  private readonly doneStmt: Database.Statement;

  /** Creates the tables unless `create` is false (read-only use). */
  constructor(
    private readonly db: Database.Database,
    create = true,
  ) {
    if (create) {
      db.exec(SCHEMA);
      if (!hasFingerprint(db)) db.exec('ALTER TABLE sluice_runs ADD COLUMN fingerprint TEXT');
      db.exec('CREATE INDEX IF NOT EXISTS sluice_runs_fingerprint ON sluice_runs (job, fingerprint)');
    }
    this.insertBatch = db.prepare(
      'INSERT INTO sluice_batches (run_id, seq, batch_key, params, "window") VALUES (?, ?, ?, ?, ?)',
    );
    this.insertChild = db.prepare(
      'INSERT INTO sluice_batches (run_id, seq, batch_key, params, "window") VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, batch_key) DO NOTHING',
    );
    this.doneStmt = db.prepare(
      "UPDATE sluice_batches SET status = 'done', rows = ?, attempts = ?, finished_at = ?, last_error = NULL WHERE run_id = ? AND batch_key = ?",
    );
  }

  createRun(run: NewRun, batches: readonly Batch[]): void {
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO sluice_runs (id, job, status, started_at, fingerprint) VALUES (?, ?, 'running', ?, ?)")
        .run(run.id, run.job, run.startedAt, run.fingerprint ?? null);
      batches.forEach((b, i) => this.insertBatch.run(run.id, plannedSeq(i), b.key, paramsJson(b), windowJson(b)));
    })();
  }

  /** Batches after the run's last one, as pending; a key the run has already is left alone. */
  addBatches(runId: string, batches: readonly Batch[]): void {
    if (batches.length === 0) return;
    this.db
      .transaction(() => {
        const last = (
          this.db.prepare('SELECT max(seq) AS s FROM sluice_batches WHERE run_id = ?').get(runId) as {
            s: number | null;
          }
        ).s;
        let i = last === null ? 0 : Math.floor(last / SEQ_GAP) + 1;
        for (const b of batches) this.insertChild.run(runId, plannedSeq(i++), b.key, paramsJson(b), windowJson(b));
      })
      .immediate(); // read then write: take the write lock first, as split does (workers write too)
  }

  latestUnfinishedRun(job: string): RunRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT ${RUN_COLUMNS} FROM sluice_runs WHERE job = ? AND status IN (?, ?, ?) ORDER BY started_at DESC, rowid DESC LIMIT 1`,
      )
      .get(job, ...UNFINISHED) as RunRow | undefined;
    return row && toRunRecord(row);
  }

  reopenRun(runId: string): void {
    const info = this.db
      .prepare("UPDATE sluice_runs SET status = 'running', finished_at = NULL WHERE id = ?")
      .run(runId);
    if (info.changes === 0) throw new SluiceError(ErrorCodes.NOT_FOUND, `no run ${runId} in the journal`);
  }

  batches(runId: string, statuses?: readonly BatchStatus[]): BatchRecord[] {
    const filter = statuses && statuses.length > 0 ? ` AND status IN (${statuses.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(`SELECT ${BATCH_COLUMNS} FROM sluice_batches WHERE run_id = ?${filter} ORDER BY seq`)
      .all(runId, ...(statuses ?? [])) as BatchRow[];
    return rows.map(toBatchRecord);
  }

  doneBatches(job: string, fingerprint: string): BatchRecord[] {
    if (!hasFingerprint(this.db)) return [];
    const cols = BATCH_COLUMNS.split(', ')
      .map((c) => `b.${c}`)
      .join(', ');
    const rows = this.db
      .prepare(
        `SELECT ${cols} FROM sluice_batches b JOIN sluice_runs r ON r.id = b.run_id ` +
          "WHERE r.job = ? AND r.fingerprint = ? AND b.status = 'done' ORDER BY r.started_at, b.run_id, b.seq",
      )
      .all(job, fingerprint) as BatchRow[];
    return rows.map(toBatchRecord);
  }

  markRunning(runId: string, key: string): void {
    this.db
      .prepare(
        "UPDATE sluice_batches SET status = 'running', started_at = ? WHERE run_id = ? AND batch_key = ? AND status NOT IN ('done', 'split')",
      )
      .run(nowIso(), runId, key);
  }

  /** The done mark; call inside the transaction that writes the batch's rows. */
  markDone(runId: string, key: string, rows: number, attempts: number): void {
    const info = this.doneStmt.run(rows, attempts, nowIso(), runId, key);
    if (info.changes === 0) {
      throw new SluiceError(ErrorCodes.SINK, `batch ${key} of run ${runId} is not in the journal`, { batchKey: key });
    }
  }

  markFailed(runId: string, key: string, error: string, attempts: number): void {
    this.db
      .prepare(
        "UPDATE sluice_batches SET status = 'failed', last_error = ?, attempts = ?, finished_at = ? WHERE run_id = ? AND batch_key = ?",
      )
      .run(errorText(error), attempts, nowIso(), runId, key);
  }

  /** Idempotent: splitting a batch that is already split changes nothing (a queue may retry the parent). */
  split(runId: string, parentKey: string, children: readonly Batch[]): void {
    this.db
      .transaction(() => {
        const parent = this.db
          .prepare('SELECT seq, status FROM sluice_batches WHERE run_id = ? AND batch_key = ?')
          .get(runId, parentKey) as { seq: number; status: string } | undefined;
        if (!parent)
          throw new SluiceError(ErrorCodes.SINK, `batch ${parentKey} of run ${runId} is not in the journal`, {
            batchKey: parentKey,
          });
        if (parent.status === 'split') return;
        const nextSeq = (): number | undefined =>
          (
            this.db
              .prepare('SELECT min(seq) AS s FROM sluice_batches WHERE run_id = ? AND seq > ?')
              .get(runId, parent.seq) as { s: number | null }
          ).s ?? undefined;
        let seqs = childSeqs(parent.seq, nextSeq(), children.length);
        if (!seqs) {
          this.db
            .prepare('UPDATE sluice_batches SET seq = seq + ? WHERE run_id = ? AND seq > ?')
            .run(shiftFor(children.length), runId, parent.seq);
          seqs = childSeqs(parent.seq, nextSeq(), children.length) as number[];
        }
        children.forEach((c, i) => this.insertChild.run(runId, seqs[i], c.key, paramsJson(c), windowJson(c)));
        this.db
          .prepare("UPDATE sluice_batches SET status = 'split', finished_at = ? WHERE run_id = ? AND batch_key = ?")
          .run(nowIso(), runId, parentKey);
      })
      .immediate();
  }

  finishRun(runId: string, status: RunStatus, report: RunReport): void {
    this.db
      .prepare('UPDATE sluice_runs SET status = ?, finished_at = ?, report = ? WHERE id = ?')
      .run(status, report.finishedAt ?? nowIso(), reportJson(report), runId);
  }

  getRun(id: string, job?: string): RunRecord | undefined {
    let row: RunRow | undefined;
    if (id === 'latest') {
      const where = job === undefined ? '' : ' WHERE job = ?';
      row = this.db
        .prepare(
          `SELECT ${RUN_COLUMNS} FROM sluice_runs${where} ORDER BY COALESCE(finished_at, started_at) DESC, rowid DESC LIMIT 1`,
        )
        .get(...(job === undefined ? [] : [job])) as RunRow | undefined;
    } else {
      row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM sluice_runs WHERE id = ?`).get(id) as RunRow | undefined;
    }
    return row && toRunRecord(row);
  }

  /** Stored API facts; none when the table does not exist (a read-only open of an older database). */
  apiFacts(): ApiFacts[] {
    const exists = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sluice_api_facts'")
      .get();
    if (!exists) return [];
    return (
      this.db.prepare(`SELECT ${FACTS_COLUMNS} FROM sluice_api_facts ORDER BY api, host`).all() as FactsRow[]
    ).map(toApiFacts);
  }

  saveApiFacts(facts: readonly ApiFacts[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO sluice_api_facts (${FACTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ` +
        `ON CONFLICT (api, host) DO UPDATE SET ${factsUpdate('sluice_api_facts')}`,
    );
    this.db.transaction(() => {
      for (const f of facts) stmt.run(...factsValues(f));
    })();
  }

  listRuns(job: string | undefined, limit: number): RunRecord[] {
    const where = job === undefined ? '' : ' WHERE job = ?';
    const rows = this.db
      .prepare(`SELECT ${RUN_COLUMNS} FROM sluice_runs${where} ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(...(job === undefined ? [] : [job]), Math.max(0, Math.floor(limit))) as RunRow[];
    return rows.map(toRunRecord);
  }
}
