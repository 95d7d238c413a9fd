/**
 * The HTML report: one self-contained page (inline styles, the uPlot chart library and the page's
 * script inline, no network) with the key figures, recommendations, where the time went (batch
 * lanes), charts with values on hover, errors, ratings, targets and calls by API. With `compare`,
 * a table of both runs' figures and the other run's lines on the time charts.
 */
import type { RunReport } from '../core/report.js';
import { scrub } from '../core/secrets.js';
import { renderPage } from './page/page.js';

/**
 * Options of the HTML report.
 * @example
 * ```ts
 * writeFileSync('compare.html', renderHtml(report, { compare: earlierReport }));
 * ```
 */
export interface HtmlOptions {
  /** Another run's report to compare with. */
  readonly compare?: RunReport;
}

/**
 * One self-contained HTML page for a report: key figures, recommendations, where the time went,
 * charts (uPlot, inlined), errors, ratings, targets; with `compare`, both runs side by side. Loads
 * nothing from the network.
 * @example
 * ```ts
 * import { renderHtml, runJobFile } from 'sluice';
 * const { report } = await runJobFile('daily.yaml');
 * writeFileSync('report.html', renderHtml(report));
 * ```
 */
export function renderHtml(r: RunReport, options: HtmlOptions = {}): string {
  const detail = `${r.startedAt} → ${r.finishedAt}`;
  const title = options.compare
    ? `Sluice run ${r.runId} compared with ${options.compare.runId}`
    : `Sluice run ${r.runId}`;
  return scrub(renderPage(r, { title, status: r.status, detail, compare: options.compare }));
}
