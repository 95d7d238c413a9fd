/**
 * The job lock (core/lock.ts) in PostgreSQL: table `sluice_locks` in the store's schema, times by
 * the server's clock (`now()`), so machines with skewed clocks agree on when a lease expired.
 * Taking it runs under a transaction-scoped advisory lock on the job's name.
 */
import type { PoolClient } from 'pg';
import type { JobLocks, LockClaim, LockHolder } from '../../core/lock.js';

type Use = <T>(work: (c: PoolClient) => Promise<T>, doing: string) => Promise<T>;

interface LockRow {
  token: string;
  run_id: string;
  pid: number;
  host: string;
  started_at: Date;
  idle_ms: string | number;
}

export class PgLocks implements JobLocks {
  private readonly table: string;
  private ready = false;

  /** `schema` is a quoted identifier; `use` runs work on the store's connection. */
  constructor(
    schema: string,
    private readonly use: Use,
  ) {
    this.table = `${schema}.sluice_locks`;
  }

  private async ensure(c: PoolClient): Promise<void> {
    if (this.ready) return;
    await c.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      job text PRIMARY KEY, token text NOT NULL, run_id text NOT NULL, pid integer NOT NULL, host text NOT NULL,
      started_at timestamptz NOT NULL, renewed_at timestamptz NOT NULL)`);
    this.ready = true;
  }

  tryAcquire(
    job: string,
    claim: LockClaim,
    leaseMs: number,
    isAlive: (holder: LockHolder) => boolean,
  ): Promise<LockHolder | undefined> {
    return this.use(async (c) => {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice:lock:${job}`]);
      await this.ensure(c);
      const r = await c.query<LockRow>(
        `SELECT token, run_id, pid, host, started_at, extract(epoch FROM now() - renewed_at) * 1000 AS idle_ms
         FROM ${this.table} WHERE job = $1`,
        [job],
      );
      const row = r.rows[0];
      if (row && row.token !== claim.token) {
        const holder: LockHolder = {
          token: row.token,
          runId: row.run_id,
          pid: row.pid,
          host: row.host,
          startedAt: new Date(row.started_at).toISOString(),
          idleMs: Math.max(0, Number(row.idle_ms)),
        };
        if (holder.idleMs < leaseMs && isAlive(holder)) {
          await c.query('COMMIT');
          return holder;
        }
      }
      await c.query(
        `INSERT INTO ${this.table} (job, token, run_id, pid, host, started_at, renewed_at) VALUES ($1, $2, $3, $4, $5, now(), now())
         ON CONFLICT (job) DO UPDATE SET token = EXCLUDED.token, run_id = EXCLUDED.run_id, pid = EXCLUDED.pid,
           host = EXCLUDED.host, started_at = EXCLUDED.started_at, renewed_at = EXCLUDED.renewed_at`,
        [job, claim.token, claim.runId, claim.pid, claim.host],
      );
      await c.query('COMMIT');
      return undefined;
    }, `taking the lock of job ${job}`);
  }

  renew(job: string, token: string, runId: string): Promise<boolean> {
    return this.use(async (c) => {
      await this.ensure(c);
      const r = await c.query(
        `UPDATE ${this.table} SET renewed_at = now(), run_id = $3 WHERE job = $1 AND token = $2`,
        [job, token, runId],
      );
      return (r.rowCount ?? 0) > 0;
    }, `renewing the lock of job ${job}`);
  }

  release(job: string, token: string): Promise<void> {
    return this.use(async (c) => {
      await this.ensure(c);
      await c.query(`DELETE FROM ${this.table} WHERE job = $1 AND token = $2`, [job, token]);
    }, `releasing the lock of job ${job}`);
  }
}
