/**
 * Acceptance of the live page: `sluice run --ui` against the in-process emulator, read in headless
 * Chromium twice while the run goes (the progress moves), at 1280 and 390 pixels wide (nothing
 * wider than the screen), and at the end (the figures are the stored report's); every request the
 * pages make goes to the run's own server on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { finished, runCli, spawnCli, tempDir, writeDailyJob } from '../helpers/e2e.js';
import { chromiumSkip } from '../helpers/chromium.js';
import {
  browser,
  changed,
  closeBrowser,
  figure,
  openPage,
  overflow,
  updated,
  type OpenPage,
} from '../helpers/browser.js';

const BUILD = fileURLToPath(new URL('../../../build/', import.meta.url));
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** The URL the run prints ("live page at URL") on stderr. */
function liveUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = '';
    const onData = (d: Buffer) => {
      err += d.toString();
      const m = /live page at (http:\/\/\S+)/.exec(err);
      if (m) {
        child.stderr?.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`the run ended before printing its address: ${err}`)));
  });
}

async function noOverflow(p: OpenPage, label: string): Promise<void> {
  const o = await overflow(p.page);
  assert.ok(o.scrollWidth <= o.innerWidth, `${label}: page ${o.scrollWidth} px wide in a ${o.innerWidth} px window`);
  assert.deepEqual(o.wide, [], `${label}: wider than the window`);
}

/** Every request went to the page's own server (or was inline data). */
function onlyLocal(p: OpenPage, origin: string): void {
  const outside = p.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
  assert.deepEqual(outside, [], 'requests outside the run server');
  assert.ok(origin.startsWith('http://127.0.0.1:'), origin);
}

describe('the live page of a run', () => {
  const skip = chromiumSkip();
  let emu: Emulator;
  const dir = tempDir('sluice-live-');
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 5, symbols: 10 });
  });
  after(async () => {
    await closeBrowser();
    await emu.close();
  });

  test(
    'shows progress moving, fits 1280 and 390 px, ends on the stored report, loads only from itself',
    { skip, timeout: 240_000 },
    async () => {
      await browser(); // started before the run, so the first read comes early in it
      const db = join(dir, 'live.db');
      const job = writeDailyJob(dir, {
        name: 'live',
        url: emu.url,
        token: emu.token,
        db,
        each: emu.dataset.universe.codes,
        strategy: 'month',
        start: '20210701',
        end: '20221231',
        rate: { calls: 6, intervalMs: 1000 },
      });
      const child = spawnCli(['run', job, '--ui', '0', '--quiet']);
      const exit = finished(child);
      const url = await liveUrl(child);
      const origin = new URL(url).origin;

      const wide = await openPage(url, 1280);
      const pages = [wide];
      try {
        await wide.page.waitForSelector('body[data-state="live"]');
        await updated(wide.page);
        const first = await figure(wide.page, 'done');
        const firstCalls = await figure(wide.page, 'calls');
        const state = await wide.page.getAttribute('body', 'data-state');
        assert.equal(state, 'live', 'the first read came during the run');

        mkdirSync(BUILD, { recursive: true });
        await noOverflow(wide, '1280 during the run');
        await wide.page.screenshot({ path: join(BUILD, 'live-1280.png'), fullPage: true });
        // a phone, while the run goes (on a loaded machine the run may be over by the time it reads)
        const phone = await openPage(url, 390, 844);
        pages.push(phone);
        await updated(phone.page);
        await noOverflow(phone, '390 during the run');
        await phone.page.screenshot({ path: join(BUILD, 'live-390.png'), fullPage: true });

        // the second read: progress moved
        await changed(wide.page, 'done', first, 120_000);
        const second = await figure(wide.page, 'done');
        const doneOf = (s: string) => Number(s.split('/')[0].replace(/\D/g, ''));
        assert.ok(doneOf(second) > doneOf(first), `progress ${first} -> ${second}`);
        assert.notEqual(await figure(wide.page, 'calls'), firstCalls, 'calls moved too');

        const r = await exit;
        assert.equal(r.code, 0, r.stderr);
        for (const p of pages) await p.page.waitForSelector('body[data-state="final"]', { timeout: 60_000 });

        // the end: the figures are the stored report's
        const stored = JSON.parse((await runCli(['report', 'latest', '--db', db, '--json'])).stdout);
        for (const p of pages) {
          assert.equal(await figure(p.page, 'status'), stored.status);
          assert.equal(await figure(p.page, 'batches'), `${int(stored.batches.done)} / ${int(stored.batches.total)}`);
          assert.equal(await figure(p.page, 'done'), `${int(stored.batches.done)} / ${int(stored.batches.total)}`);
          assert.equal(await figure(p.page, 'rows'), int(stored.rows.written));
          assert.equal(await figure(p.page, 'calls'), int(stored.calls.total));
          assert.equal(await figure(p.page, 'progress'), '100 %');
        }
        assert.equal(stored.batches.done, 180);
        // the local engine reported its commits and the paced calls their waits, by batch
        assert.ok(stored.slots.totalMs.write > 0, JSON.stringify(stored.slots.totalMs));
        assert.ok(stored.slots.totalMs.quota > 0, JSON.stringify(stored.slots.totalMs));
        assert.equal(stored.slots.batches.length, 180);
        assert.equal(stored.calls.quotaPerSecond, 6);
        await noOverflow(wide, '1280 at the end');
        await noOverflow(phone, '390 at the end');
        await phone.page.screenshot({ path: join(BUILD, 'live-390-final.png'), fullPage: true });

        // charts drawn, nothing broken, nothing loaded from elsewhere
        const drawn = (await wide.page.evaluate(() =>
          (globalThis as unknown as { sluicePage: { drawn(): unknown } }).sluicePage.drawn(),
        )) as Array<{ id: string; points: number; width: number }>;
        assert.ok(drawn.length >= 5, JSON.stringify(drawn));
        for (const c of drawn) assert.ok(c.width <= 1280, `${c.id} ${c.width}`);
        assert.ok(drawn.find((c) => c.id === 'chart-calls')!.points > 0);
        for (const p of pages) {
          assert.deepEqual(p.consoleErrors, []);
          onlyLocal(p, origin);
          assert.ok(
            p.requests.some((u) => u.includes('/events?run=')),
            'followed the event stream',
          );
        }
      } finally {
        for (const p of pages) await p.close();
        child.kill();
      }
    },
  );
});
