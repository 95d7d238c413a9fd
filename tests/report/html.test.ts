import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderHtml } from '../../src/report/html.js';
import { clearSecrets, registerSecret } from '../../src/core/secrets.js';
import { escapeHtml } from '../../src/report/page/assets.js';
import { hasData, joinLines, reportCharts } from '../../src/report/page/charts.js';
import { compareRows } from '../../src/report/page/compare.js';
import { CLIENT_JS } from '../../src/report/page/client.js';
import { LANES_JS } from '../../src/report/page/client-lanes.js';
import { LIVE_JS } from '../../src/ui/live-page.js';
import type { RunReport } from '../../src/core/report.js';
import { sampleReport } from '../helpers/report-fixtures.js';
import { CHECKER, chromiumSkip, readVerdict, runChromium } from '../helpers/chromium.js';

const BUILD = fileURLToPath(new URL('../../../build/', import.meta.url));

function report() {
  return sampleReport(
    { job: 'daily <prices> & "more"', runId: 'run-<1>' },
    { batches: 120, failEvery: 17, rateLimitEvery: 9, rowsPerBatch: 1200 },
  );
}

/** The JSON of an inline <script type="application/json" id=ID> block. */
function jsonBlock(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  assert.ok(m, `no ${id} block`);
  return JSON.parse(m[1]);
}

