/**
 * SIGINT/SIGTERM, the same for every command: the first signal aborts the command's signal (its
 * reason a SLUICE_ABORTED error whose message is the signal's name) so it stops cleanly; a second
 * exits at once with 130 (the journal is transactional, so even that loses nothing).
 */
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { printLine } from '../core/log.js';

/**
 * Runs `fn` with a signal that the first SIGINT/SIGTERM aborts; `note` is printed then, as
 * `NAME: note`, by the command's own prefix (e.g. `sluice: SIGINT: stopping; ...`).
 */
export async function withStopSignals<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  note?: { readonly prefix: string; readonly text: string },
): Promise<T> {
  const controller = new AbortController();
  let stops = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    stops += 1;
    if (stops > 1) process.exit(130);
    if (note) printLine(`${note.prefix}${name}: ${note.text}`);
    controller.abort(new SluiceError(ErrorCodes.ABORTED, name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** What `sluice run` and `sluice demo` say when stopped (the blank line ends a progress bar). */
export const RUN_STOP_NOTE = {
  prefix: '\nsluice: ',
  text: 'stopping; finished batches are saved (resume with --resume)',
};

/** Resolves once `signal` is aborted. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
