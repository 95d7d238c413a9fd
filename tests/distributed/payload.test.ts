import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clearSecrets, registerSecret } from '../../src/core/secrets.js';
import { jobPayload } from '../../src/distributed/payload.js';
import {
  decodeFatal,
  encodeFatal,
  jobIdFor,
  lostReason,
  queueNameFor,
  readResult,
  runTag,
  wireCode,
} from '../../src/distributed/wire.js';
import { redactedQueueUrl, redisOptions } from '../../src/distributed/redis.js';

const job = (token: string, sinkUrl = 'postgres://postgres@127.0.0.1:5432/test') => ({
  name: 'daily',
  source: { type: 'tushare', token, api: 'daily' },
  sink: { type: 'postgres', url: sinkUrl, table: 'daily', key: ['k'] },
});

describe('what is sent to workers', () => {
  afterEach(() => clearSecrets());

  test('a ${VAR} token travels as the placeholder; the payload hash is stable', () => {
    registerSecret('real-token-value');
    const a = jobPayload(job('${TUSHARE_TOKEN}'), '/jobs');
    const b = jobPayload(job('${TUSHARE_TOKEN}'), '/jobs');
    assert.equal(JSON.stringify(a.job).includes('${TUSHARE_TOKEN}'), true);
    assert.equal(a.hash, b.hash);
    assert.notEqual(jobPayload(job('${TUSHARE_TOKEN}'), '/other').hash, a.hash);
  });

  test('a literal token (registered as a secret) is refused, naming the fix but not the token', () => {
    registerSecret('real-token-value');
    assert.throws(
      () => jobPayload(job('real-token-value'), '/jobs'),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'SLUICE_BAD_JOB');
        assert.match(err.message, /\$\{VAR\}/);
        assert.ok(!err.message.includes('real-token-value'));
        return true;
      },
    );
  });

  test('a password in a URL is refused unless it is a placeholder', () => {
    assert.throws(() => jobPayload(job('${T}', 'postgres://u:hunter22@db/test'), '/jobs'), /password in a URL/);
    assert.doesNotThrow(() => jobPayload(job('${T}', 'postgres://u:${PGPASSWORD}@db/test'), '/jobs'));
    assert.throws(() => jobPayload(job('${T}'), '/jobs', 'postgres://u:hunter22@db/test'), /--db/);
  });
});

describe('queue names, job ids, fatal reasons, URLs', () => {
  test('job ids are stable per run and batch, distinct across both, and never contain ":"', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (run, k1, k2) => {
        const id = jobIdFor(run, k1);
        assert.equal(id, jobIdFor(run, k1));
        assert.ok(!id.includes(':') && id.startsWith(`${runTag(run)}-`));
        if (k1 !== k2) assert.notEqual(id, jobIdFor(run, k2));
      }),
    );
    assert.notEqual(jobIdFor('run-a', 'k'), jobIdFor('run-b', 'k'));
  });

  test('queue names are safe for BullMQ and distinct for distinct job names', () => {
    assert.equal(queueNameFor('daily-prices'), 'job-daily-prices');
    const odd = queueNameFor('a:b');
    assert.ok(!odd.includes(':'));
    assert.notEqual(odd, queueNameFor('a_b'));
  });

  test('a fatal reason round-trips; other reasons are not fatal', () => {
    const err = decodeFatal(encodeFatal('SLUICE_AUTH', 'token rejected\nsecond line'));
    assert.equal(err?.code, 'SLUICE_AUTH');
    assert.equal(err?.message, 'token rejected\nsecond line');
    assert.equal(decodeFatal('job stalled more than allowable limit'), undefined);
  });

  test('error codes read from Redis are checked: an unknown one becomes SLUICE_INTERNAL, deliberately', () => {
    assert.equal(wireCode('SLUICE_SINK'), 'SLUICE_SINK');
    assert.equal(wireCode('SLUICE_NO_SUCH_CODE'), 'SLUICE_INTERNAL');
    assert.equal(wireCode(42), 'SLUICE_INTERNAL');
    const fatal = decodeFatal('SLUICE_FROM_THE_FUTURE|token rejected');
    assert.equal(fatal?.code, 'SLUICE_INTERNAL');
    assert.equal(fatal?.message, 'SLUICE_FROM_THE_FUTURE: token rejected');
    const failed = { status: 'failed', error: 'x', code: 'internal', attempts: 1, calls: [], callCount: 1, ms: 1 };
    const read = readResult({ ...failed, waits: { quotaMs: 0, rateLimitedMs: 0 } });
    assert.equal(read.status === 'failed' && read.code, 'SLUICE_INTERNAL');
    const done = { status: 'done', rows: 3, attempts: 1, calls: [], callCount: 1, ms: 1 };
    assert.deepEqual(readResult({ ...done, waits: { quotaMs: 0, rateLimitedMs: 0 } }).status, 'done');
  });

  test('a lost job keeps the code its reason names; BullMQ reasons count as retryable', () => {
    assert.deepEqual(lostReason('SLUICE_SINK: database is locked'), {
      error: 'SLUICE_SINK: database is locked',
      code: 'SLUICE_SINK',
    });
    assert.equal(lostReason('SLUICE_MADE_UP: x').code, 'SLUICE_RETRYABLE');
    assert.equal(lostReason('job stalled more than allowable limit').code, 'SLUICE_RETRYABLE');
    assert.equal(lostReason('').error, 'job failed in the worker');
  });

  test('queue URLs: password registered as a secret and printed redacted; bad URLs are usage errors', () => {
    const o = redisOptions('redis://user:s3cretpw@10.0.0.5:6380/2');
    assert.deepEqual([o.host, o.port, o.db, o.username, o.password], ['10.0.0.5', 6380, 2, 'user', 's3cretpw']);
    assert.equal(redactedQueueUrl('redis://user:s3cretpw@10.0.0.5:6380/2'), 'redis://user:***@10.0.0.5:6380/2');
    assert.throws(
      () => redisOptions('127.0.0.1:6379'),
      (e: Error & { code?: string }) => e.code === 'SLUICE_USAGE',
    );
    assert.throws(() => redisOptions('redis://h/x'), /database number/);
  });
});
