/**
 * The job lock (core/lock.ts) in a SQLite database: table `sluice_locks`, one row per job, times in
 * milliseconds of the local clock (the file is on this machine's disk). Taking it is one
 * IMMEDIATE transaction, so two processes starting together cannot both win.
 */
import type Database from 'better-sqlite3';
import type { JobLocks, LockClaim, LockHolder } from '../../core/lock.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS sluice_locks (
  job TEXT PRIMARY KEY,
  token TEXT NOT NULL,
  run_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at TEXT NOT NULL,
  renewed_ms INTEGER NOT NULL
)`;

interface LockRow {
  token: string;
  run_id: string;
  pid: number;
  host: string;
  started_at: string;
  renewed_ms: number;
}

export class SqliteLocks implements JobLocks {
  private ready = false;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  private ensure(): void {
    if (this.ready) return;
    this.db.exec(SCHEMA);
    this.ready = true;
  }

  async tryAcquire(
    job: string,
    claim: LockClaim,
    leaseMs: number,
    isAlive: (holder: LockHolder) => boolean,
  ): Promise<LockHolder | undefined> {
    this.ensure();
    return this.db
      .transaction((): LockHolder | undefined => {
        const now = this.now();
        const row = this.db
          .prepare('SELECT token, run_id, pid, host, started_at, renewed_ms FROM sluice_locks WHERE job = ?')
          .get(job) as LockRow | undefined;
        if (row && row.token !== claim.token) {
          const holder: LockHolder = {
            token: row.token,
            runId: row.run_id,
            pid: row.pid,
            host: row.host,
            startedAt: row.started_at,
            idleMs: Math.max(0, now - row.renewed_ms),
          };
          if (holder.idleMs < leaseMs && isAlive(holder)) return holder;
        }
        this.db
          .prepare(
            `INSERT INTO sluice_locks (job, token, run_id, pid, host, started_at, renewed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (job) DO UPDATE SET token = excluded.token, run_id = excluded.run_id, pid = excluded.pid,
               host = excluded.host, started_at = excluded.started_at, renewed_ms = excluded.renewed_ms`,
          )
          .run(job, claim.token, claim.runId, claim.pid, claim.host, new Date(now).toISOString(), now);
        return undefined;
      })
      .immediate();
  }

  async renew(job: string, token: string, runId: string): Promise<boolean> {
    this.ensure();
    const info = this.db
      .prepare('UPDATE sluice_locks SET renewed_ms = ?, run_id = ? WHERE job = ? AND token = ?')
      .run(this.now(), runId, job, token);
    return info.changes > 0;
  }

  async release(job: string, token: string): Promise<void> {
    this.ensure();
    this.db.prepare('DELETE FROM sluice_locks WHERE job = ? AND token = ?').run(job, token);
  }
}
