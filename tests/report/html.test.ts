import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderHtml } from '../../src/report/html.js';
import { clearSecrets, registerSecret } from '../../src/core/secrets.js';
import type { RunReport } from '../../src/core/report.js';
import { escapeHtml, niceMax } from '../../src/report/svg.js';
import { sampleReport } from '../helpers/report-fixtures.js';
import { CHECKER, chromiumSkip, readVerdict, runChromium } from '../helpers/chromium.js';

const BUILD = fileURLToPath(new URL('../../../build/', import.meta.url));

function report() {
  return sampleReport(
    { job: 'daily <prices> & "more"', runId: 'run-<1>' },
    { batches: 120, failEvery: 17, rateLimitEvery: 9, rowsPerBatch: 1200 },
  );
}

describe('renderHtml', () => {
  test('is self-contained: no scripts, no external references, all text escaped', () => {
    const html = renderHtml(report());
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /<link/i);
    assert.match(html, /daily &lt;prices&gt; &amp; &quot;more&quot;/);
    assert.doesNotMatch(html, /daily <prices>/);
    assert.match(html, /run-&lt;1&gt;/);
  });

  test('has five charts, each with data marks, plus ratings, targets and recommendations', () => {
    const r = report();
    const html = renderHtml(r);
    const charts = html.split('<svg class="chart"').slice(1);
    assert.equal(charts.length, 5);
    for (const c of charts) assert.match(c, /class="mark"/);
    assert.match(html, /Ratings/);
    assert.match(html, /Targets/);
    assert.ok(r.recommendations.length > 0);
    for (const rec of r.recommendations)
      assert.ok(html.includes(escapeHtml(rec).replace(/`([^`]+)`/g, '<code>$1</code>')));
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

  test('a report without chart data still renders, saying "no data"', () => {
    const r = sampleReport({ batches: { total: 0, done: 0, failed: 0 } }, { batches: 0 });
    const html = renderHtml({ ...r, timeline: undefined, latencyHistogram: 'junk' } as unknown as RunReport);
    assert.equal((html.match(/no data/g) ?? []).length, 5);
    assert.match(html, /not measured/);
  });

  test('niceMax picks 1/2/2.5/5 steps', () => {
    assert.deepEqual(
      [niceMax(0), niceMax(0.7), niceMax(3), niceMax(2.2), niceMax(4100), niceMax(10)],
      [1, 1, 5, 2.5, 5000, 10],
    );
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
    assert.equal(v.charts.length, 5);
    for (const c of v.charts) {
      assert.ok(c.marks > 0, `chart ${c.label} has no data marks`);
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
