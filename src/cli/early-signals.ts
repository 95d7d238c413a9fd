/**
 * Imported first by the command: from the first moments of the process, SIGINT and SIGTERM exit
 * 130 ("interrupted"), not by the signal's default (143 for SIGTERM), while modules still load and
 * nothing has been written. Once a command installs its own handler (a run's graceful stop, a
 * worker's), this one steps aside and lets it decide.
 */
function early(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  process.exit(130);
}

process.on('SIGINT', early);
process.on('SIGTERM', early);
