/**
 * The HTML report: one self-contained page (inline styles, the uPlot chart library and the page's
 * script inline, no network) with the key figures, recommendations, where the time went (batch
 * lanes), charts with values on hover, errors, ratings, targets and calls by API. With `compare`,
 * a table of both runs' figures and the other run's lines on the time charts.
 */
import type { RunReport } from '../core/report.js';
import { scrub } from '../core/secrets.js';
import { renderPage } from './page/page.js';

export interface HtmlOptions {
  /** Another run's report to compare with. */
  readonly compare?: RunReport;
}

export function renderHtml(r: RunReport, options: HtmlOptions = {}): string {
  const detail = `${r.startedAt} → ${r.finishedAt}`;
  const title = options.compare
    ? `Sluice run ${r.runId} compared with ${options.compare.runId}`
    : `Sluice run ${r.runId}`;
  return scrub(renderPage(r, { title, status: r.status, detail, compare: options.compare }));
}
