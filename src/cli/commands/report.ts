/**
 * `sluice report [RUN_ID|latest]`: the stored run report as a readable summary (ratings, targets,
 * recommendations), as JSON, as an HTML file, and with `--runs N` a trend table of the job's runs.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { JOB_DEFAULTS } from '../../job/schema.js';
import { ErrorCodes, SluiceError } from '../../core/errors.js';
import { scrub } from '../../core/secrets.js';
import { renderHtml } from '../../report/html.js';
import { type CommandDeps, findReport, jobTrend, openReadStore } from '../../report/query.js';
import { formatSummary } from '../../report/text.js';
import { formatTrendTable } from '../../report/trend.js';
import { action, intFlag, printJson, printLine } from '../util.js';

interface ReportFlags {
  db: string;
  html?: string;
  json?: boolean;
  runs?: string;
}

const DEFAULT_DEPS: CommandDeps = { open: openReadStore, printJson, printLine };

export async function reportCommand(id: string, flags: ReportFlags, deps: CommandDeps = DEFAULT_DEPS): Promise<number> {
  const runs = intFlag('--runs', flags.runs, { max: 1000 });
  const { open, printJson, printLine } = deps;
  const store = await open(flags.db);
  try {
    const { report } = await findReport(store, id);
    const trend = runs === undefined ? undefined : await jobTrend(store, report.job, runs);
    if (flags.html !== undefined) {
      try {
        await writeFile(flags.html, scrub(renderHtml(report)));
      } catch (err) {
        throw new SluiceError(
          ErrorCodes.USAGE,
          `--html: cannot write ${flags.html}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
    }
    if (flags.json) {
      printJson(trend === undefined ? report : { ...report, trend });
    } else {
      printLine(formatSummary(report));
      if (trend !== undefined) printLine(`\nLast ${trend.length} run(s) of ${report.job}:\n${formatTrendTable(trend)}`);
    }
    if (flags.html !== undefined) printLine(`HTML report written to ${flags.html}`);
    return 0;
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Show a stored run report: summary, ratings, targets, recommendations; --runs N for a trend')
    .argument('[run]', 'run id or "latest"', 'latest')
    .option('--db <path>', 'journal database', JOB_DEFAULTS.sink.path)
    .option('--html <file>', 'also write a self-contained HTML report')
    .option('--json', 'print the report as one JSON document')
    .option('--runs <n>', 'trend table of the last N runs of the same job')
    .action(action(async (run: string, flags: ReportFlags) => reportCommand(run, flags)));
}
