/**
 * The live page of a run: the report page's layout with a progress block on top, and a script
 * that follows the server's event stream: each message replaces the blocks whose HTML changed
 * and feeds the charts and lanes new data; the final one carries the stored report's figures.
 */
import type { RunReport } from '../core/report.js';
import { escapeHtml as esc } from '../report/page/assets.js';
import { renderPage, type PageView } from '../report/page/page.js';
import { progressHtml, type Progress } from './live-state.js';
import type { LiveRunSummary } from './hub.js';

export const LIVE_JS = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var text = document.getElementById('live-text');
  var banner = document.getElementById('live-banner');
  var button = document.getElementById('live-pause');
  var paused = false;
  var latest = null;
  function say(t, off) {
    text.textContent = t;
    banner.classList.toggle('off', !!off);
  }
  if (data.final) {
    document.body.setAttribute('data-state', 'final');
    return;
  }
  document.body.setAttribute('data-state', 'live');
  function apply(d) {
    Object.keys(d.sections).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.innerHTML !== d.sections[id]) el.innerHTML = d.sections[id];
    });
    window.sluicePage.update(d.charts, d.lanes);
    if (d.final) {
      document.body.setAttribute('data-state', 'final');
      button.hidden = true;
      say('The run ended (' + d.status + '). These are the figures of its stored report; this page no longer updates.', true);
    } else {
      say('Live: updated every second.');
    }
  }
  // Pause holds the page still (to read it, or hover a chart); the run goes on, and Resume shows where it is.
  button.hidden = false;
  button.addEventListener('click', function () {
    paused = !paused;
    button.textContent = paused ? 'Resume' : 'Pause';
    if (paused) say('Paused: the page holds still; the run goes on.', true);
    else if (latest) apply(latest);
  });
  var es = new EventSource(data.events);
  es.onmessage = function (m) {
    latest = JSON.parse(m.data);
    if (latest.final) es.close();
    if (!paused) apply(latest);
  };
  es.onerror = function () {
    if (document.body.getAttribute('data-state') !== 'final' && !paused) say('Connection lost; trying again…', true);
  };
})();
`;

/** Links to the other runs of the same server (a sync shows several). */
export function runsHtml(runs: readonly LiveRunSummary[], current: string): string {
  if (runs.length < 2) return '';
  const items = runs.map((r) => {
    const p = r.progress;
    const share = p.total > 0 ? Math.round(((p.done + p.failed) / p.total) * 100) : 0;
    const here = r.runId === current ? ' aria-current="page"' : '';
    return (
      `<a href="/run/${encodeURIComponent(r.runId)}"${here} class="runlink"><b>${esc(r.job)}</b> ` +
      `<span class="pill ${esc(r.status)}">${esc(r.status)}</span> <span class="note">${share} %</span></a>`
    );
  });
  return `<nav class="cards">${items.join('')}</nav>`;
}

export interface LivePageInput {
  readonly report: RunReport;
  readonly view: PageView;
  readonly progress: Progress;
  readonly final: boolean;
  readonly runs: readonly LiveRunSummary[];
}

export function renderLivePage(runId: string, p: LivePageInput): string {
  const runs = runsHtml(p.runs, runId);
  const lead =
    `<div id="live-banner" class="banner${p.final ? ' off' : ''}"><span id="live-text">${p.final ? 'The run ended: these are the figures of its stored report.' : 'Live: connecting…'}</span>` +
    `<button id="live-pause" type="button" hidden>Pause</button></div>` +
    (runs ? `<section><h2>Runs</h2><div id="s-runs">${runs}</div></section>` : '') +
    `<section aria-labelledby="progress-h"><h2 id="progress-h">Progress</h2><div id="s-progress">${progressHtml(p.progress)}</div></section>`;
  return renderPage(p.report, {
    ...p.view,
    title: `${p.final ? '' : '● '}Sluice: ${p.report.job} (${p.view.status})`,
    lead,
    script: LIVE_JS,
    data: { runId, events: `/events?run=${encodeURIComponent(runId)}`, final: p.final },
  });
}
