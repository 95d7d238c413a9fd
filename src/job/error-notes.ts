/**
 * Naming the cause as it happens: the first failed call of each new kind per API goes to stderr at
 * once, then a count of failed calls every `intervalMs` while calls keep failing — never a line per
 * call.
 */
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import { createErrorTally, type ErrorTally } from '../monitor/errors.js';

export interface ErrorNotesOptions {
  readonly events: Emitter<ExecutorEventMap>;
  readonly note: (line: string) => void;
  /** @default 10000 */
  readonly intervalMs?: number;
}

export interface ErrorNotes {
  /** The run's tally (for the report). */
  readonly tally: ErrorTally;
  /** Notes the failed calls since the last count (the timer calls it every `intervalMs`). */
  count(): void;
  stop(): void;
}

export function startErrorNotes(options: ErrorNotesOptions): ErrorNotes {
  const { events, note } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const tally = createErrorTally(events);
  tally.onNewKind((e) => note(`${e.api}: a call failed: ${e.message}`));
  let last = new Map<string, number>();
  const count = (): void => {
    const now = new Map<string, number>();
    for (const a of tally.snapshot(2)) {
      now.set(a.api, a.failedCalls);
      const fresh = a.failedCalls - (last.get(a.api) ?? 0);
      if (fresh <= 0) continue;
      const kinds = a.top.map((k) => `${k.count} x ${k.example}`).join('; ');
      note(
        `${a.api}: ${fresh} ${fresh === 1 ? 'call' : 'calls'} failed in the last ${Math.round(intervalMs / 1000)} s (${a.failedCalls} in all; most: ${kinds})`,
      );
    }
    last = now;
  };
  const timer = setInterval(count, intervalMs);
  timer.unref();
  return {
    tally,
    count,
    stop() {
      clearInterval(timer);
      tally.stop();
    },
  };
}
