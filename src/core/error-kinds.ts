/**
 * "The same error" across calls: its code plus its message with the numbers that change from call
 * to call (byte counts, ports, milliseconds) blanked out. Shared by the circuit breaker, the run's
 * error tally and its notes on stderr, so that all three count alike.
 */

/** A key for grouping failed calls: two calls with the same key failed the same way. */
export function errorKind(code: string | number | undefined, message: string): string {
  return `${code ?? ''}|${message.replace(/\d+/g, '#')}`;
}

/**
 * Counts of one kind of error and the first message seen (the example).
 * @example
 * ```ts
 * const worst = report.errors?.[0]?.top[0]; // e.g. { code: '502', count: 24, example: 'daily: server error (HTTP 502)' }
 * ```
 */
export interface ErrorKindCount {
  /** Upstream code (HTTP status, Tushare code) or Sluice error code. */
  readonly code: string;
  readonly count: number;
  /** One message of this kind, scrubbed of secrets. */
  readonly example: string;
}

/** Most kinds one tally keeps per API; later new kinds are counted under the last one. */
export const MAX_ERROR_KINDS = 100;

/** Counts failed calls by kind (bounded), keeping one example each. */
export class KindCounter {
  private readonly kinds = new Map<string, { code: string; count: number; example: string }>();
  total = 0;

  /** Counts one failure; true when its kind was new. */
  add(code: string | number | undefined, message: string): boolean {
    this.total += 1;
    const key = errorKind(code, message);
    const known = this.kinds.get(key);
    if (known) {
      known.count += 1;
      return false;
    }
    if (this.kinds.size >= MAX_ERROR_KINDS) {
      const other = this.kinds.get('other') ?? { code: 'other', count: 0, example: 'other kinds of errors' };
      other.count += 1;
      this.kinds.set('other', other);
      return false;
    }
    this.kinds.set(key, { code: String(code ?? ''), count: 1, example: message });
    return true;
  }

  /** The `n` most frequent kinds, most frequent first (ties: first seen first). */
  top(n: number): ErrorKindCount[] {
    return [...this.kinds.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, n)
      .map((k) => ({ ...k }));
  }
}
