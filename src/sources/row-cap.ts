/**
 * What a source knows about its server's row cap, shared by every batch of the API in a run.
 *
 * A page shorter than the page size ends a window only when it is certainly the last one: shorter
 * than a page the server is known to have returned whole (`atLeast`), or cut at a known exact cap.
 * Otherwise the source asks for the next page: when it is empty the short page was the last one
 * (and `atLeast` grows), when it holds rows the short page was cut at the server's real cap
 * (`exact`), which every later call uses as its page size. A full page proves the server honours
 * the page size. So the check costs one call when the cap is unknown and lower than assumed (and
 * that call fetches rows the window needs anyway), nothing once a full page or a documented cap
 * vouches for the page size, and a call per window only while windows keep being smaller than the
 * cap and larger than any seen before.
 */
import type { CapFacts } from '../core/source.js';

export class RowCap {
  private exactCap: number | undefined;
  private wholeUpTo: number;
  /** Extra calls that only proved a short page complete (an empty page after it). */
  checks = 0;

  /**
   * `requested`: the page size a call asks for (the job's rowCap); `known`: what earlier runs or
   * the catalogue already established.
   */
  constructor(
    readonly requested: number,
    known: CapFacts = {},
  ) {
    this.exactCap = known.exact;
    this.wholeUpTo = Math.max(known.atLeast ?? 0, known.exact ?? 0);
  }

  /** Rows a call asks for now. */
  pageSize(): number {
    return this.exactCap !== undefined ? Math.min(this.requested, this.exactCap) : this.requested;
  }

  /** A short page of `rows` rows (no `has_more`) is certainly the window's last one. */
  isLast(rows: number): boolean {
    return rows < this.wholeUpTo;
  }

  /** A page of `rows` rows came back whole: the server's cap is at least that. */
  whole(rows: number): void {
    if (rows > this.wholeUpTo) this.wholeUpTo = rows;
  }

  /** A page of `rows` rows was cut at the server's cap (more rows followed it). */
  cut(rows: number): void {
    if (rows < 1) return;
    this.exactCap = this.exactCap === undefined ? rows : Math.min(this.exactCap, rows);
    if (rows > this.wholeUpTo) this.wholeUpTo = rows;
  }

  /** Add what earlier runs established (stored facts). */
  learn(known: CapFacts): void {
    if (known.exact !== undefined) this.cut(known.exact);
    if (known.atLeast !== undefined) this.whole(known.atLeast);
  }

  facts(): CapFacts {
    return {
      ...(this.exactCap !== undefined ? { exact: this.exactCap } : {}),
      ...(this.wholeUpTo > 0 ? { atLeast: this.wholeUpTo } : {}),
    };
  }
}
