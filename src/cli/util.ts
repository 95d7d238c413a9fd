/**
 * Shared CLI plumbing: turn errors into one scrubbed line and an exit code; parse flags. Printing
 * itself is core/log.ts (re-exported here for the commands).
 */
import { isSluiceError, messageOf, usageError } from '../core/errors.js';
import { printLine } from '../core/log.js';
import { checkWritableFile } from '../job/places.js';

export { printJson, printLine } from '../core/log.js';

/** Report an error as one line and return the exit code to use. */
export function failWith(err: unknown): number {
  if (isSluiceError(err)) {
    printLine(`sluice: ${err.message}`);
    return err.exitCode;
  }
  printLine(`sluice: internal error: ${messageOf(err)}`);
  if (process.env.SLUICE_DEBUG && err instanceof Error && err.stack) printLine(err.stack);
  return 1;
}

/**
 * Wrap a command action: its resolved value is the exit code (default 0); errors become one line.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: number;
    try {
      code = (await fn(...args)) ?? 0;
    } catch (err) {
      code = failWith(err);
    }
    process.exitCode = code;
  };
}

/** Parse a positive integer flag or throw a usage error naming the flag. */
export function intFlag(
  name: string,
  value: string | undefined,
  { min = 1, max = Number.MAX_SAFE_INTEGER } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(`${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Throw a usage error naming the flag when the file cannot be written: a directory, read-only, or
 * in a folder that does not exist or takes no new files.
 */
export function checkWritableDir(file: string, flag: string): void {
  checkWritableFile(file, flag);
}
