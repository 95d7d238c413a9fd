/**
 * What happens after a run, shared by `sluice run` and `sluice demo`: HTML report, alerts, the
 * one-line summary, and the printed report.
 */
import { writeFileSync } from 'node:fs';
import { formatSummary, formatRunLine, renderHtml, runAlerts } from '../report/index.js';
import { printJson, printLine, printText } from '../core/log.js';
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
  const missed = report.targets.checks.filter((c) => c.met === false);
  if (report.targets.enforced && missed.length > 0)
    printLine(
      `sluice: targets missed (exit 1): ${missed.map((c) => `${c.metric} ${c.actual} against ${c.target}${c.unit ? ` ${c.unit}` : ''}`).join(', ')}`,
    );
  if (options.json) printJson(report);
  else printText(formatSummary(report));
  return result.exitCode;
}
