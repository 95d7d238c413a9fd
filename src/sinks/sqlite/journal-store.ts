/**
 * The journal half of a Store whose journal is a SQLite database (SqliteStore, JsonlStore): the
 * run and batch bookkeeping, written once. Each store adds opening, closing and its data writes.
 */
import type { Batch } from '../../core/types.js';
import type { ApiFacts, BatchRecord, BatchStatus, NewRun, RunRecord, RunStatus } from '../../core/store.js';
import type { RunReport } from '../../core/report.js';
import { SluiceError, ErrorCodes } from '../../core/errors.js';
import type { SqliteJournal } from './journal.js';
import { sinkError } from './errors.js';

export { sinkError } from './errors.js';

export abstract class SqliteJournalStore {
  /** Set by `open()`, cleared by `close()`. */
  protected journalRef: SqliteJournal | undefined;

  /** Names the store in errors: "the SQLite store is not open". */
  protected abstract readonly label: string;

  protected get journal(): SqliteJournal {
    if (!this.journalRef) throw new SluiceError(ErrorCodes.SINK, `the ${this.label} store is not open`);
    return this.journalRef;
  }

  /** Commits writes the store holds open (SQLite's group commit) around run-level changes. */
  protected settle(): void {}

  /**
   * Commits writes the store holds open without throwing: a group that cannot commit is recorded
   * on its batches (and thrown by the store's next write), so that the run's end is still stored.
   */
  protected settleQuietly(): void {}

  /** The database file, named in errors (a full disk names it). */
  protected get file(): string | undefined {
    return undefined;
  }

  protected guard<T>(work: () => T, doing: string, batchKey?: string): T {
    try {
      return work();
    } catch (err) {
      throw sinkError(err, doing, batchKey, this.file);
    }
  }

  async createRun(run: NewRun, batches: readonly Batch[]): Promise<void> {
    this.guard(() => {
      this.settle();
      this.journal.createRun(run, batches);
    }, `creating run ${run.id}`);
  }

  async addBatches(runId: string, batches: readonly Batch[]): Promise<void> {
    this.guard(() => this.journal.addBatches(runId, batches), `adding batches to run ${runId}`);
  }

  async latestUnfinishedRun(job: string): Promise<RunRecord | undefined> {
    return this.journal.latestUnfinishedRun(job);
  }

  async reopenRun(runId: string): Promise<void> {
    this.guard(() => {
      this.settle();
      this.journal.reopenRun(runId);
    }, `reopening run ${runId}`);
  }

  async batches(runId: string, statuses?: readonly BatchStatus[]): Promise<BatchRecord[]> {
    return this.journal.batches(runId, statuses);
  }

  async doneBatches(job: string, fingerprint: string): Promise<BatchRecord[]> {
    return this.journal.doneBatches(job, fingerprint);
  }

  async markRunning(runId: string, key: string): Promise<void> {
    this.guard(() => this.journal.markRunning(runId, key), `marking batch ${key} running`, key);
  }

  async markFailed(runId: string, key: string, error: string, attempts: number): Promise<void> {
    this.guard(() => this.journal.markFailed(runId, key, error, attempts), `marking batch ${key} failed`, key);
  }

  async split(runId: string, parentKey: string, children: readonly Batch[]): Promise<void> {
    this.guard(() => this.journal.split(runId, parentKey, children), `splitting batch ${parentKey}`, parentKey);
  }

  async finishRun(runId: string, status: RunStatus, report: RunReport): Promise<void> {
    this.settleQuietly();
    this.guard(() => this.journal.finishRun(runId, status, report), `finishing run ${runId}`);
  }

  async getRun(id: string, job?: string): Promise<RunRecord | undefined> {
    return this.journal.getRun(id, job);
  }

  async listRuns(job: string | undefined, limit: number): Promise<RunRecord[]> {
    return this.journal.listRuns(job, limit);
  }

  async apiFacts(): Promise<ApiFacts[]> {
    return this.journal.apiFacts();
  }

  async saveApiFacts(facts: readonly ApiFacts[]): Promise<void> {
    this.guard(() => this.journal.saveApiFacts(facts), 'saving what was learned about the API');
  }
}
