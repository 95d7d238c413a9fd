/**
 * Encoding rows for `COPY ... FROM STDIN` in PostgreSQL's text format: columns separated by tabs,
 * rows by newlines, NULL as `\N`, and backslash, tab, newline and carriage return escaped with a
 * backslash. Unicode passes through as UTF-8.
 */
import type { Page } from '../../core/types.js';

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Escapes a string for the text format. */
export function escapeCopyText(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : s;
}

/** One value in the text format. */
export function copyValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return escapeCopyText(value);
    case 'number':
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return '\\N';
    default:
      if (value === null) return '\\N';
      if (value instanceof Date) return value.toISOString();
      return escapeCopyText(JSON.stringify(value));
  }
}

/**
 * Yields the page's rows as text-format chunks of roughly `chunkChars` characters, each row
 * followed by its ordinal (`firstOrdinal`, +1, ...) as a last column.
 */
export function* copyChunks(page: Page, firstOrdinal: number, chunkChars = 1 << 16): Generator<string> {
  const width = page.fields.length;
  let chunk = '';
  let ordinal = firstOrdinal;
  for (const row of page.items) {
    let line = '';
    for (let c = 0; c < width; c++) line += `${copyValue(row[c])}\t`;
    chunk += `${line}${ordinal++}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
