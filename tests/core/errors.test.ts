import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ErrorCodes,
  SluiceError,
  asError,
  errorCodeOf,
  exitCodeFor,
  isInputError,
  messageOf,
} from '../../src/core/errors.js';
import { fixedDayWindows } from '../../src/plan/index.js';
import { QuantileSketch } from '../../src/monitor/sketch.js';
import { createRedisPacer } from '../../src/distributed/redis-pacer.js';
import { parseFaults } from '../../src/emulator/faults.js';
import { startEmulator } from '../../src/emulator/index.js';

describe('errors', () => {
  test('every code is known; anything else is not', () => {
    for (const code of Object.values(ErrorCodes)) assert.equal(errorCodeOf(code), code);
    assert.equal(errorCodeOf('internal'), undefined);
    assert.equal(errorCodeOf('SLUICE_NOPE'), undefined);
    assert.equal(errorCodeOf(undefined), undefined);
  });

  test('exit codes: input 2, interrupted 130, anything else (bugs included) 1', () => {
    for (const code of [ErrorCodes.USAGE, ErrorCodes.BAD_DATE, ErrorCodes.BAD_JOB, ErrorCodes.NOT_FOUND]) {
      assert.equal(isInputError(code), true, code);
      assert.equal(exitCodeFor(code), 2, code);
    }
    assert.equal(exitCodeFor(ErrorCodes.ABORTED), 130);
    for (const code of [ErrorCodes.INTERNAL, ErrorCodes.SINK, ErrorCodes.AUTH, ErrorCodes.RETRYABLE]) {
      assert.equal(isInputError(code), false, code);
      assert.equal(exitCodeFor(code), 1, code);
    }
    assert.equal(new SluiceError(ErrorCodes.INTERNAL, 'x').kind, undefined);
  });

  test('messageOf and asError take anything thrown', () => {
    assert.equal(messageOf(new Error('boom')), 'boom');
    assert.equal(messageOf('text'), 'text');
    assert.equal(messageOf(42), '42');
    const e = new Error('kept');
    assert.equal(asError(e), e);
    assert.equal(asError('thrown text').message, 'thrown text');
  });

  test('bad library options are SluiceErrors with code SLUICE_USAGE naming the option, never RangeErrors', async () => {
    const usage = (re: RegExp) => (e: unknown) =>
      e instanceof SluiceError && e.code === ErrorCodes.USAGE && re.test(e.message);
    assert.throws(() => fixedDayWindows({ start: 0, end: 10 }, 0), usage(/window length/));
    assert.throws(() => new QuantileSketch({ relativeError: 2 }), usage(/relativeError/));
    const a = new QuantileSketch({ relativeError: 0.01 });
    assert.throws(() => a.merge(new QuantileSketch({ relativeError: 0.02 })), usage(/different relative errors/));
    assert.throws(
      () => createRedisPacer({ connection: 'redis://127.0.0.1:1', rate: { calls: 0, intervalMs: 1000 } }),
      usage(/calls to be an integer >= 1/),
    );
    assert.throws(() => parseFaults('boom:0.1'), usage(/unknown kind/));
    await assert.rejects(startEmulator({ port: 0, maxOffset: -1 }), usage(/maxOffset/));
    await assert.rejects(startEmulator({ port: 0, symbols: 0 }), usage(/symbols/));
    await assert.rejects(startEmulator({ port: 0, latencyMs: -1 }), usage(/latencyMs/));
  });
});
