/**
 * What travels through the queue: the job data a producer enqueues per batch, the result a worker
 * returns, stable job ids and queue names, and how a fatal error is carried in a failed reason.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, SluiceError, errorCodeOf, type ErrorCode } from '../core/errors.js';
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import type { Batch, CallStatus } from '../core/types.js';
import { scrub } from '../core/secrets.js';

/** BullMQ key prefix of every Sluice queue. */
export const QUEUE_PREFIX = 'sluice';

/** One enqueued batch. `payload` is what the worker needs to build its parts (never a secret). */
export interface BatchJobData<P = unknown> {
  readonly runId: string;
  readonly batch: Batch;
  readonly payload: P;
}

/** One upstream call as a worker saw it; `agoMs` = how long before the batch ended it ended. */
export interface CallRecord {
  readonly api: string;
  readonly page: number;
  readonly attempt: number;
  readonly ms: number;
  readonly rows: number;
  readonly status: CallStatus;
  readonly code?: string | number;
  /** A failed call's message, scrubbed and cut to ERROR_CHARS (the producer names the cause with it). */
  readonly error?: string;
  readonly agoMs: number;
}

/** Longest call error message a job result carries. */
export const ERROR_CHARS = 300;

/** What a batch processor decides (the worker host adds the call log). */
export type BatchVerdict =
  | {
      readonly status: 'done';
      readonly rows: number;
      readonly attempts: number;
      /** How long the commit (rows + done mark) took, ms; absent from older workers. */
      readonly commitMs?: number;
    }
  | { readonly status: 'failed'; readonly error: string; readonly code: ErrorCode; readonly attempts: number }
  | { readonly status: 'split'; readonly children: readonly Batch[] }
  /** The run was cancelled while this batch ran; its journal row stays as it was. */
  | { readonly status: 'aborted' };

/** The return value of a finished queue job. */
export type BatchJobResult = BatchVerdict & {
  /** Calls of this batch, at most MAX_CALL_RECORDS of them (the last ones are dropped). */
  readonly calls: readonly CallRecord[];
  /** All calls of the batch, recorded or not. */
  readonly callCount: number;
  /** Wall time of the batch in the worker. */
  readonly ms: number;
  /** Time the batch's calls waited for a pacing slot, and after rate-limit refusals. */
  readonly waits: { readonly quotaMs: number; readonly rateLimitedMs: number };
};

/** Bound on call records per job result, so a long paginated batch cannot bloat Redis. */
export const MAX_CALL_RECORDS = 200;