describe('renderHtml', () => {
  test('is self-contained: inline scripts only, no external references, all text escaped', () => {
    const html = renderHtml(report());
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/i);
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /<link/i);
    assert.doesNotMatch(html, /@import|url\(\s*["']?(https?:)?\/\//i);
    assert.match(html, /daily &lt;prices&gt; &amp; &quot;more&quot;/);
    assert.doesNotMatch(html, /daily <prices>/);
    assert.match(html, /run-&lt;1&gt;/);
    // the chart library is inlined, and no inline block can close its <script> early
    assert.match(html, /var uPlot=/);
    const scripts = html.split(/<script[^>]*>/).slice(1);
    for (const sc of scripts) assert.doesNotMatch(sc.slice(0, sc.indexOf('</script>')), /<\/script/i);
  });

  test('has six charts with data, the batch lanes, ratings, targets and recommendations', () => {
    const r = report();
    const html = renderHtml(r);
    const charts = jsonBlock(html, 'chart-data') as ReturnType<typeof reportCharts>;
    assert.deepEqual(
      charts.map((c) => c.id),
      ['chart-calls', 'chart-states', 'chart-concurrency', 'chart-latency', 'chart-sizes', 'chart-memory'],
    );
    for (const c of charts) {
      assert.ok(hasData(c), `chart ${c.id} has data`);
      assert.ok(html.includes(`<section class="chart" id="${c.id}"`));
      for (const s of c.series) assert.equal(s.values.length, c.x.length, `${c.id}: ${s.label}`);
    }
    const lanes = jsonBlock(html, 'lane-data') as { lanes: number; batches: unknown[] };
    assert.ok(lanes.lanes >= 1 && lanes.batches.length > 0);
    assert.match(html, /Ratings/);
    assert.match(html, /Targets/);
    assert.match(html, /Where the time went/);
    assert.match(html, /Errors by kind/);
    assert.ok(r.recommendations.length > 0);
    for (const rec of r.recommendations)
      assert.ok(html.includes(escapeHtml(rec).replace(/`([^`]+)`/g, '<code>$1</code>')));
  });

  test('the calls chart carries the quota line when the run had a quota', () => {
    const r = report();
    const calls = reportCharts({ ...r, calls: { ...r.calls, quotaPerSecond: 25 } })[0];
    const quota = calls.series.find((s) => s.label === 'quota');
    assert.ok(quota && quota.dash);
    assert.ok(quota.values.every((v) => v === 25));
    assert.equal(
      reportCharts({ ...r, calls: { ...r.calls, quotaPerSecond: null } })[0].series.some((s) => s.label === 'quota'),
      false,
    );
  });

  test('registered secrets never reach the HTML', () => {
    registerSecret('tok-SECRET-1234');
    try {
      const html = renderHtml(sampleReport({ job: 'job tok-SECRET-1234' }));
      assert.doesNotMatch(html, /tok-SECRET-1234/);
      assert.match(html, /job \*\*\*/);
    } finally {
      clearSecrets();
    }
  });

  test('the most frequent errors per API are listed, each with its count and example', () => {
    const r: RunReport = {
      ...sampleReport(),
      errors: [
        { api: 'daily', failedCalls: 7, top: [{ code: 'ECONNREFUSED', count: 7, example: 'connect <refused>' }] },
      ],
    };
    const html = renderHtml(r);
    assert.match(html, /Most frequent errors per API/);
    assert.match(html, /ECONNREFUSED/);
    assert.match(html, /connect &lt;refused&gt;/);
    assert.doesNotMatch(renderHtml(sampleReport()), /Most frequent errors per API/);
  });

  test('a report without chart data still renders, with empty charts and "not measured"', () => {
    const r = sampleReport({ batches: { total: 0, done: 0, failed: 0 } }, { batches: 0 });
    const html = renderHtml({
      ...r,
      timeline: undefined,
      latencyHistogram: 'junk',
      slots: 'junk',
      latestErrors: 7,
    } as unknown as RunReport);
    const charts = jsonBlock(html, 'chart-data') as ReturnType<typeof reportCharts>;
    assert.ok(charts.length >= 5);
    assert.equal(charts.filter(hasData).length, 0);
    assert.match(html, /not measured/);
    assert.match(html, /No batch has finished yet/);
  });

  test('compared with another run: a table of both, and the other run dashed on the time charts', () => {
    const a = report();
    const b = sampleReport({ runId: 'run-2' }, { batches: 60, rowsPerBatch: 900, seed: 4 });
    const html = renderHtml(a, { compare: b });
    assert.match(html, /Compared with run-2/);
    const rows = compareRows(a, b);
    const calls = rows.find((x) => x.label === 'calls')!;
    assert.equal(calls.mine, a.calls.total);
    assert.equal(calls.theirs, b.calls.total);
    const charts = jsonBlock(html, 'chart-data') as ReturnType<typeof reportCharts>;
    const first = charts[0].series.find((s) => s.dash && s.label.includes('run-2'));
    assert.ok(first, 'the other run on the calls chart');
    assert.ok(first.values.some((v) => v !== null));
  });

  test('joinLines puts lines on one x axis with gaps', () => {
    const j = joinLines([
      { x: [0, 1, 2], y: [1, 2, 3] },
      { x: [1, 3], y: [9, 8] },
    ]);
    assert.deepEqual(j.x, [0, 1, 2, 3]);
    assert.deepEqual(j.ys, [
      [1, 2, 3, null],
      [null, 9, null, 8],
    ]);
  });

  test("the pages' own scripts parse", () => {
    for (const js of [CLIENT_JS, LANES_JS, LIVE_JS]) assert.doesNotThrow(() => new Function(js));
  });
});

describe('HTML report in headless Chromium', () => {
  const skip = chromiumSkip();

  test('the checker itself catches console errors and broken resources', { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-html-'));
    const bad = join(dir, 'bad.html');
    writeFileSync(
      bad,
      `<!doctype html><html><head>${CHECKER}</head><body><img src="missing.png"><script>console.error('boom')</script></body></html>`,
    );
    const v = readVerdict((await runChromium(pathToFileURL(bad).href, ['--dump-dom'])).stdout);
    assert.ok(v.errors.includes('boom'), JSON.stringify(v.errors));
    assert.ok(v.errors.some((e) => e.includes('missing.png')));
  });

  test('every chart renders with data and there are no console errors; screenshot under build/', { skip }, async () => {
    const html = renderHtml(report());
    const dir = mkdtempSync(join(tmpdir(), 'sluice-html-'));
    const checked = join(dir, 'checked.html');
    writeFileSync(checked, html.replace('<head>', `<head>${CHECKER}`));
    const run = await runChromium(pathToFileURL(checked).href, ['--dump-dom']);
    const v = readVerdict(run.stdout);
    assert.deepEqual(v.errors, []);
    assert.equal(v.charts.length, 6);
    for (const c of v.charts) {
      assert.ok(c.marks > 0 && !c.empty, `chart ${c.label} has no data drawn`);
      assert.ok(c.width > 100 && c.height > 50, `chart ${c.label} has no size: ${c.width}x${c.height}`);
    }

    // the plain report (no checker) logs nothing to the console, and a screenshot is kept for people
    mkdirSync(BUILD, { recursive: true });
    const plain = join(BUILD, 'report.html');
    writeFileSync(plain, html);
    const shot = join(BUILD, 'report.png');
    const r2 = await runChromium(pathToFileURL(plain).href, [
      `--screenshot=${shot}`,
      '--window-size=1400,2000',
      '--hide-scrollbars',
    ]);
    assert.doesNotMatch(r2.stderr, /:CONSOLE/);
    assert.ok(statSync(shot).size > 10_000, 'screenshot written');
  });
});
