/**
 * What the emulator counts: requests, calls per API, answers by code, refusals for rate, faults,
 * rows served, and the most requests it held at once.
 */
import { FAULT_KINDS, type FaultKind } from './faults.js';

export interface EmulatorStats {
  /** Requests with a valid token and a known API (refused for rate or not). */
  readonly calls: number;
  /** `calls` per API name. */
  readonly byApi: Readonly<Record<string, number>>;
  /** Answers with code 40203 for quota (rate-limit refusals). */
  readonly rejectedRate: number;
  /** Answers by business code (0, 40101, 40203, -2001, 50101, -1000 ...), faults excluded. */
  readonly byCode: Readonly<Record<string, number>>;
  /** Injected faults by kind (an `internal` fault is counted here, not in byCode). */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Rows served in successful answers. */
  readonly rows: number;
  /** Every HTTP request received. */
  readonly requests: number;
  /** Requests open right now. */
  readonly inflight: number;
  /** Most requests open at once. */
  readonly maxConcurrent: number;
}

export class EmulatorStatsCounter {
  inflight = 0;
  private maxConcurrent = 0;
  private requests = 0;
  private calls = 0;
  private rows = 0;
  private rejectedRate = 0;
  private readonly byApi: Record<string, number> = {};
  private readonly byCode: Record<string, number> = {};
  private readonly faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

  open(): void {
    this.requests++;
    this.inflight++;
    if (this.inflight > this.maxConcurrent) this.maxConcurrent = this.inflight;
  }

  closeOne(): void {
    this.inflight--;
  }

  call(api: string): void {
    this.calls++;
    this.byApi[api] = (this.byApi[api] ?? 0) + 1;
  }

  answer(code: number, rows: number, quotaRefusal = false): void {
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    this.rows += rows;
    if (quotaRefusal) this.rejectedRate++;
  }

  fault(kind: FaultKind): void {
    this.faults[kind]++;
  }

  snapshot(): EmulatorStats {
    return {
      calls: this.calls,
      byApi: { ...this.byApi },
      rejectedRate: this.rejectedRate,
      byCode: { ...this.byCode },
      faults: { ...this.faults },
      rows: this.rows,
      requests: this.requests,
      inflight: this.inflight,
      maxConcurrent: this.maxConcurrent,
    };
  }
}
