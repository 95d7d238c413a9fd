/** The run report's `coverage` on the log line, in the summary and as a card of the HTML report. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoverageReport, RunReport } from '../../src/core/report.js';
import { renderHtml } from '../../src/report/html.js';
import { formatRunLine, formatSummary } from '../../src/report/text.js';
import { sampleReport } from '../helpers/report-fixtures.js';

const covered: CoverageReport = {
  fetchedDays: 15,
  skippedDays: 480,
  lookbackDays: 5,
  skippedBatches: 8,
  fromRuns: 1,
  full: false,
};

const withCoverage = (coverage?: CoverageReport): RunReport => ({
  ...sampleReport({}, { batches: 4 }),
  ...(coverage ? { coverage } : {}),
});

describe('coverage in the report views', () => {
  test('an incremental run says what it skipped and fetched', () => {
    const r = withCoverage(covered);
    assert.match(formatRunLine(r), /covered: 480 days skipped \(8 earlier batches\), 15 fetched, 5 looked back$/);
    assert.match(
      formatSummary(r),
      /Coverage: 480 trading days skipped as landed by 8 batches of 1 earlier run\(s\); 15 fetched, 5 of them looked back/,
    );
    const html = renderHtml(r);
    assert.match(html, /data-figure="coverage">480</);
    assert.match(html, /days skipped as covered/);
  });

  test('--full says so; a run with nothing covered and an older report say nothing', () => {
    const full = withCoverage({ ...covered, skippedDays: 0, lookbackDays: 0, full: true });
    assert.match(formatRunLine(full), /--full: whole range fetched$/);
    assert.match(renderHtml(full), /whole range fetched \(--full\)/);
    for (const r of [withCoverage({ ...covered, skippedDays: 0, skippedBatches: 0, fromRuns: 0 }), withCoverage()]) {
      assert.doesNotMatch(formatRunLine(r), /covered|--full/);
      assert.doesNotMatch(formatSummary(r), /Coverage:/);
    }
    assert.doesNotMatch(renderHtml(withCoverage()), /data-figure="coverage"/);
  });
});
