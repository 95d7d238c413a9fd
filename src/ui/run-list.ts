/**
 * Pages without charts: a plain shell (the report pages' stylesheet, no script), and the list of
 * a live server's runs when it has none yet or several (it reloads itself every two seconds while
 * one runs).
 */
import { escapeHtml as esc } from '../report/page/assets.js';
import { STYLE } from '../report/page/style.js';
import type { LiveRunSummary } from './hub.js';
import { progressHtml } from './live-state.js';

export function shell(title: string, head: string, body: string, extraHead = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>${extraHead}<style>${STYLE}</style></head>
<body><header class="top">${head}</header><main>${body}</main></body></html>
`;
}

export function brandHead(title: string, sub: string): string {
  return `<div class="row"><span class="brand">Sluice</span><h1>${esc(title)}</h1></div><div class="sub">${esc(sub)}</div>`;
}

export function renderRunList(runs: readonly LiveRunSummary[]): string {
  // reload while a run goes, and until the first run is added (the server starts before it)
  const running = runs.length === 0 || runs.some((r) => r.status === 'running');
  const body =
    runs.length === 0
      ? '<section><p class="note">No run has started yet; this page reloads until one does.</p></section>'
      : runs
          .map(
            (r) =>
              `<section><h2><a href="/run/${encodeURIComponent(r.runId)}">${esc(r.job)}</a> ` +
              `<span class="pill ${esc(r.status)}">${esc(r.status)}</span></h2>` +
              `<p class="note">run <code>${esc(r.runId)}</code></p>${progressHtml(r.progress)}</section>`,
          )
          .join('\n');
  return shell(
    'Sluice: live runs',
    brandHead('Live runs', `${runs.length} run(s)${running ? ' · refreshed every 2 s' : ''}`),
    body,
    running ? '<meta http-equiv="refresh" content="2">' : '',
  );
}
