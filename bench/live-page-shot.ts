/**
 * Screenshots of the live page for the README: a real run (`runJob` with the live page on)
 * against the local emulator, under a quota, with a few injected faults; headless Chromium (the system's, through playwright-core) takes the
 * page at 1280 px and at 390 px once the run is about two thirds through.
 *
 *   node dist/bench/live-page-shot.js [--out docs] [--at 0.65]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startEmulator } from '../src/emulator/index.js';
import { parseJob } from '../src/job/load.js';
import { runJob } from '../src/job/run.js';
import { startLiveServer } from '../src/ui/live.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const out = resolve(flag('--out', 'docs'));
const at = Number(flag('--at', '0.65'));
const chromiumPath =
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';

const dir = mkdtempSync(join(tmpdir(), 'sluice-shot-'));
const emulator = await startEmulator({ port: 0, seed: 3, symbols: 16, latencyMs: 25, faults: '5xx:0.02,reset:0.005' });
const job = parseJob(
  {
    name: 'daily-prices',
    source: {
      type: 'tushare',
      url: emulator.url,
      token: emulator.token,
      api: 'daily',
      rateLimit: { calls: 6, intervalMs: 1000 },
    },
    plan: {
      start: '20220101',
      end: '20231231',
      strategy: 'month',
      each: { param: 'ts_code', values: emulator.dataset.universe.codes },
    },
    execution: { concurrency: 6, retries: 5, backoff: { baseMs: 50, maxMs: 400 } },
    sink: { type: 'sqlite', path: join(dir, 'shot.db'), table: 'daily', key: ['ts_code', 'trade_date'] },
  },
  {},
  'live-page-shot',
);

// the browser first: on a busy machine it takes seconds to start, and the run must still be going
const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
const live = await startLiveServer({ port: 0, lingerMs: 0 });
const run = runJob(job, { live, progress: 'quiet' });
const address = Promise.resolve(live.url);

try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1700 } })).newPage();
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 1500 } })).newPage();
  await page.goto(await address);
  await phone.goto(await address);
  // wait until the run is `at` of the way through, then take both at once
  for (;;) {
    const text = await page.locator('[data-figure="progress"]').first().innerText();
    if (Number.parseInt(text, 10) / 100 >= at) break;
    await page.waitForTimeout(500);
  }
  if ((await page.getAttribute('body', 'data-state')) !== 'live')
    throw new Error('the run ended before the screenshot');
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'live-page.png') });
  await phone.screenshot({ path: join(out, 'live-page-phone.png') });
  console.log(`wrote ${join(out, 'live-page.png')} and ${join(out, 'live-page-phone.png')}`);
} finally {
  await browser.close();
  const result = await run;
  await live.close();
  console.log(
    `run ${result.report.runId}: ${result.report.batches.done}/${result.report.batches.total} batches, exit ${result.exitCode}`,
  );
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
