/**
 * One run of a job at a time on a database. `sluice run` takes the job's lock (core/lock.ts)
 * before it reads or writes the journal; a second run of the same job on the same database is
 * refused with SLUICE_LOCKED (exit 1) naming the first run, or waits for it (`--wait`). The lease
 * is renewed while the run lives; a lease left by a killed process expires, and on the same host
 * a holder whose pid is gone is taken over at once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { DEFAULTS } from '../core/defaults.js';
import type { LockHolder } from '../core/lock.js';
import type { Store } from '../core/store.js';

export const LOCK_DEFAULTS = DEFAULTS.lock;

export interface JobLockOptions {
  /** Run id to record (updated with `setRun` once the run is chosen). */
  readonly runId: string;
  /** Wait for the holder to finish instead of refusing. @default false */
  readonly wait?: boolean;
  readonly signal?: AbortSignal;
  readonly note?: (line: string) => void;
  /** Where the database is, for messages (no secrets). */
  readonly where?: string;
  /** @default 30000 */
  readonly leaseMs?: number;
  /** @default 1000 */
  readonly pollMs?: number;
}

export interface HeldLock {
  /** Record the run that holds the lock (a resumed run keeps its old id). */
  setRun(runId: string): void;
  release(): Promise<void>;
}

/** True while the process `pid` exists (EPERM: it exists, it is just not ours). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder on another machine is alive while its lease is; on this one, while its process is. */
export function holderAlive(holder: LockHolder, host = hostname()): boolean {
  return holder.host !== host || pidAlive(holder.pid);
}

function ago(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function describe(job: string, holder: LockHolder, where: string | undefined): string {
  const running = ago(Date.now() - Date.parse(holder.startedAt));
  return (
    `job ${job} is already running${where ? ` on ${where}` : ''}: run ${holder.runId} ` +
    `(pid ${holder.pid} on ${holder.host}, running for ${running}, last seen ${ago(holder.idleMs)} ago)`
  );
}

/** Takes the job's lock (or waits for it); the store must be open. Stores without locks: no lock. */
export async function holdJobLock(store: Store, job: string, options: JobLockOptions): Promise<HeldLock> {
  const locks = store.locks?.();
  if (!locks) return { setRun() {}, release: async () => {} };
  const leaseMs = options.leaseMs ?? LOCK_DEFAULTS.leaseMs;
  const claim = { token: randomBytes(8).toString('hex'), runId: options.runId, pid: process.pid, host: hostname() };
  let told = false;
  for (;;) {
    const holder = await locks.tryAcquire(job, claim, leaseMs, (h) => holderAlive(h));
    if (!holder) break;
    const text = describe(job, holder, options.where);
    if (!options.wait) throw new SluiceError(ErrorCodes.LOCKED, `${text}; wait for it to finish, or run with --wait`);
    if (!told) options.note?.(`${text}; waiting for it to finish (--wait)`);
    told = true;
    await new Promise<void>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(new SluiceError(ErrorCodes.ABORTED, 'run cancelled while waiting'));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, options.pollMs ?? LOCK_DEFAULTS.pollMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new SluiceError(ErrorCodes.ABORTED, 'run cancelled while waiting for the job lock'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  let runId = options.runId;
  let lost = false;
  const renew = (): void => {
    locks.renew(job, claim.token, runId).then(
      (held) => {
        if (!held && !lost) {
          lost = true;
          options.note?.(`the lock of job ${job} was taken over by another run (this run was not seen for too long)`);
        }
      },
      () => undefined, // a failed renewal is retried at the next tick; the lease allows for it
    );
  };
  const timer = setInterval(renew, Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    setRun(id) {
      runId = id;
      renew();
    },
    async release() {
      clearInterval(timer);
      await locks.release(job, claim.token);
    },
  };
}
