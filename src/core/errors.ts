/**
 * One error base class with stable codes. Every error Sluice raises on purpose is a SluiceError;
 * anything else reaching the CLI is a bug and is reported as such.
 */

/** How the executor should treat a failed call. */
export type FailureKind = 'retryable' | 'rate-limited' | 'overflow' | 'rejected' | 'fatal';

/**
 * The stable error codes of SluiceError.
 * @example
 * ```ts
 * if (isSluiceError(err) && err.code === ErrorCodes.BAD_JOB) console.error(err.message);
 * ```
 */
export const ErrorCodes = {
  /** Bad command-line flag or value (exit 2). */
  USAGE: 'SLUICE_USAGE',
  /** Bad date or range (exit 2). */
  BAD_DATE: 'SLUICE_BAD_DATE',
  /** Bad job file (exit 2). */
  BAD_JOB: 'SLUICE_BAD_JOB',
  /** Server said: too many calls; slow down and retry the same call. */
  RATE_LIMITED: 'SLUICE_RATE_LIMITED',
  /** Transient failure (5xx, reset, timeout, malformed body, Tushare -1000). */
  RETRYABLE: 'SLUICE_RETRYABLE',
  /** The window holds more rows than the API will page through: split it. */
  OVERFLOW: 'SLUICE_OVERFLOW',
  /** Bad token (Tushare 40101). */
  AUTH: 'SLUICE_AUTH',
  /** No permission for this API. */
  PERMISSION: 'SLUICE_PERMISSION',
  /** Bad parameter or field (Tushare -2001). */
  BAD_PARAM: 'SLUICE_BAD_PARAM',
  /** Every call to an API failed for a while: the circuit breaker stopped the run. */
  UNAVAILABLE: 'SLUICE_UNAVAILABLE',
  /** Another run of the same job holds the job's lock on this database. */
  LOCKED: 'SLUICE_LOCKED',
  /** The server refused this batch's query (Tushare's generic 50101): the batch fails once, the run goes on. */
  BAD_QUERY: 'SLUICE_BAD_QUERY',
  /** A per-day quota is used up: the run stops cleanly (or waits, see execution.waitForQuotaReset). */
  QUOTA_EXHAUSTED: 'SLUICE_QUOTA_EXHAUSTED',
  /** The run was cancelled. */
  ABORTED: 'SLUICE_ABORTED',
  /** Sink or journal problem. */
  SINK: 'SLUICE_SINK',
  /** Nothing found (run id, file). */
  NOT_FOUND: 'SLUICE_NOT_FOUND',
  /**
   * A bug: an error Sluice did not raise on purpose, carried on as a SluiceError (e.g. from a queue
   * worker), or a code from the wire that this version does not know.
   */
  INTERNAL: 'SLUICE_INTERNAL',
} as const;

/**
 * One of ErrorCodes' values.
 * @example
 * ```ts
 * const code: ErrorCode = 'SLUICE_RATE_LIMITED';
 * ```
 */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/** The error code `value` names, or undefined when it is not one of ErrorCodes (e.g. read from Redis). */
export function errorCodeOf(value: unknown): ErrorCode | undefined {
  return typeof value === 'string' && KNOWN_CODES.has(value) ? (value as ErrorCode) : undefined;
}

/** Codes of bad input (flag, date, job file, a missing run or file): exit 2, nothing written. */
const INPUT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCodes.USAGE,
  ErrorCodes.BAD_DATE,
  ErrorCodes.BAD_JOB,
  ErrorCodes.NOT_FOUND,
]);

/** Whether errors of this code mean bad input (exit 2) rather than a failure of the work. */
export function isInputError(code: ErrorCode): boolean {
  return INPUT_CODES.has(code);
}

/** The message of anything thrown (an Error's message, or the value as text). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Anything thrown, as an Error (a thrown non-Error becomes one with its text). */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A quota: at most `calls` calls per `intervalMs` (60000 per minute, 3600000 per hour, 86400000 per day). */
export interface Quota {
  readonly calls: number;
  readonly intervalMs: number;
}

/**
 * What an error knows about where it happened.
 * @example
 * ```ts
 * throw new SluiceError(ErrorCodes.RATE_LIMITED, 'too many calls', { retryAfterMs: 2000, upstreamCode: 40203 });
 * ```
 */
export interface SluiceErrorContext {
  /** Batch key the error belongs to, when there is one. */
  batchKey?: string;
  /** Attempt number (1-based) of the call or batch. */
  attempt?: number;
  /** Server's hint of how long to wait before the next call. */
  retryAfterMs?: number;
  /** Quota the server named in its message: `calls` per `intervalMs`. */
  quota?: Quota;
  /** When a used-up quota resets (ISO 8601 with its offset), for SLUICE_QUOTA_EXHAUSTED. */
  resetAt?: string;
  /** Upstream status or business code. */
  upstreamCode?: number | string;
}

const KIND_BY_CODE: Partial<Record<ErrorCode, FailureKind>> = {
  SLUICE_RATE_LIMITED: 'rate-limited',
  SLUICE_RETRYABLE: 'retryable',
  SLUICE_OVERFLOW: 'overflow',
  SLUICE_AUTH: 'fatal',
  SLUICE_PERMISSION: 'fatal',
  SLUICE_BAD_PARAM: 'fatal',
  SLUICE_UNAVAILABLE: 'fatal',
  SLUICE_BAD_QUERY: 'rejected',
  SLUICE_QUOTA_EXHAUSTED: 'fatal',
};

/** Exit code the CLI uses for an error of this code. */
export function exitCodeFor(code: ErrorCode): number {
  if (isInputError(code)) return 2;
  return code === ErrorCodes.ABORTED ? 130 : 1;
}

/**
 * Every error Sluice raises on purpose: a stable code, a one-line message, and context.
 * @example
 * ```ts
 * import { ErrorCodes, SluiceError } from 'sluice';
 * // a source classifies a failure by throwing a SluiceError
 * throw new SluiceError(ErrorCodes.RETRYABLE, 'HTTP 503', { upstreamCode: 503 });
 * ```
 */
export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly context: SluiceErrorContext;

  constructor(code: ErrorCode, message: string, context: SluiceErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SluiceError';
    this.code = code;
    this.context = context;
  }

  /** How a call failing with this error should be treated; undefined for non-call errors. */
  get kind(): FailureKind | undefined {
    return KIND_BY_CODE[this.code];
  }

  get exitCode(): number {
    return exitCodeFor(this.code);
  }
}

/**
 * True for a SluiceError.
 * @example
 * ```ts
 * try {
 *   await runJobFile('daily.yaml');
 * } catch (err) {
 *   if (isSluiceError(err)) console.error(err.code, err.message);
 *   else throw err;
 * }
 * ```
 */
export function isSluiceError(e: unknown): e is SluiceError {
  return e instanceof SluiceError;
}

/** Shorthand for input errors: names what is wrong and what was expected. */
export function usageError(message: string): SluiceError {
  return new SluiceError(ErrorCodes.USAGE, message);
}
