/**
 * Failed calls on stderr: the first of each kind per API at once, then counts — never a line per
 * call; the tally keeps the most frequent kinds with one example each, scrubbed of secrets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../src/core/events.js';
import { registerSecret } from '../../src/core/secrets.js';
import { startErrorNotes } from '../../src/job/error-notes.js';

test('error notes: one line per new kind, then a count per interval; secrets scrubbed', () => {
  registerSecret('tok-SECRET-123');
  const events = new Emitter();
  const lines: string[] = [];
  const notes = startErrorNotes({ events, note: (l) => lines.push(l), intervalMs: 60_000 });
  const fail = (api: string, code: number | string, error: string) =>
    events.emit('call:end', {
      api,
      key: 'k',
      tMs: 0,
      page: 0,
      attempt: 1,
      ms: 1,
      rows: 0,
      status: 'retryable',
      code,
      error,
    });
  for (let i = 0; i < 5; i++) fail('daily', 502, `daily: server error (HTTP 502) after ${i * 100} ms`);
  fail('daily', 'SLUICE_RETRYABLE', 'daily: network error: ECONNREFUSED token=tok-SECRET-123');
  fail('adj_factor', 503, 'adj_factor: server error (HTTP 503)');
  events.emit('call:end', {
    api: 'daily',
    key: 'k',
    tMs: 0,
    page: 0,
    attempt: 1,
    ms: 1,
    rows: 0,
    status: 'rate-limited',
  });
  assert.deepEqual(lines, [
    'daily: a call failed: daily: server error (HTTP 502) after 0 ms',
    'daily: a call failed: daily: network error: ECONNREFUSED token=***',
    'adj_factor: a call failed: adj_factor: server error (HTTP 503)',
  ]);
  notes.count();
  assert.match(
    lines[3],
    /^daily: 6 calls failed in the last 60 s \(6 in all; most: 5 x daily: server error \(HTTP 502\) after 0 ms; 1 x/,
  );
  assert.match(lines[4], /^adj_factor: 1 call failed/);
  notes.count();
  assert.equal(lines.length, 5, 'nothing new, nothing said');
  fail('daily', 502, 'daily: server error (HTTP 502) after 7 ms');
  notes.count();
  assert.match(lines[5], /^daily: 1 call failed in the last 60 s \(7 in all/);
  const snap = notes.tally.snapshot();
  assert.deepEqual(snap[0].top[0], { code: '502', count: 6, example: 'daily: server error (HTTP 502) after 0 ms' });
  assert.equal(snap[0].failedCalls, 7);
  notes.stop();
});
