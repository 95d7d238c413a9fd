/**
 * A fake Source for executor tests. Its data is a function of the window: day d holds
 * `rowsOnDay(d)` rows. A window holding more than `maxRows` rows throws SLUICE_OVERFLOW; pages are
 * `rowCap` rows. Behaviour per call can be scripted with `onCall` (throw to fail the call).
 */
import type { Source, CallContext } from '../../src/core/source.js';
import type { Batch, Page, Window } from '../../src/core/types.js';
import { ErrorCodes, SluiceError } from '../../src/core/errors.js';

const DAY_MS = 86_400_000;

export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function rowsOnDay(day: number): number {
  return (day * 7) % 5;
}

/** Every row of a window, as the source would return them in order. */
export function expectedRows(window: Window): unknown[][] {
  const rows: unknown[][] = [];
  for (let d = dayNumber(window.start); d <= dayNumber(window.end); d++) {
    for (let i = 0; i < rowsOnDay(d); i++) rows.push([dayString(d), i]);
  }
  return rows;
}

export function windowBatch(start: string, end: string): Batch {
  return { key: `w:${start}..${end}`, params: { start_date: start, end_date: end }, window: { start, end } };
}

/** Split a window batch into two halves; undefined for a single day. */
export function splitWindow(batch: Batch): Batch[] | undefined {
  if (!batch.window) return undefined;
  const a = dayNumber(batch.window.start);
  const b = dayNumber(batch.window.end);
  if (a >= b) return undefined;
  const mid = Math.floor((a + b) / 2);
  return [windowBatch(dayString(a), dayString(mid)), windowBatch(dayString(mid + 1), dayString(b))];
}

export interface FakeSourceOptions {
  readonly maxRows?: number;
  readonly rowCap?: number;
  /** Called before each upstream call answers; may throw or wait. */
  readonly onCall?: (batch: Batch, page: number, signal: AbortSignal) => void | Promise<void>;
}

export class FakeSource implements Source {
  readonly api = 'fake_api';
  readonly rowCap: number;
  readonly fields = ['date', 'i'] as const;
  calls = 0;
  running = 0;
  maxRunning = 0;

  constructor(private readonly options: FakeSourceOptions = {}) {
    this.rowCap = options.rowCap ?? 4;
  }

  async *fetch(batch: Batch, ctx: CallContext): AsyncIterable<Page> {
    const rows = batch.window ? expectedRows(batch.window) : [[batch.key, 0]];
    for (let page = 0; ; page++) {
      const got = await ctx.call(
        async (signal) => {
          this.calls++;
          this.running++;
          this.maxRunning = Math.max(this.maxRunning, this.running);
          try {
            await this.options.onCall?.(batch, page, signal);
            if (rows.length > (this.options.maxRows ?? Infinity)) {
              throw new SluiceError(ErrorCodes.OVERFLOW, `window holds ${rows.length} rows`, { upstreamCode: 50101 });
            }
            return { fields: this.fields, items: rows.slice(page * this.rowCap, (page + 1) * this.rowCap) };
          } finally {
            this.running--;
          }
        },
        { page },
      );
      if (got.items.length > 0) yield got;
      if (got.items.length < this.rowCap) return;
    }
  }
}

/** A promise that settles only when `signal` aborts (a hung upstream). */
export function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
