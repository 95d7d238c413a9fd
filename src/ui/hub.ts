/**
 * The runs a live server shows: one for `sluice run --ui`, several for a sync. Each run is its
 * monitor (the same one the report is built from) plus what the page needs to know; once a
 * second the hub renders each watched run once and hands the result to its subscribers. When a
 * run finishes, its stored report replaces the figures and subscribers get a final message.
 */
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import type { RunReport } from '../core/report.js';
import type { RunMonitor } from '../monitor/run-monitor.js';
import type { ChartSpec } from '../report/page/charts.js';
import { chartsOf, lanesOf, sectionsOf, type PageView } from '../report/page/page.js';
import { runsHtml } from './live-page.js';
import {
  finalProgress,
  interimReport,
  liveProgress,
  progressHtml,
  type LiveRunInfo,
  type Progress,
} from './live-state.js';

/** One update of a run's page. */
export interface LiveMessage {
  readonly runId: string;
  readonly status: string;
  /** The last message: figures are the stored report's. */
  readonly final: boolean;
  /** Inner HTML by element id. */
  readonly sections: Readonly<Record<string, string>>;
  readonly charts: readonly ChartSpec[];
  readonly lanes: unknown;
}

export interface LiveRunHandle {
  /** The run ended and stored `report`: show it, tell the watchers. */
  finish(report: RunReport): void;
}

/** A run as the index lists it. */
export interface LiveRunSummary {
  readonly runId: string;
  readonly job: string;
  readonly status: string;
  readonly progress: Progress;
}

interface Entry {
  readonly info: LiveRunInfo;
  readonly monitor: RunMonitor;
  /** Batches added by splits (children beyond the parent). */
  extra: number;
  final?: RunReport;
  readonly off: () => void;
  readonly subscribers: Set<(m: LiveMessage) => void>;
}

export class LiveHub {
  private readonly entries = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 1000) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  add(info: LiveRunInfo, events: Emitter<ExecutorEventMap>, monitor: RunMonitor): LiveRunHandle {
    const off = events.on('batch:split', (e) => {
      entry.extra += Math.max(0, e.children.length - 1);
    });
    const entry: Entry = { info, monitor, extra: 0, off, subscribers: new Set() };
    this.entries.set(info.runId, entry);
    return { finish: (report) => this.finish(info.runId, report) };
  }

  /** Run ids, in the order they were added. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  has(runId: string): boolean {
    return this.entries.has(runId);
  }

  summaries(): LiveRunSummary[] {
    return [...this.entries.values()].map((e) => {
      const state = this.state(e);
      return { runId: e.info.runId, job: e.info.job, status: state.view.status, progress: state.progress };
    });
  }

  private state(e: Entry): { report: RunReport; view: PageView; progress: Progress } {
    if (e.final) {
      const r = e.final;
      return {
        report: r,
        view: { status: r.status, detail: `${r.startedAt} → ${r.finishedAt}` },
        progress: finalProgress(r),
      };
    }
    const snap = e.monitor.snapshot();
    const progress = liveProgress(e.info, snap, e.extra);
    return {
      report: interimReport(e.info, snap, progress.total),
      view: { status: 'running', detail: `started ${e.info.startedAt} · live` },
      progress,
    };
  }

  /** The page's blocks, charts and lanes now. */
  message(runId: string): LiveMessage {
    const e = this.entries.get(runId);
    if (!e) throw new Error(`no live run ${runId}`);
    const { report, view, progress } = this.state(e);
    return {
      runId,
      status: view.status,
      final: e.final !== undefined,
      sections: {
        ...sectionsOf(report, view),
        's-progress': progressHtml(progress),
        ...(this.entries.size > 1 ? { 's-runs': runsHtml(this.summaries(), runId) } : {}),
      },
      charts: chartsOf(report, view),
      lanes: lanesOf(report),
    };
  }

  /** The report and view to render a full page with. */
  page(runId: string): { report: RunReport; view: PageView; progress: Progress; final: boolean } | undefined {
    const e = this.entries.get(runId);
    return e ? { ...this.state(e), final: e.final !== undefined } : undefined;
  }

  subscribe(runId: string, fn: (m: LiveMessage) => void): () => void {
    const e = this.entries.get(runId);
    if (!e) return () => undefined;
    e.subscribers.add(fn);
    return () => e.subscribers.delete(fn);
  }

  private finish(runId: string, report: RunReport): void {
    const e = this.entries.get(runId);
    if (!e || e.final) return;
    e.final = report;
    e.off();
    const m = this.message(runId);
    for (const fn of [...e.subscribers]) fn(m);
    e.subscribers.clear();
  }

  private tick(): void {
    for (const [id, e] of this.entries) {
      if (e.final || e.subscribers.size === 0) continue;
      let m: LiveMessage;
      try {
        m = this.message(id);
      } catch {
        continue; // a page must never disturb the run
      }
      for (const fn of [...e.subscribers]) fn(m);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const e of this.entries.values()) {
      e.off();
      e.subscribers.clear();
    }
  }
}
