/**
 * One run of a job at a time on a database: the job lock contract. A store that can hold it
 * offers `locks()` (core/store.ts). The lock is a lease: its holder renews it while it runs, and a
 * lease not renewed for `leaseMs` is free to take; so is one whose holder process is gone (same
 * host, pid no longer alive), so a run killed with SIGKILL never blocks the next for long.
 */

/** Who holds a job's lock. */
export interface LockHolder {
  /** Random id of the holding process's lock (not secret). */
  readonly token: string;
  readonly runId: string;
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock (ISO). */
  readonly startedAt: string;
  /** Milliseconds since the holder last renewed it, by the database's clock where it has one. */
  readonly idleMs: number;
}

export interface LockClaim {
  readonly token: string;
  readonly runId: string;
  readonly pid: number;
  readonly host: string;
}

export interface JobLocks {
  /**
   * Takes the job's lock for `claim` unless another holder has it and is alive: a lease renewed
   * within `leaseMs` whose holder `isAlive` says is running. Returns that holder when refused.
   */
  tryAcquire(
    job: string,
    claim: LockClaim,
    leaseMs: number,
    isAlive: (holder: LockHolder) => boolean,
  ): Promise<LockHolder | undefined>;
  /** Renews the lease (and records `runId`); false when the lock is no longer this token's. */
  renew(job: string, token: string, runId: string): Promise<boolean>;
  /** Gives the lock up if this token holds it. */
  release(job: string, token: string): Promise<void>;
}
