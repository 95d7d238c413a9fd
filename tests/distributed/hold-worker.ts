/**
 * Child process for the crash test: a batch worker that announces each batch on stdout
 * ("started KEY") and then holds it until killed. argv: queueName holdMs
 */
import { startBatchWorker } from '../../src/distributed/batch-worker.js';
import { REDIS_URL } from './redis-check.js';

const [queueName, holdMs] = process.argv.slice(2);
startBatchWorker({
  connection: REDIS_URL,
  queueName,
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  process: async (data) => {
    process.stdout.write(`started ${data.batch.key}\n`);
    await new Promise((resolve) => setTimeout(resolve, Number(holdMs)));
    return { status: 'done', rows: 1, attempts: 1 };
  },
});
