/**
 * Partitions of item lists: by size, by a field's value, several in turn (composite). Each part
 * has a stable key derived from how it was made, so the same input always gives the same keys.
 */
import { usageError } from '../core/errors.js';

/**
 * One part of a partitioned list, with a stable key.
 * @example
 * ```ts
 * const parts: Part<string>[] = bySize<string>(2)(['a', 'b', 'c']);
 * // [{ key: '#0', items: ['a', 'b'] }, { key: '#1', items: ['c'] }]
 * ```
 */
export interface Part<T> {
  /** e.g. `#0`, `market=SZ`, `market=SZ/#1`. */
  readonly key: string;
  readonly items: T[];
}

/**
 * Splits one list of items into parts; keys are local (the composite joins them with `/`).
 * @example
 * ```ts
 * const byMarket: Partitioner<{ market: string }> = byField('market');
 * ```
 */
export type Partitioner<T> = (items: readonly T[]) => Part<T>[];

/** Consecutive slices of `size` items (the last may be shorter). SLUICE_USAGE when size < 1. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isSafeInteger(size) || size < 1)
    throw usageError(`batch size: expected a whole number >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Parts of at most `size` items, keyed `#0`, `#1`, ...
 * @example
 * ```ts
 * import { bySize } from 'sluice';
 * bySize<number>(100)(Array.from({ length: 250 }, (_, i) => i)).map((p) => p.items.length); // [100, 100, 50]
 * ```
 */
export function bySize<T>(size: number): Partitioner<T> {
  if (!Number.isSafeInteger(size) || size < 1)
    throw usageError(`batch size: expected a whole number >= 1, got ${size}`);
  return (items) => chunk(items, size).map((part, i) => ({ key: `#${i}`, items: part }));
}

/**
 * Group by a field's value (e.g. `list_status`, `market`), keyed `field=value`, in order of first
 * appearance. `field` may be a property name or a function returning the value.
 * @example
 * ```ts
 * import { byField } from 'sluice';
 * const parts = byField<{ code: string; market: string }>('market')(stocks);
 * parts.map((p) => p.key); // ['market=SZ', 'market=SH']
 * ```
 */
export function byField<T>(field: string, valueOf?: (item: T) => unknown): Partitioner<T> {
  const get = valueOf ?? ((item: T) => (item as Record<string, unknown>)[field]);
  return (items) => {
    const groups = new Map<string, T[]>();
    for (const item of items) {
      const v = get(item);
      const text = v === undefined || v === null ? '' : String(v);
      let list = groups.get(text);
      if (!list) groups.set(text, (list = []));
      list.push(item);
    }
    return [...groups].map(([value, list]) => ({ key: `${field}=${value}`, items: list }));
  };
}

/**
 * Apply partitioners in turn: each part of the first is split by the second, and so on.
 * @example
 * ```ts
 * import { byField, bySize, composite } from 'sluice';
 * const parts = composite(byField<{ market: string }>('market'), bySize(500))(stocks);
 * parts[0].key; // 'market=SZ/#0'
 * ```
 */
export function composite<T>(...partitioners: readonly Partitioner<T>[]): Partitioner<T> {
  return (items) => {
    let parts: Part<T>[] = [{ key: '', items: [...items] }];
    for (const p of partitioners) {
      const next: Part<T>[] = [];
      for (const part of parts) {
        for (const sub of p(part.items))
          next.push({ key: part.key ? `${part.key}/${sub.key}` : sub.key, items: sub.items });
      }
      parts = next;
    }
    return parts;
  };
}

/** Distinct values in first-appearance order (a cross product must not plan the same batch twice). */
export function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
