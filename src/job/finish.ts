/**
 * What happens after a run, shared by `sluice run` and `sluice demo`: HTML report, alerts, the
 * one-line summary, and the printed report. Also the SIGINT/SIGTERM wiring (exit 130).
 */
import { writeFileSync } from 'node:fs';
import { formatSummary, formatRunLine, renderHtml, runAlerts } from '../report/index.js';
import { printJson, printLine } from '../cli/util.js';
import type { RunJobResult } from './run.js';
import type { JobConfig } from './schema.js';

export interface FinishOptions {
  readonly json?: boolean;
  readonly html?: string;
}

/** Writes HTML, runs alerts, prints; returns the exit code. */
export async function finishRun(result: RunJobResult, job: JobConfig, options: FinishOptions): Promise<number> {
  const { report } = result;
  if (result.fatal) printLine(`sluice: ${result.fatal.message}`);
  if (options.html) {
    writeFileSync(options.html, renderHtml(report));
    printLine(`sluice: HTML report written to ${options.html}`);
  }
  if (job.alerts.length > 0) {
    for (const a of await runAlerts(report, job.alerts)) {
      if (!a.fired) continue;
      const failures = [a.webhook, a.command].filter((r) => r && !r.ok).map((r) => r?.error ?? 'failed');
      printLine(
        failures.length > 0
          ? `sluice: alert "${a.when}" fired but could not be delivered: ${failures.join('; ')}`
          : `sluice: alert "${a.when}" fired`,
      );
    }
  }
  printLine(`sluice: ${formatRunLine(report)}`);
  if (options.json) printJson(report);
  else process.stdout.write(`${formatSummary(report)}\n`);
  return result.exitCode;
}

/**
 * Runs `fn` with a signal that SIGINT/SIGTERM abort. A second signal exits at once with 130
 * (the journal is transactional, so even that loses nothing).
 */
export async function withStopSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let stops = 0;
  const onSignal = (name: NodeJS.Signals) => {
    stops += 1;
    if (stops === 1) {
      process.stderr.write(`\nsluice: ${name}: stopping; finished batches are saved (resume with --resume)\n`);
      controller.abort(new Error(name));
    } else {
      process.exit(130);
    }
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
