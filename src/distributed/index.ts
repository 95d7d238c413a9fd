/** Distributed execution on BullMQ (Redis): the engine, the worker, and the global Redis pacer. */
export { createBullmqEngine, type BullmqEngineOptions } from './engine.js';
export { startWorker, type SluiceWorker, type WorkerOptions } from './worker.js';
export { createRedisPacer, type RedisPacer, type RedisPacerOptions } from './redis-pacer.js';
export {
  startBatchWorker,
  type BatchContext,
  type BatchProcessor,
  type BatchWorker,
  type BatchWorkerOptions,
} from './batch-worker.js';
export { runOnQueue, type QueueOutcome, type QueueRunOptions } from './producer.js';
export { addBatches, removeJobs } from './jobs.js';
export { jobPayload, type JobPayload } from './payload.js';
export { redisOptions, redactedQueueUrl, type RedisConnection } from './redis.js';
export {
  jobIdFor,
  queueNameFor,
  QUEUE_PREFIX,
  type BatchJobData,
  type BatchJobResult,
  type BatchVerdict,
  type CallRecord,
} from './wire.js';
