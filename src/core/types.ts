/**
 * The small contracts between rooms. Each room depends on these, never on another room's insides.
 */

/**
 * An inclusive window of dates, in the user's date format.
 * @example
 * ```ts
 * const q1: Window = { start: '20240101', end: '20240331' };
 * ```
 */
export interface Window {
  readonly start: string;
  readonly end: string;
}

/**
 * One unit of work: the request parameters for one window (and one partition value, if any).
 * @example
 * ```ts
 * const batch: Batch = {
 *   key: 'w:20240101..20240331',
 *   params: { start_date: '20240101', end_date: '20240331' },
 *   window: { start: '20240101', end: '20240331' },
 * };
 * ```
 */
export interface Batch {
  /** Stable key: the same job planned twice gives the same keys. */
  readonly key: string;
  /** Request parameters (date params, partition values, fixed params). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The date window this batch covers, when it is a time batch (used to split on overflow). */
  readonly window?: Window;
}

/**
 * A page of rows as the API returned it: column names plus rows as arrays.
 * @example
 * ```ts
 * const page: Page = { fields: ['ts_code', 'close'], items: [['000001.SZ', 10.5]] };
 * ```
 */
export interface Page {
  readonly fields: readonly string[];
  readonly items: readonly (readonly unknown[])[];
}

/**
 * Rows returned by a batch, as the pages they came in.
 * @example
 * ```ts
 * if (outcome.status === 'done') for (const page of outcome.rows.pages) write(page.fields, page.items);
 * ```
 */
export interface BatchRows {
  readonly fields: readonly string[];
  readonly pages: readonly Page[];
  readonly rowCount: number;
}

/**
 * Outcome of one call as the monitor sees it.
 * @example
 * ```ts
 * events.on('call:end', (e) => {
 *   const s: CallStatus = e.status;
 *   if (s === 'rate-limited') console.log('slowing down');
 * });
 * ```
 */
export type CallStatus = 'ok' | 'retryable' | 'rate-limited' | 'overflow' | 'rejected' | 'fatal' | 'aborted';
