/**
 * Errors by kind: calls that did not succeed (by status and upstream code) and batches that
 * failed (by error code), each with its count and the latest example. Bounded: at most
 * `maxKinds` kinds; later new kinds are counted under "other".
 */
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import type { LatestErrorReport } from '../core/report.js';

/** One kind of error (the report's contract). */
export type LatestError = LatestErrorReport;

interface Entry {
  scope: LatestError['scope'];
  kind: string;
  code: string;
  count: number;
  latest: LatestError['latest'];
}

export class LatestErrors {
  private readonly kinds = new Map<string, Entry>();

  constructor(
    private readonly rel: (tMs: number) => number,
    private readonly maxKinds = 40,
  ) {}

  attach(events: Emitter<ExecutorEventMap>): Array<() => void> {
    return [
      events.on('call:end', (e) => {
        if (e.status === 'ok' || e.status === 'aborted') return;
        this.add('call', e.status, e.code === undefined ? '' : String(e.code), {
          key: e.key,
          atMs: Math.round(this.rel(e.tMs)),
          api: e.api,
        });
      }),
      events.on('batch:fail', (e) => {
        this.add('batch', 'failed', e.code, { key: e.key, atMs: Math.round(this.rel(e.tMs)), message: e.error });
      }),
    ];
  }

  private add(scope: Entry['scope'], kind: string, code: string, latest: Entry['latest']): void {
    let id = `${scope}|${kind}|${code}`;
    if (!this.kinds.has(id) && this.kinds.size >= this.maxKinds) {
      id = `${scope}|other|`;
      kind = 'other';
      code = '';
    }
    const e = this.kinds.get(id);
    if (e) {
      e.count += 1;
      e.latest = latest;
    } else this.kinds.set(id, { scope, kind, code, count: 1, latest });
  }

  /** Batch failures first, then by count. */
  list(): LatestError[] {
    return [...this.kinds.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => (a.scope === b.scope ? b.count - a.count : a.scope === 'batch' ? -1 : 1));
  }
}
