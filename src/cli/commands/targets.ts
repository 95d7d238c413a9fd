/**
 * `sluice targets [RUN_ID|latest]`: checks a stored run against the performance targets (the
 * defaults, or a --targets file). Exit 1 when a measured target is missed; a metric the run
 * did not measure is listed as "not measured" and does not fail.
 */
import type { Command } from 'commander';
import { JOB_DEFAULTS } from '../../job/schema.js';
import { type CommandDeps, findReport, openReadStore, recheckTargets } from '../../report/query.js';
import { loadTargets } from '../../report/targets.js';
import { formatCheck } from '../../report/text.js';
import { action, printJson, printLine } from '../util.js';

interface TargetsFlags {
  db: string;
  targets?: string;
  json?: boolean;
}

const DEFAULT_DEPS: CommandDeps = { open: openReadStore, printJson, printLine };

export async function targetsCommand(
  id: string,
  flags: TargetsFlags,
  deps: CommandDeps = DEFAULT_DEPS,
): Promise<number> {
  const overrides = flags.targets === undefined ? {} : await loadTargets(flags.targets);
  const { open, printJson, printLine } = deps;
  const store = await open(flags.db);
  try {
    const { report } = await findReport(store, id);
    const result = recheckTargets(report, overrides);
    if (flags.json) {
      printJson({ runId: report.runId, job: report.job, ...result });
    } else {
      printLine(`Targets for run ${report.runId} (${report.job}): ${result.met ? 'met' : 'MISSED'}`);
      for (const c of result.checks) printLine(`  ${formatCheck(c)}`);
    }
    return result.met ? 0 : 1;
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  program
    .command('targets')
    .description('Check a stored run against the performance targets; exit 1 when a measured target is missed')
    .argument('[run]', 'run id or "latest"', 'latest')
    .option('--db <path>', 'journal database', JOB_DEFAULTS.sink.path)
    .option('--targets <file>', 'JSON or YAML file overriding target values')
    .option('--json', 'print the checks as one JSON document')
    .action(action(async (run: string, flags: TargetsFlags) => targetsCommand(run, flags)));
}
