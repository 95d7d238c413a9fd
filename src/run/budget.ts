/**
 * The row budget: how many fetched rows the executor may hold in memory at once.
 *
 * Rows held = rows of pages already fetched by batches in flight + rows of finished outcomes not
 * yet taken by the consumer + rows of the outcome the consumer took last (released when it asks
 * for the next one). Each call in progress also reserves `pageRows` (the source's row cap) for the
 * page it will bring, so that calls starting together cannot all pass a budget with room for one.
 *
 * Admission of one call (first page, later pages and retries alike), before its pacing slot:
 * - it fits: held + reserved + pageRows <= limit; or
 * - its batch is the oldest in flight and everything else (held + reserved minus the oldest's own
 *   rows and reservation) is <= limit, or the consumer holds no outcome at all.
 * A batch that may not call waits; it is woken when rows are released, or rejected on abort.
 *
 * Invariant (pages of at most pageRows rows, one call at a time per batch, as sources page):
 * held + reserved <= limit + R + pageRows at every moment, R being the rows of the largest batch.
 * Only the oldest batch goes past the limit, by at most its own rows and one page.
 * Progress: when the consumer waits for an outcome it holds none, so the oldest batch in flight
 * may always call; batches larger than the whole budget still complete, one at a time.
 */
import { ErrorCodes, SluiceError } from '../core/errors.js';

/** One batch in flight, in start order (a doubly linked list: the head is the oldest). */
export class Ticket {
  /** Rows of pages its calls brought. */
  rows = 0;
  /** Rows reserved for its calls in progress. */
  reserved = 0;
  prev: Ticket | undefined;
  next: Ticket | undefined;
  waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;

  constructor(
    readonly budget: RowBudget,
    readonly key: string,
  ) {}
}

export class RowBudget {
  /** Rows held, reservations excluded. */
  held = 0;
  reserved = 0;
  /** Rows of finished outcomes the consumer has not released (ready + taken last). */
  outcomeRows = 0;
  private head: Ticket | undefined;
  private tail: Ticket | undefined;
  private waiters = 0;
  private abortReason: unknown;

  constructor(
    readonly limit: number,
    readonly pageRows: number,
  ) {}

  /** A batch starts: it becomes the youngest in flight. */
  open(key: string): Ticket {
    const t = new Ticket(this, key);
    t.prev = this.tail;
    if (this.tail) this.tail.next = t;
    else this.head = t;
    this.tail = t;
    return t;
  }

  /** Room for one more page beyond what is held and reserved. */
  roomForPage(): boolean {
    return this.held + this.reserved + this.pageRows <= this.limit;
  }

  /** May this batch call now? Reserves a page when it may. */
  tryAdmit(t: Ticket): boolean {
    if (!this.mayCall(t)) return false;
    t.reserved += this.pageRows;
    this.reserved += this.pageRows;
    return true;
  }

  private mayCall(t: Ticket): boolean {
    if (this.roomForPage()) return true;
    if (t !== this.head) return false;
    return this.outcomeRows === 0 || this.held + this.reserved - t.rows - t.reserved <= this.limit;
  }

  /** Wait until the batch may call (then it holds a reservation). */
  admit(t: Ticket): Promise<void> {
    if (this.abortReason !== undefined) return Promise.reject(this.abortReason);
    return new Promise((resolve, reject) => {
      t.waiter = { resolve, reject };
      this.waiters++;
    });
  }

  /** A call ended: its reservation becomes the rows it brought (0 when it failed). */
  settle(t: Ticket, rows: number): void {
    t.reserved -= this.pageRows;
    this.reserved -= this.pageRows;
    t.rows += rows;
    this.held += rows;
    if (rows < this.pageRows) this.wake();
  }

  /** The batch finished: its rows become an outcome's (kept) or are dropped. Returns the rows. */
  close(t: Ticket, kept: boolean): number {
    if (t.prev) t.prev.next = t.next;
    else this.head = t.next;
    if (t.next) t.next.prev = t.prev;
    else this.tail = t.prev;
    t.prev = t.next = undefined;
    const rows = t.rows;
    if (kept) this.outcomeRows += rows;
    else this.held -= rows;
    // the next batch may now be the oldest
    this.wake();
    return rows;
  }

  /** The consumer released an outcome's rows. */
  release(rows: number): void {
    if (rows === 0) return;
    this.held -= rows;
    this.outcomeRows -= rows;
    this.wake();
  }

  /** Abort: every waiting batch is rejected at once, and later waits too. */
  abort(reason: unknown): void {
    this.abortReason = reason ?? new SluiceError(ErrorCodes.ABORTED, 'run cancelled');
    for (let t = this.head; t; t = t.next) {
      const w = t.waiter;
      if (!w) continue;
      t.waiter = undefined;
      this.waiters--;
      w.reject(this.abortReason);
    }
  }

  /** Admit waiting batches, oldest first, while they may call. */
  private wake(): void {
    for (let t = this.head; t && this.waiters > 0; t = t.next) {
      const w = t.waiter;
      if (!w || !this.tryAdmit(t)) continue;
      t.waiter = undefined;
      this.waiters--;
      w.resolve();
    }
  }
}
