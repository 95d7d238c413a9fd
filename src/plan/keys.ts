/**
 * Batch keys. Resume matches journal rows to planned batches by key, so keys depend only on the
 * plan's inputs, never on time or order of creation, and are unique within a plan.
 *
 * - window key: `YYYYMMDD-YYYYMMDD` (always compact, whatever the input format), e.g. `20230115-20230331`.
 * - batch key: the window key, plus `|param=value` when the plan has an `each` dimension, e.g.
 *   `20230115-20230331|ts_code=000001.SZ`. Windows of one plan never overlap and values are
 *   de-duplicated, so keys are unique; a value may contain any character, as it is the key's tail.
 * - a batch without a window (no time dimension) is keyed `param=value`.
 */
import type { DayRange } from '../core/dates.js';
import { formatDayFast } from './format.js';

export function windowKey(window: DayRange): string {
  const start = formatDayFast(window.start);
  return `${start}-${window.end === window.start ? start : formatDayFast(window.end)}`;
}

/** Key prefix shared by all batches of one window in an `each` plan; append the value. */
export function batchKeyPrefix(windowKeyText: string, param: string): string {
  return `${windowKeyText}|${param}=`;
}

export function batchKey(
  window: DayRange | undefined,
  each?: { readonly param: string; readonly value: string },
): string {
  if (!window) return each ? `${each.param}=${each.value}` : '';
  const wk = windowKey(window);
  return each ? batchKeyPrefix(wk, each.param) + each.value : wk;
}
