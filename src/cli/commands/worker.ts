/**
 * `sluice worker --queue REDIS_URL [--concurrency N]`: process batches of every job run with
 * `sluice run JOB --queue REDIS_URL`, until SIGINT/SIGTERM.
 *
 * Exit codes: stopping on SIGINT/SIGTERM is how a worker is meant to end, so a clean stop (running
 * batches handed back to the queue, connections closed) exits 0; a second signal exits 130 at
 * once (batches still running are retried elsewhere after the stalled-job check).
 */
import type { Command } from 'commander';
import { DEFAULTS } from '../../core/defaults.js';
import { redisOptions } from '../../distributed/redis.js';
import { untilAborted, withStopSignals } from '../stop.js';
import { action, intFlag, printLine } from '../util.js';

interface WorkerFlags {
  queue?: string;
  concurrency?: string;
  job?: string[];
  lockMs?: string;
  stalledIntervalMs?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Process queued batches (sluice run JOB --queue URL) until SIGINT/SIGTERM.')
    .requiredOption('--queue <redis-url>', 'Redis of the queue, e.g. redis://127.0.0.1:6379')
    .option('--concurrency <n>', `batches run at once, per job (default ${DEFAULTS.worker.concurrency})`)
    .option('--job <name>', 'serve only this job (repeatable; default: every job queued on this Redis)', collect)
    .option(
      '--lock-ms <n>',
      `a dead worker's batch is retried after this lock lapses (default ${DEFAULTS.worker.lockDurationMs})`,
    )
    .option(
      '--stalled-interval-ms <n>',
      `how often to look for stalled batches (default ${DEFAULTS.worker.stalledIntervalMs})`,
    )
    .action(
      action(async (flags: WorkerFlags) => {
        const concurrency = intFlag('--concurrency', flags.concurrency, { min: 1, max: 1000 });
        const lockDurationMs = intFlag('--lock-ms', flags.lockMs, { min: 500 });
        const stalledIntervalMs = intFlag('--stalled-interval-ms', flags.stalledIntervalMs, { min: 100 });
        redisOptions(flags.queue ?? '', '--queue'); // a bad URL is a usage error before anything loads
        // Loaded on use: bullmq and the job machinery cost nothing to the other commands.
        const { startWorker } = await import('../../distributed/worker.js');
        const stopNote = { prefix: 'sluice worker: ', text: 'stopping; running batches go back to the queue' };
        await withStopSignals(async (signal) => {
          const worker = await startWorker({
            queueUrl: flags.queue ?? '',
            concurrency,
            jobs: flags.job,
            lockDurationMs,
            stalledIntervalMs,
            onQueue: (name) => printLine(`sluice worker: serving ${name}`),
            onError: (err) => printLine(`sluice worker: ${err.message}`),
          });
          printLine(
            `sluice worker: ready on ${worker.url} (concurrency ${concurrency ?? DEFAULTS.worker.concurrency} per job)`,
          );
          await untilAborted(signal);
          await worker.close();
        }, stopNote);
        printLine('sluice worker: stopped');
        return 0;
      }),
    );
}
