/**
 * The one output path of the process: lines (progress notes, warnings, errors) go to stderr, JSON
 * documents to stdout (reserved for `--json`); both are scrubbed of registered secrets on the way.
 */
import { scrub } from './secrets.js';

/** One line on stderr, scrubbed of secrets. */
export function printLine(text: string): void {
  process.stderr.write(`${scrub(text)}\n`);
}

/** Text on stdout (a table, a summary), scrubbed of secrets; a newline is added. */
export function printText(text: string): void {
  process.stdout.write(`${scrub(text)}\n`);
}

/** Print exactly one JSON document on stdout, scrubbed of secrets. */
export function printJson(value: unknown): void {
  process.stdout.write(`${scrub(JSON.stringify(value, null, 2))}\n`);
}
