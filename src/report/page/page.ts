/**
 * One page layout for a run: the stored report (`sluice report --html`), a report compared with
 * another, and the live page (which adds a progress block and a script that replaces blocks and
 * feeds new chart data). Self-contained: the stylesheet, uPlot and the page's script are inline.
 */
import type { RunReport } from '../../core/report.js';
import { chartLibrary, escapeHtml as esc, inlineJson, inlineScript } from './assets.js';
import { reportCharts, type ChartSpec } from './charts.js';
import { CLIENT_JS } from './client.js';
import { LANES_JS } from './client-lanes.js';
import { compareSection } from './compare.js';
import { isRec } from './format.js';
import {
  apisSection,
  errorsSection,
  figuresSection,
  headSection,
  ratingsSection,
  recommendationsSection,
  syncSection,
  timeSection,
} from './sections.js';
import { STYLE } from './style.js';

export interface PageView {
  /** Status shown in the header pill (a live run is "running"). */
  readonly status: string;
  /** The header's second line after the run id. */
  readonly detail: string;
  /** Another run to compare with. */
  readonly compare?: RunReport;
}

/** Inner HTML of every replaceable block, by element id. */
export function sectionsOf(r: RunReport, view: PageView): Record<string, string> {
  const out: Record<string, string> = {
    's-head': headSection(r, view.status, view.detail),
    's-figures': figuresSection(r),
    's-recs': recommendationsSection(r),
    's-time': timeSection(r),
    's-errors': errorsSection(r),
    's-ratings': ratingsSection(r),
    's-apis': apisSection(r),
  };
  if (view.compare) out['s-compare'] = compareSection(r, view.compare);
  if (r.sync) out['s-sync'] = syncSection(r);
  return out;
}

/** The lane timeline's data: the report's slot lanes, or null. */
export function lanesOf(r: RunReport): unknown {
  return isRec(r.slots) ? { lanes: r.slots.lanes, batches: r.slots.batches } : null;
}

export function chartsOf(r: RunReport, view: PageView): ChartSpec[] {
  return reportCharts(r, view.compare);
}

function block(id: string, title: string, note: string, inner: string): string {
  return `<section aria-labelledby="${id}-h"><h2 id="${id}-h">${esc(title)}</h2>${note ? `<p class="note">${esc(note)}</p>` : ''}<div id="${id}">${inner}</div></section>`;
}

function chartBox(c: ChartSpec): string {
  return (
    `<section class="chart" id="${esc(c.id)}" role="img" aria-label="${esc(c.title)}"><h2>${esc(c.title)}</h2>` +
    `<p class="note">${esc(c.note)}</p><div class="plot"></div><p class="nodata">no data yet</p></section>`
  );
}

export interface PageOptions extends PageView {
  readonly title: string;
  /** Blocks above the key figures (the live page's progress), already wrapped. */
  readonly lead?: string;
  /** More script, run after the page's own (the live page's updater). */
  readonly script?: string;
  /** Data for that script, in <script id="page-data" type="application/json">. */
  readonly data?: unknown;
}

export function renderPage(r: RunReport, o: PageOptions): string {
  const s = sectionsOf(r, o);
  const charts = chartsOf(r, o);
  const lib = chartLibrary();
  const compare = o.compare
    ? block(
        's-compare',
        `Compared with ${o.compare.runId}`,
        'this run against the other; time charts show the other run dashed',
        s['s-compare'],
      )
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(o.title)}</title><style>${lib.css}${STYLE}</style></head>
<body><header class="top" id="s-head">${s['s-head']}</header>
<main>
${o.lead ?? ''}
${block('s-figures', 'Key figures', '', s['s-figures'])}
${compare}
${s['s-sync'] === undefined ? '' : block('s-sync', 'Datasets', 'each dataset of the sync: calls against the fewest that could have fetched its rows', s['s-sync'])}
${block('s-recs', 'Recommendations', 'what to change, from the rules in the report room', s['s-recs'])}
<section aria-labelledby="time-h"><h2 id="time-h">Where the time went</h2>
<p class="note">each batch from its start until it is written: waiting for the row budget, waiting for quota, fetching, queued for the writer, writing</p>
<div id="s-time">${s['s-time']}</div>
<div id="lanes"><canvas aria-label="batch lanes"></canvas><div class="tip" hidden></div><p class="nodata">no batches yet</p></div></section>
<div class="grid">${charts.map(chartBox).join('\n')}</div>
<noscript><p class="note">The charts need JavaScript; every figure above is in the page without it.</p></noscript>
${block('s-errors', 'Errors by kind', 'failed calls (retried or not) and failed batches, with the latest example of each', s['s-errors'])}
<section id="s-ratings">${s['s-ratings']}</section>
${block('s-apis', 'Calls by API', '', s['s-apis'])}
</main>
<script type="application/json" id="chart-data">${inlineJson(charts)}</script>
<script type="application/json" id="lane-data">${inlineJson(lanesOf(r))}</script>
${o.data === undefined ? '' : `<script type="application/json" id="page-data">${inlineJson(o.data)}</script>`}
<script>${inlineScript(lib.js)}</script>
<script>${inlineScript(LANES_JS)}</script>
<script>${inlineScript(CLIENT_JS)}</script>
${o.script ? `<script>${inlineScript(o.script)}</script>` : ''}
</body></html>
`;
}
