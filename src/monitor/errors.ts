/**
 * Failed calls by API and kind, for the report (`errors`: the most frequent kinds per API with a
 * count and one example each) and for the run's notes on stderr. It only listens.
 */
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import { KindCounter } from '../core/error-kinds.js';
import type { ApiErrorsReport } from '../core/report.js';
import { scrub } from '../core/secrets.js';

/** Failed calls of one API (retries included; rate-limit refusals are not failures). */
export type ApiErrors = ApiErrorsReport;

/** What a new kind of error looked like, as it happened. */
export interface NewErrorKind {
  readonly api: string;
  readonly code: string;
  readonly message: string;
}

export interface ErrorTally {
  /** Per API, the `top` most frequent kinds. */
  snapshot(top?: number): ApiErrors[];
  /** Called once per API and kind, at its first occurrence. */
  onNewKind(fn: (e: NewErrorKind) => void): void;
  stop(): void;
}

/** Statuses that are failures of the call (not refusals, splits or a cancelled run). */
const FAILED = new Set(['retryable', 'rejected', 'fatal']);

export function createErrorTally(events: Emitter<ExecutorEventMap>): ErrorTally {
  const byApi = new Map<string, KindCounter>();
  const listeners: ((e: NewErrorKind) => void)[] = [];
  const off = events.on('call:end', (e) => {
    if (!FAILED.has(e.status)) return;
    let kinds = byApi.get(e.api);
    if (!kinds) {
      kinds = new KindCounter();
      byApi.set(e.api, kinds);
    }
    const message = scrub(e.error ?? `call ${e.status}`);
    if (kinds.add(e.code ?? e.status, message)) {
      for (const fn of listeners) fn({ api: e.api, code: String(e.code ?? e.status), message });
    }
  });
  return {
    snapshot: (top = 5) =>
      [...byApi.entries()].map(([api, kinds]) => ({ api, failedCalls: kinds.total, top: kinds.top(top) })),
    onNewKind: (fn) => void listeners.push(fn),
    stop: off,
  };
}
