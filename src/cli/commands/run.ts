/**
 * `sluice run JOB_FILE`: load and validate the job, run it (locally or through BullMQ workers),
 * store the report, write HTML, fire alerts, print the summary. SIGINT/SIGTERM stop cleanly (130).
 */
import type { Command } from 'commander';
import { loadJobFile } from '../../job/load.js';
import { baseDirOf, concurrencyOf } from '../../job/parts.js';
import { finishRun } from '../../job/finish.js';
import { runJob } from '../../job/run.js';
import type { LiveOptions } from '../../ui/live.js';
import { usageError } from '../../core/errors.js';
import { loadTargets } from '../../report/targets.js';
import { RUN_STOP_NOTE, withStopSignals } from '../stop.js';
import { checkPushgatewayUrl } from '../../job/metrics.js';
import { durationFlag } from '../duration.js';
import { action, checkWritableDir, intFlag, printLine } from '../util.js';

interface RunFlags {
  resume?: boolean;
  full?: boolean;
  db?: string;
  metricsPort?: string;
  html?: string;
  json?: boolean;
  queue?: string;
  quiet?: boolean;
  wait?: boolean;
  metricsLinger?: string;
  pushgateway?: string;
  ui?: string | boolean;
  uiHost?: string;
  targets?: string;
}

/** `--ui [port]` and `--ui-host`: the live page's options, or undefined without --ui. */
export function uiOptions(flags: { ui?: string | boolean; uiHost?: string }): LiveOptions | undefined {
  if (flags.ui === undefined || flags.ui === false) {
    if (flags.uiHost !== undefined) throw usageError('--ui-host: only with --ui');
    return undefined;
  }
  const port = typeof flags.ui === 'string' ? intFlag('--ui', flags.ui, { min: 0, max: 65535 }) : undefined;
  return { port, host: flags.uiHost, lingerMs: 3000 };
}

/** How long /metrics stays up after a run when --metrics-linger is not given. */
const METRICS_LINGER_DEFAULT = '5s';

export function register(program: Command): void {
  program
    .command('run')
    .description('Run a job file: plan, pace, fetch, write, and store the run report.')
    .argument('<job>', 'job file (YAML or JSON)')
    .option('--resume', 'continue the last unfinished run of this job, skipping done batches')
    .option('--full', 'fetch the whole range again, whatever earlier runs of this job covered')
    .option(
      '--db <path>',
      "sink database, overriding the job's sink (type included): a SQLite file, a .jsonl file, or a postgres:// URL (?schema=NAME)",
    )
    .option('--metrics-port <n>', 'serve Prometheus /metrics on 127.0.0.1:N during the run')
    .option(
      '--metrics-linger <duration>',
      `keep /metrics up this long after the run ends (e.g. 15s, 0 = close at once)`,
      METRICS_LINGER_DEFAULT,
    )
    .option(
      '--pushgateway <url>',
      "push the run's metrics to this Prometheus Pushgateway at the end (job = the job's name)",
    )
    .option('--html <file>', 'write the HTML report to FILE')
    .option('--json', 'print the run report as JSON on stdout')
    .option('--queue <redis-url>', 'run through BullMQ workers (sluice worker) instead of in-process')
    .option('--quiet', 'no progress output')
    .option('--ui [port]', 'serve the live page during the run (127.0.0.1; port 7330 or a free one by default)')
    .option('--ui-host <host>', 'address the live page binds to (default 127.0.0.1; anything else exposes it)')
    .option(
      '--targets <file>',
      "JSON or YAML file of performance targets (over the job's); a missed target then fails the run (exit 1)",
    )
    .option('--wait', 'if another run of this job holds the database, wait for it to finish instead of refusing')
    .action(
      action(async (jobPath: string, flags: RunFlags) => {
        if (flags.full && flags.resume)
          throw usageError('--full and --resume: give one of them (--resume continues a run)');
        const metricsPort = intFlag('--metrics-port', flags.metricsPort, { min: 0, max: 65535 });
        const metricsLingerMs = durationFlag('--metrics-linger', flags.metricsLinger);
        if (flags.pushgateway) checkPushgatewayUrl(flags.pushgateway);
        const ui = uiOptions(flags);
        const loaded = loadJobFile(jobPath);
        const targets = flags.targets === undefined ? undefined : await loadTargets(flags.targets);
        const queue = flags.queue;
        // BullMQ and Redis load only when a queue is asked for.
        const distributed = queue ? await import('../../distributed/index.js') : undefined;
        // Refuse what cannot travel through Redis (literal secrets) before anything is written.
        if (distributed) distributed.jobPayload(loaded.raw, baseDirOf(jobPath), flags.db);
        if (flags.html) checkWritableDir(flags.html, '--html');
        // The live page's server starts before anything is written (a port in use is exit 2) and
        // stops after the run, once its final state has been shown for a few seconds.
        const live = ui ? await (await import('../../ui/live.js')).startLiveServer(ui) : undefined;
        if (live) printLine(`sluice: live page at ${live.url}`);
        try {
          return await withStopSignals(async (signal) => {
            const result = await runJob(loaded.job, {
              resume: flags.resume,
              full: flags.full,
              wait: flags.wait,
              targets,
              db: flags.db,
              baseDir: baseDirOf(jobPath),
              signal,
              metricsPort,
              metricsLingerMs,
              pushgateway: flags.pushgateway,
              live,
              progress: flags.quiet || flags.json ? 'quiet' : 'auto',
              engine:
                queue && distributed
                  ? (ctx) =>
                      distributed.createBullmqEngine({
                        queueUrl: queue,
                        raw: loaded.raw,
                        job: ctx.job,
                        store: ctx.store,
                        baseDir: baseDirOf(jobPath),
                        db: flags.db,
                        lookahead: concurrencyOf(ctx.job),
                      })
                  : undefined,
            });
            return finishRun(result, loaded.job, { json: flags.json, html: flags.html });
          }, RUN_STOP_NOTE);
        } finally {
          await live?.close();
        }
      }),
    );
}
