/**
 * `sluice sync FILE`: keep a mirror of many Tushare datasets current from one sync file. Reference
 * datasets first, then the rest at once, each a job (see src/sync). Prints a line per dataset and
 * the total; --json prints the sync's report. Exit 1 when a dataset failed (each named).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { baseDirOf } from '../../job/parts.js';
import { renderHtml } from '../../report/html.js';
import { formatSyncSummary } from '../../report/text.js';
import { loadSyncFile } from '../../sync/load.js';
import { runSync } from '../../sync/run.js';
import { withStopSignals } from '../stop.js';
import { uiOptions } from './run.js';
import { action, checkWritableDir, printJson, printLine } from '../util.js';
import { printText } from '../../core/log.js';

interface SyncFlags {
  only?: string;
  full?: boolean;
  resume?: boolean;
  queue?: string;
  json?: boolean;
  html?: string;
  quiet?: boolean;
  ui?: string | boolean;
  uiHost?: string;
}

export function register(program: Command): void {
  program
    .command('sync')
    .description('Keep a mirror of Tushare datasets current: reference datasets first, then the rest at once')
    .argument('<file>', 'sync file (YAML or JSON)')
    .option('--only <names>', 'run only these datasets (comma-separated table names)')
    .option('--full', 'fetch every dataset over the whole range again')
    .option('--resume', 'continue the last unfinished sync: finished datasets are kept, the others resume')
    .option('--queue <redis-url>', 'run the datasets through BullMQ workers (sluice worker) instead of in-process')
    .option('--json', "print the sync's report as JSON on stdout")
    .option('--html <file>', 'write the HTML report (a chart per dataset) to FILE')
    .option('--quiet', 'no notes while running')
    .option('--ui [port]', "serve the live page of the datasets' runs (127.0.0.1; port 7330 or a free one by default)")
    .option('--ui-host <host>', 'address the live page binds to (default 127.0.0.1; anything else exposes it)')
    .action(
      action(async (file: string, flags: SyncFlags) => {
        const loaded = loadSyncFile(file);
        const only = flags.only === undefined ? undefined : flags.only.split(',').map((s) => s.trim());
        if (only && only.some((n) => n === '')) throw usageError('--only: expected dataset names separated by commas');
        if (flags.html) checkWritableDir(flags.html, '--html');
        const baseDir = baseDirOf(file);
        const queue = flags.queue;
        const distributed = queue ? await import('../../distributed/index.js') : undefined;
        // refuse what cannot travel through Redis (literal secrets) before anything is written
        if (distributed) for (const ds of loaded.datasets) distributed.jobPayload(ds.raw, baseDir, undefined);
        const ui = uiOptions(flags);
        const live = ui ? await (await import('../../ui/live.js')).startLiveServer(ui) : undefined;
        if (live) printLine(`sluice: live page at ${live.url}`);
        try {
          return await withStopSignals(
            async (signal) => {
              const { report, exitCode } = await runSync(loaded, {
                only,
                resume: flags.resume,
                full: flags.full,
                baseDir,
                signal,
                live,
                note: flags.quiet ? () => undefined : undefined,
                engineFor:
                  queue && distributed
                    ? (_ds, raw) => (ctx) =>
                        distributed.createBullmqEngine({
                          queueUrl: queue,
                          raw,
                          job: ctx.job,
                          store: ctx.store,
                          baseDir,
                        })
                    : undefined,
              });
              if (flags.html) {
                writeFileSync(flags.html, renderHtml(report));
                if (!flags.json) printLine(`sluice: HTML report written to ${flags.html}`);
              }
              if (flags.json) printJson(report);
              else printText(formatSyncSummary(report));
              return exitCode;
            },
            { prefix: '\nsluice: ', text: 'stopping the sync; finished batches are saved (resume with --resume)' },
          );
        } finally {
          await live?.close();
        }
      }),
    );
}
