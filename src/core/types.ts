/**
 * The small contracts between rooms. Each room depends on these, never on another room's insides.
 */

/** An inclusive window of dates, in the user's date format. */
export interface Window {
  readonly start: string;
  readonly end: string;
}

/** One unit of work: the request parameters for one window (and one partition value, if any). */
export interface Batch {
  /** Stable key: the same job planned twice gives the same keys. */
  readonly key: string;
  /** Request parameters (date params, partition values, fixed params). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The date window this batch covers, when it is a time batch (used to split on overflow). */
  readonly window?: Window;
}

/** A page of rows as the API returned it: column names plus rows as arrays. */
export interface Page {
  readonly fields: readonly string[];
  readonly items: readonly (readonly unknown[])[];
}

/** Rows returned by a batch, as the pages they came in. */
export interface BatchRows {
  readonly fields: readonly string[];
  readonly pages: readonly Page[];
  readonly rowCount: number;
}

/** Outcome of one call as the monitor sees it. */
export type CallStatus = 'ok' | 'retryable' | 'rate-limited' | 'overflow' | 'rejected' | 'fatal' | 'aborted';
