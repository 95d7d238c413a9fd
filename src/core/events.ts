/**
 * Typed events: the executor emits, the monitor listens. Emitting with no listener costs a map
 * lookup; listeners must not throw (errors are swallowed so observation never changes behaviour).
 */
import type { CallStatus } from './types.js';

/**
 * The executor's events and their payloads.
 * @example
 * ```ts
 * events.on('pace:wait', (e: ExecutorEventMap['pace:wait']) =>
 *   console.log(`${e.api} waited ${e.waitMs} ms (${e.reason})`),
 * );
 * ```
 */
export interface ExecutorEventMap {
  'batch:start': { readonly key: string; readonly tMs: number };
  'batch:done': {
    readonly key: string;
    readonly tMs: number;
    readonly rows: number;
    readonly calls: number;
    readonly ms: number;
  };
  'batch:fail': { readonly key: string; readonly tMs: number; readonly error: string; readonly code: string };
  'batch:split': { readonly key: string; readonly tMs: number; readonly children: readonly string[] };
  'call:start': {
    readonly api: string;
    readonly key: string;
    readonly tMs: number;
    readonly page: number;
    readonly attempt: number;
  };
  'call:end': {
    readonly api: string;
    readonly key: string;
    readonly tMs: number;
    readonly page: number;
    readonly attempt: number;
    readonly ms: number;
    readonly rows: number;
    readonly status: CallStatus;
    readonly code?: string | number;
    /** Why the call failed (scrubbed), when it did. */
    readonly error?: string;
  };
  /** Time a call waited for a pacing slot (quota) or after a rate-limit answer; `tMs` is when the wait ended. */
  'pace:wait': {
    readonly api: string;
    /** The batch whose call waited (absent from emitters that do not know it). */
    readonly key?: string;
    readonly tMs: number;
    readonly waitMs: number;
    readonly reason: 'quota' | 'rate-limited';
  };
  /** Time a call of batch `key` waited for room in the row budget (maxRowsHeld), before pacing. */
  'rows:wait': {
    readonly key: string;
    readonly tMs: number;
    readonly waitMs: number;
    readonly heldRows: number;
    readonly maxRowsHeld: number;
  };
  /**
   * A fetched batch's rows and done mark were committed to the store; `ms` is how long the commit
   * took (it ended at `tMs`). Emitted by the engine that writes: the local engine, or relayed from workers.
   */
  'batch:commit': { readonly key: string; readonly tMs: number; readonly ms: number; readonly rows: number };
  /** Rate learned or changed (calls per interval). */
  'pace:rate': { readonly api: string; readonly tMs: number; readonly callsPerMinute: number };
  concurrency: { readonly tMs: number; readonly limit: number; readonly inflight: number };
}

export type EventName = keyof ExecutorEventMap;
export type Listener<K extends EventName> = (payload: ExecutorEventMap[K]) => void;

/**
 * Typed events: the executor emits them, monitors and progress displays listen. A listener that throws is ignored.
 * @example
 * ```ts
 * import { Emitter, execute } from 'sluice';
 * const events = new Emitter();
 * const off = events.on('batch:done', (e) => console.log(e.key, e.rows));
 * await drain(execute(batches, { source, events }));
 * off();
 * ```
 */
export class Emitter<M extends { [K in keyof M]: unknown } = ExecutorEventMap> {
  private readonly listeners = new Map<keyof M, Array<(p: never) => void>>();

  on<K extends keyof M>(name: K, fn: (payload: M[K]) => void): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(fn as (p: never) => void);
    this.listeners.set(name, list);
    return () => {
      const current = this.listeners.get(name);
      if (current)
        this.listeners.set(
          name,
          current.filter((f) => f !== fn),
        );
    };
  }

  has(name: keyof M): boolean {
    return (this.listeners.get(name)?.length ?? 0) > 0;
  }

  emit<K extends keyof M>(name: K, payload: M[K]): void {
    const list = this.listeners.get(name);
    if (!list) return;
    for (const fn of list) {
      try {
        (fn as (p: M[K]) => void)(payload);
      } catch {
        // an observer's bug must never change the run
      }
    }
  }
}

export type ExecutorEvents = Emitter<ExecutorEventMap>;