function sha(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Short tag shared by every job id of one run. */
export function runTag(runId: string): string {
  return `r${sha(runId, 12)}`;
}

/** Job id of a batch: the same run and batch key always give the same id (idempotent enqueue). */
export function jobIdFor(runId: string, batchKey: string): string {
  return `${runTag(runId)}-${sha(batchKey, 24)}`;
}

/** Queue name for a job name (BullMQ forbids `:`; odd characters are replaced and hashed). */
export function queueNameFor(jobName: string): string {
  const clean = jobName.replace(/[^A-Za-z0-9_.-]/g, '_');
  return clean === jobName ? `job-${clean}` : `job-${clean}-${sha(jobName, 8)}`;
}

/** Redis key that tells workers a run was cancelled. */
export function cancelKey(queueName: string, runId: string): string {
  return `${QUEUE_PREFIX}:${queueName}:cancel:${runTag(runId)}`;
}

/** Sorted set of queue names (score = last enqueue time), so workers find every job's queue. */
export const QUEUE_REGISTRY_KEY = `${QUEUE_PREFIX}:queues`;

const FATAL = /^(SLUICE_[A-Z_]+)\|([\s\S]*)$/;
/** A failed reason that names its error's code (see batch-worker). */
const CODED = /^(SLUICE_[A-Z_]+): /;

/**
 * An error code read from Redis, checked: one of ErrorCodes, or SLUICE_INTERNAL for a code this
 * version does not know (written by another version of Sluice, or not by Sluice at all).
 */
export function wireCode(value: unknown): ErrorCode {
  return errorCodeOf(value) ?? ErrorCodes.INTERNAL;
}

/** The failed reason of a job that failed for a fatal error. */
export function encodeFatal(code: ErrorCode, message: string): string {
  return `${code}|${message}`;
}

/**
 * The fatal error a failed reason carries, or undefined when the job failed for another reason.
 * A code this version does not know still stops the run, as SLUICE_INTERNAL naming that code.
 */
export function decodeFatal(reason: string): SluiceError | undefined {
  const m = FATAL.exec(reason);
  if (!m) return undefined;
  const code = errorCodeOf(m[1]);
  return code ? new SluiceError(code, m[2]) : new SluiceError(ErrorCodes.INTERNAL, `${m[1]}: ${m[2]}`);
}

/** A worker's job result as read back from Redis, with a failed batch's error code checked. */
export function readResult(value: unknown): BatchJobResult {
  const result = value as BatchJobResult;
  return result.status === 'failed' ? { ...result, code: wireCode(result.code) } : result;
}

/**
 * The value of a run's cancel flag when a worker cancelled it for a fatal error: the error and the
 * batch that hit it, so the producer can report it even if that worker died before failing the job.
 * A producer's own cancel stores "1".
 */
export function encodeCancel(batchKey: string, code: ErrorCode, message: string): string {
  return JSON.stringify({ batchKey, fatal: encodeFatal(code, message) });
}

/** The fatal error a cancel flag carries (with its batch key), or undefined. */
export function decodeCancel(value: string | null): SluiceError | undefined {
  if (value === null || !value.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(value) as { batchKey?: unknown; fatal?: unknown };
    const fatal = typeof v.fatal === 'string' ? decodeFatal(v.fatal) : undefined;
    if (fatal && typeof v.batchKey === 'string') fatal.context.batchKey = v.batchKey;
    return fatal;
  } catch {
    return undefined;
  }
}

/**
 * A job that failed without a verdict (lost to stalls, or an error outside the executor): the code
 * its reason names when it is a known one, else SLUICE_RETRYABLE (BullMQ's own reasons, e.g. stalls).
 */
export function lostReason(reason: string): { error: string; code: ErrorCode } {
  const named = errorCodeOf(CODED.exec(reason)?.[1]);
  return { error: reason || 'job failed in the worker', code: named ?? ErrorCodes.RETRYABLE };
}

/**
 * Records the `call:end` events of one batch, bounded; `result()` stamps each with how long before
 * the end it happened so the producer can place it on its own clock.
 */
export class CallLog {
  private readonly records: Array<Omit<CallRecord, 'agoMs'> & { readonly endMs: number }> = [];
  private count = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  private quotaMs = 0;
  private rateLimitedMs = 0;

  /** Listen to a per-batch emitter. Returns the unsubscribe function. */
  attach(events: Emitter<ExecutorEventMap>): () => void {
    const offCalls = events.on('call:end', (e) => {
      this.count += 1;
      if (this.records.length >= MAX_CALL_RECORDS) return;
      const record = {
        api: e.api,
        page: e.page,
        attempt: e.attempt,
        ms: e.ms,
        rows: e.rows,
        status: e.status,
        endMs: this.now(),
      };
      const error = e.error === undefined ? {} : { error: scrub(e.error).slice(0, ERROR_CHARS) };
      this.records.push(e.code === undefined ? { ...record, ...error } : { ...record, code: e.code, ...error });
    });
    const offWaits = events.on('pace:wait', (e) => {
      if (e.reason === 'quota') this.quotaMs += e.waitMs;
      else this.rateLimitedMs += e.waitMs;
    });
    return () => {
      offCalls();
      offWaits();
    };
  }

  get waits(): { quotaMs: number; rateLimitedMs: number } {
    return { quotaMs: Math.round(this.quotaMs), rateLimitedMs: Math.round(this.rateLimitedMs) };
  }

  get callCount(): number {
    return this.count;
  }

  result(): CallRecord[] {
    const end = this.now();
    return this.records.map(({ endMs, ...r }) => ({ ...r, agoMs: Math.max(0, Math.round(end - endMs)) }));
  }
}
