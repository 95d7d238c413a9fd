/** The page servers without a browser: routes, headers, the live hub's messages, the stored-runs pages. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import { SluiceError } from '../../src/core/errors.js';
import { clearSecrets, registerSecret } from '../../src/core/secrets.js';
import { createRunMonitor } from '../../src/monitor/run-monitor.js';
import { LiveHub, type LiveMessage } from '../../src/ui/hub.js';
import { startLiveServer } from '../../src/ui/live.js';
import { startBrowseServer, sparkline } from '../../src/ui/browse.js';
import { PAGE_CSP, startPageServer } from '../../src/ui/server.js';
import { fakeStore } from '../helpers/fake-store.js';
import { PLAN, sampleReport } from '../helpers/report-fixtures.js';

const info = (runId: string, job = 'daily') => ({
  runId,
  job,
  startedAt: '2026-12-01T00:00:00.000Z',
  total: 4,
  plan: PLAN,
});

function busyPort(): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve({ port: (s.address() as { port: number }).port, close: () => s.close() }));
  });
}

/** The first `data:` message of an event stream. */
async function firstEvent(url: string): Promise<LiveMessage> {
  const res = await fetch(url);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const m = /^data: (.*)$/m.exec(text);
    if (m && text.includes('\n\n', text.indexOf('data: '))) {
      await reader.cancel();
      return JSON.parse(m[1]) as LiveMessage;
    }
  }
  throw new Error(`no message in ${text}`);
}

describe('page server', () => {
  test('GET only, a page may load nothing but itself (CSP), unknown paths are 404', async () => {
    const server = await startPageServer({ port: 0, routes: { '/': (_q, res) => void res.end('hi') } });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      assert.equal(await page.text(), 'hi');
      const missing = await fetch(`${server.url}nope`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-security-policy'), PAGE_CSP);
      assert.equal((await fetch(server.url, { method: 'POST' })).status, 405);
      assert.match(PAGE_CSP, /default-src 'none'/);
      assert.match(PAGE_CSP, /connect-src 'self'/);
    } finally {
      await server.close();
    }
  });

  test('a port asked for must be free (exit 2 naming the flag); the default port falls back to a free one', async () => {
    const busy = await busyPort();
    try {
      await assert.rejects(
        startPageServer({ port: busy.port, portFlag: '--ui', routes: {} }),
        (e: unknown) => e instanceof SluiceError && e.exitCode === 2 && /--ui: .*EADDRINUSE/.test(e.message),
      );
      const server = await startPageServer({ preferredPort: busy.port, routes: {} });
      assert.notEqual(server.port, busy.port);
      await server.close();
    } finally {
      busy.close();
    }
  });
});

