/**
 * Every page passes here before it counts as an answer: a row whose number of values differs from
 * the page's `fields` would be stored shifted (a value dropped at the front moves every column one
 * to the left), cut off or padded with NULL. Such a page is a bad answer, retried like a garbled body.
 */
import { ErrorCodes, SluiceError } from '../core/errors.js';
import type { CallInfo } from '../core/source.js';
import type { Page } from '../core/types.js';

/** What is wrong with the page's shape, or undefined when every row has one value per field. */
export function pageShapeProblem(page: Page): string | undefined {
  const fields = page.fields as unknown;
  const items = page.items as unknown;
  if (!Array.isArray(fields)) return 'fields is not a list';
  if (!Array.isArray(items)) return 'items is not a list';
  const width = fields.length;
  for (let i = 0; i < items.length; i++) {
    const row: unknown = items[i];
    if (!Array.isArray(row)) return `row ${i + 1} is not a list of values`;
    if (row.length !== width) return `row ${i + 1} has ${row.length} values, fields has ${width}`;
  }
  return undefined;
}

/** The retryable error of a malformed page, naming the batch, the page and what was wrong. */
export function malformedPageError(problem: string, batchKey: string, info: CallInfo, attempt: number): SluiceError {
  const where = info.offset === undefined ? `page ${info.page}` : `page ${info.page} (offset ${info.offset})`;
  return new SluiceError(ErrorCodes.RETRYABLE, `batch ${batchKey}, ${where}: malformed answer: ${problem}`, {
    batchKey,
    attempt,
  });
}
