/**
 * Places a run writes to, checked before the run starts (exit 2, nothing fetched): the sink's
 * database file and its folder, and files such as `--html`. A check that only asked the file
 * system for permission bits would pass as root on a read-only mount, so the folder is probed by
 * creating (and removing at once) a file in it.
 */
import { accessSync, closeSync, constants, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCodes, SluiceError, type ErrorCode } from '../core/errors.js';

function refuse(code: ErrorCode, message: string): SluiceError {
  return new SluiceError(code, message);
}

/** Throws unless a file can be created in `dir` (and removed again). */
function probeFolder(dir: string, label: string, code: ErrorCode): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw refuse(code, `${label}: directory ${dir} does not exist; create it first`);
  const probe = resolve(dir, `.sluice-probe-${process.pid}-${Date.now()}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    throw refuse(code, `${label}: directory ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    unlinkSync(probe);
  } catch {
    /* gone already */
  }
}

/**
 * Throws SLUICE_USAGE (or `code`) naming `label` unless `file` can be written: not a directory, not
 * read-only, in a folder that exists and takes new files.
 */
export function checkWritableFile(file: string, label: string, code: ErrorCode = ErrorCodes.USAGE): void {
  const path = resolve(file);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw refuse(code, `${label}: ${file} is a directory; expected a file`);
    try {
      accessSync(path, constants.W_OK);
      closeSync(openSync(path, 'r+'));
    } catch (err) {
      throw refuse(code, `${label}: ${file} is read-only (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  }
  probeFolder(dirname(path), label, code);
}