describe('live hub', () => {
  test('messages follow the run, and the final one carries the stored report', () => {
    const hub = new LiveHub(60_000);
    const events = new Emitter<ExecutorEventMap>();
    const monitor = createRunMonitor(events, { sampleIntervalMs: 60_000 });
    const run = hub.add(info('r1'), events, monitor);
    try {
      const before = hub.message('r1');
      assert.equal(before.final, false);
      assert.equal(before.status, 'running');
      assert.match(before.sections['s-progress'], /data-figure="done">0 \/ 4</);
      events.emit('batch:start', { key: 'a', tMs: Date.now() });
      events.emit('batch:split', { key: 'a', tMs: Date.now(), children: ['a1', 'a2'] });
      events.emit('batch:start', { key: 'a1', tMs: Date.now() });
      events.emit('batch:done', { key: 'a1', tMs: Date.now(), rows: 7, calls: 1, ms: 3 });
      const during = hub.message('r1');
      assert.match(during.sections['s-progress'], /data-figure="done">1 \/ 5</);
      assert.ok(during.charts.length >= 5);
      const seen: LiveMessage[] = [];
      hub.subscribe('r1', (m) => seen.push(m));
      const stored = sampleReport({ runId: 'r1', job: 'daily' });
      run.finish(stored);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].final, true);
      assert.equal(seen[0].status, stored.status);
      assert.match(
        seen[0].sections['s-figures'],
        new RegExp(`data-figure="calls">${stored.calls.total.toLocaleString('en-US')}<`),
      );
      assert.match(seen[0].sections['s-progress'], /data-figure="progress">100 %</);
    } finally {
      monitor.stop();
      hub.close();
    }
  });

  test('a server with two runs lists both, serves each page and each event stream', async () => {
    registerSecret('tok-LIVE-SECRET');
    const server = await startLiveServer({ port: 0, lingerMs: 0 });
    const monitors = ['a', 'b'].map(() => createRunMonitor(new Emitter(), { sampleIntervalMs: 60_000 }));
    try {
      // started before its first run: the index says so and reloads until one is added
      const empty = await (await fetch(server.url)).text();
      assert.match(empty, /No run has started yet/);
      assert.match(empty, /http-equiv="refresh"/);
      server.add(info('run-a', 'prices tok-LIVE-SECRET'), new Emitter(), monitors[0]);
      const b = server.add(info('run-b', 'basics'), new Emitter(), monitors[1]);
      const index = await (await fetch(server.url)).text();
      assert.match(index, /href="\/run\/run-a"/);
      assert.match(index, /href="\/run\/run-b"/);
      assert.doesNotMatch(index, /tok-LIVE-SECRET/);
      const page = await (await fetch(`${server.url}run/run-b`)).text();
      assert.match(page, /<h1>basics<\/h1>/);
      assert.match(page, /id="s-runs"/);
      const m = await firstEvent(`${server.url}events?run=run-a`);
      assert.equal(m.runId, 'run-a');
      assert.equal(m.final, false);
      assert.match(m.sections['s-runs'], /run-b/);
      assert.doesNotMatch(JSON.stringify(m), /tok-LIVE-SECRET/);
      b.finish(sampleReport({ runId: 'run-b', job: 'basics' }));
      const last = await firstEvent(`${server.url}events?run=run-b`);
      assert.equal(last.final, true);
      assert.equal((await fetch(`${server.url}run/nope`)).status, 404);
      assert.equal((await fetch(`${server.url}events?run=nope`)).status, 404);
    } finally {
      for (const m of monitors) m.stop();
      await server.close();
      clearSecrets();
    }
  });
});

describe('stored runs (sluice ui)', () => {
  const older = sampleReport({
    runId: 'r1',
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:10.000Z',
  });
  const newer = sampleReport(
    { runId: 'r2', startedAt: '2026-11-21T10:00:00.000Z', finishedAt: '2026-11-21T10:00:20.000Z' },
    { batches: 60, seed: 3 },
  );
  const basics = sampleReport({ runId: 'b1', job: 'basics', startedAt: '2026-11-22T10:00:00.000Z' });

  test('the list groups runs by job with trend sparklines; a click opens a report or a comparison', async () => {
    const server = await startBrowseServer({ store: fakeStore([older, newer, basics]), source: 'test.db', port: 0 });
    try {
      const list = await (await fetch(server.url)).text();
      assert.match(list, /<h2>daily-prices<\/h2>/);
      assert.match(list, /<h2>basics<\/h2>/);
      assert.ok(list.indexOf('basics') < list.indexOf('daily-prices'), 'the job with the newest run first');
      assert.equal((list.match(/<svg class="spark"/g) ?? []).length, 12);
      assert.match(list, /href="\/run\/r2\?compare=r1"/);
      const report = await (await fetch(`${server.url}run/r1`)).text();
      assert.match(report, /Sluice run r1/);
      const compare = await (await fetch(`${server.url}run/r2?compare=r1`)).text();
      assert.match(compare, /Compared with r1/);
      assert.equal((await fetch(`${server.url}run/zzz`)).status, 404);
      assert.equal((await fetch(`${server.url}run/r2?compare=zzz`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test('a sparkline runs oldest to newest with a dot on the newest, and says its values', () => {
    const svg = sparkline([1, 3, 2], '#000', (v) => `${v}!`);
    const pts = /points="([^"]+)"/
      .exec(svg)![1]
      .split(' ')
      .map((p) => p.split(',').map(Number));
    assert.equal(pts.length, 3);
    assert.ok(pts[0][0] < pts[2][0]);
    assert.ok(pts[1][1] < pts[0][1], 'higher values are drawn higher');
    assert.match(svg, /oldest to newest: 1!, 3!, 2!/);
    assert.match(sparkline([], '#000', String), /–/);
  });
});
