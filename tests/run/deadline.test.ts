import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CallRegistry } from '../../src/run/deadline.js';
import { FakeClock } from '../helpers/run-fake-clock.js';

describe('call registry', () => {
  test('calls of one tick share a signal; a passed deadline aborts it and marks the calls timed out', async () => {
    const clock = new FakeClock();
    const run = new AbortController();
    const calls = new CallRegistry(clock, 100, run.signal);
    const a = calls.open(clock.now());
    const b = calls.open(clock.now());
    assert.equal(a.signal, b.signal);
    await clock.advance(99);
    assert.equal(a.signal.aborted, false);
    await clock.advance(10);
    assert.equal(a.timedOut, true);
    assert.equal(a.signal.aborted, true);
    assert.match(String(a.signal.reason), /timed out after 100 ms/);
    const c = calls.open(clock.now());
    assert.equal(c.signal.aborted, false, 'a later call gets a fresh signal');
    for (const x of [a, b, c]) calls.close(x);
    calls.dispose();
  });

  test('aborting the run aborts open calls, and calls opened afterwards start aborted', () => {
    const clock = new FakeClock();
    const run = new AbortController();
    const calls = new CallRegistry(clock, 100, run.signal);
    const a = calls.open(clock.now());
    const reason = new Error('stop');
    run.abort(reason);
    assert.equal(a.signal.reason, reason);
    assert.equal(a.timedOut, false);
    const b = calls.open(clock.now());
    assert.equal(b.signal.aborted, true);
    assert.equal(b.signal.reason, reason);
    calls.close(a);
    calls.close(b);
    calls.dispose();
  });

  test('settled() waits for the last call to close', async () => {
    const clock = new FakeClock();
    const calls = new CallRegistry(clock, 0, new AbortController().signal);
    const a = calls.open(clock.now());
    let settled = false;
    const done = calls.settled().then(() => (settled = true));
    await Promise.resolve();
    assert.equal(settled, false);
    calls.close(a);
    await done;
    assert.equal(settled, true);
    assert.equal(calls.size, 0);
  });
});
