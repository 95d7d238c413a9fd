/** An in-memory Store with just the read side the report commands use. */
import type { RunReport } from '../../src/core/report.js';
import type { RunRecord, Store } from '../../src/core/store.js';

export function fakeStore(reports: readonly RunReport[], extra: readonly RunRecord[] = []): Store & { closed: number } {
  const records: RunRecord[] = [
    ...reports.map((r): RunRecord => ({
      id: r.runId,
      job: r.job,
      status: r.status,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      report: r,
    })),
    ...extra,
  ].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const unsupported = async (): Promise<never> => {
    throw new Error('not supported by the fake store');
  };
  const store = {
    closed: 0,
    open: async () => undefined,
    close: async () => {
      store.closed += 1;
    },
    getRun: async (id: string, job?: string) =>
      id === 'latest' ? records.find((r) => job === undefined || r.job === job) : records.find((r) => r.id === id),
    listRuns: async (job: string | undefined, limit: number) =>
      records.filter((r) => job === undefined || r.job === job).slice(0, limit),
    createRun: unsupported,
    addBatches: unsupported,
    doneBatches: async () => [],
    latestUnfinishedRun: unsupported,
    reopenRun: unsupported,
    batches: unsupported,
    markRunning: unsupported,
    commit: unsupported,
    markFailed: unsupported,
    split: unsupported,
    finishRun: unsupported,
    apiFacts: async () => [],
    saveApiFacts: unsupported,
  };
  return store;
}
