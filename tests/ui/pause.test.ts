/** The live page's Pause in headless Chromium, on a run that goes on until the test ends it. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import { createRunMonitor } from '../../src/monitor/run-monitor.js';
import { startLiveServer } from '../../src/ui/live.js';
import { chromiumSkip } from '../helpers/chromium.js';
import { changed, closeBrowser, figure, openPage, updated } from '../helpers/browser.js';
import { PLAN, sampleReport } from '../helpers/report-fixtures.js';

describe('the live page: Pause', () => {
  const skip = chromiumSkip();
  after(closeBrowser);

  test(
    'holds the page still while the run goes on; Resume shows where it is; the end hides it',
    { skip, timeout: 240_000 },
    async () => {
      const events = new Emitter<ExecutorEventMap>();
      const monitor = createRunMonitor(events, { sampleIntervalMs: 60_000 });
      const server = await startLiveServer({ port: 0, lingerMs: 0, intervalMs: 200 });
      const run = server.add(
        { runId: 'r-pause', job: 'pause', startedAt: new Date().toISOString(), total: 100, plan: PLAN },
        events,
        monitor,
      );
      let n = 0;
      const finishOne = () => {
        const key = `b${n++}`;
        events.emit('batch:start', { key, tMs: Date.now() });
        events.emit('batch:done', { key, tMs: Date.now(), rows: 10, calls: 1, ms: 1 });
      };
      const p = await openPage(server.url, 800);
      try {
        await updated(p.page);
        finishOne();
        await changed(p.page, 'done', '0 / 100', 60_000);
        await p.page.click('#live-pause');
        assert.match(await p.page.locator('#live-text').innerText(), /^Paused/);
        const held = await figure(p.page, 'done');
        for (let i = 0; i < 5; i++) finishOne();
        await p.page.waitForTimeout(1500); // several updates come and are held back
        assert.equal(await figure(p.page, 'done'), held);
        await p.page.click('#live-pause');
        assert.equal(await figure(p.page, 'done'), `${n} / 100`);
        run.finish(sampleReport({ runId: 'r-pause', job: 'pause' }));
        await p.page.waitForSelector('body[data-state="final"]');
        assert.equal(await p.page.locator('#live-pause').isVisible(), false);
        assert.deepEqual(p.consoleErrors, []);
      } finally {
        await p.close();
        monitor.stop();
        await server.close();
      }
    },
  );
});
