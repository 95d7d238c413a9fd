/**
 * `sluice ui`: the stored runs of a journal, by job, with a trend sparkline per figure (oldest to
 * newest); a click opens a run's report (`/run/ID`), or compares it with the job's run before it
 * (`/run/ID?compare=OTHER`). Reads the store on every request, so new runs appear; writes nothing.
 */
import type { RunReport } from '../core/report.js';
import { scrub } from '../core/secrets.js';
import type { RunRecord, Store } from '../core/store.js';
import { renderHtml } from '../report/html.js';
import { escapeHtml as esc } from '../report/page/assets.js';
import { duration, fixed, int, percent } from '../report/page/format.js';
import { brandHead, shell } from './run-list.js';
import { notFound, send, startPageServer, type PageServer } from './server.js';

/** Runs read per page. */
const MAX_RUNS = 200;

interface Metric {
  readonly label: string;
  readonly value: (r: RunReport) => number;
  readonly show: (v: number) => string;
  readonly color: string;
}

const METRICS: readonly Metric[] = [
  { label: 'wall time', value: (r) => r.wallMs, show: duration, color: '#2563eb' },
  { label: 'calls/s', value: (r) => r.calls.callsPerSecond, show: (v) => fixed(v, 2), color: '#0d9488' },
  { label: 'p95 latency', value: (r) => r.calls.p95Ms, show: (v) => `${fixed(v, 0)} ms`, color: '#7c3aed' },
  { label: 'error rate', value: (r) => r.calls.errorRate, show: (v) => percent(v, 2), color: '#dc2626' },
  { label: 'rows written', value: (r) => r.rows.written, show: int, color: '#f97316' },
  { label: 'peak RSS', value: (r) => r.memory.peakRssMb, show: (v) => `${fixed(v)} MB`, color: '#c2410c' },
];

/** A small line of values (oldest first) with a dot on the newest; the title lists the values. */
export function sparkline(values: readonly number[], color: string, show: (v: number) => string): string {
  const w = 132;
  const h = 30;
  const vs = values.filter((v) => Number.isFinite(v));
  if (vs.length === 0) return '<span class="note">–</span>';
  const min = Math.min(...vs);
  const max = Math.max(...vs);
  const span = max - min || 1;
  const x = (i: number) => (vs.length === 1 ? w / 2 : 3 + (i * (w - 6)) / (vs.length - 1));
  const y = (v: number) => h - 4 - ((v - min) / span) * (h - 8);
  const pts = vs.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const last = vs.length - 1;
  const title = `${vs.length} run(s), oldest to newest: ${vs.map(show).join(', ')}`;
  return (
    `<svg class="spark" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">` +
    `<title>${esc(title)}</title><polyline fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round" points="${pts}"/>` +
    `<circle cx="${x(last).toFixed(1)}" cy="${y(vs[last]).toFixed(1)}" r="2.8" fill="${color}"/></svg>`
  );
}

function jobSection(job: string, records: readonly RunRecord[]): string {
  // newest first in the table; the sparklines read oldest to newest
  const reports = records.flatMap((r) => (r.report ? [r.report] : []));
  const oldest = [...reports].reverse();
  const trends = METRICS.map(
    (m) =>
      `<div class="card"><span>${esc(m.label)}</span>${sparkline(
        oldest.map(m.value),
        m.color,
        m.show,
      )}<small>latest ${reports[0] ? esc(m.show(m.value(reports[0]))) : '–'}</small></div>`,
  ).join('');
  const rows = records.map((rec, i) => {
    const r = rec.report;
    const id = encodeURIComponent(rec.id);
    const prev = records.slice(i + 1).find((p) => p.report);
    const compare =
      r && prev ? ` · <a href="/run/${id}?compare=${encodeURIComponent(prev.id)}">compare with previous</a>` : '';
    const link = r
      ? `<a href="/run/${id}">${esc(rec.id)}</a>${compare}`
      : `${esc(rec.id)} <span class="note">(no report yet)</span>`;
    const cellsOf = r
      ? [
          duration(r.wallMs),
          int(r.calls.total),
          fixed(r.calls.callsPerSecond, 2),
          `${fixed(r.calls.p95Ms, 0)} ms`,
          percent(r.calls.errorRate, 2),
          int(r.rows.written),
          `${fixed(r.memory.peakRssMb)} MB`,
        ]
      : ['', '', '', '', '', '', ''];
    return (
      `<tr><td class="job">${link}</td><td>${esc(rec.startedAt.slice(0, 19).replace('T', ' '))}</td>` +
      `<td><span class="badge ${esc(rec.status)}">${esc(rec.status)}</span></td>` +
      cellsOf.map((c) => `<td class="n">${esc(c)}</td>`).join('') +
      '</tr>'
    );
  });
  const head = ['run', 'started (UTC)', 'status', 'wall', 'calls', 'calls/s', 'p95', 'errors', 'rows', 'peak RSS'];
  const th = head.map((h, i) => `<th${i >= 3 ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  return (
    `<section><h2>${esc(job)}</h2><p class="note">${records.length} run(s); trends oldest to newest, the dot is the latest run</p>` +
    `<div class="cards">${trends}</div>` +
    `<div class="scroll" style="margin-top:12px"><table class="runs"><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`
  );
}

/** The list page: one section per job, jobs with the newest run first. */
export function renderRunsPage(records: readonly RunRecord[], source: string): string {
  const byJob = new Map<string, RunRecord[]>();
  for (const r of records) byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);
  const body =
    byJob.size === 0
      ? '<section><p class="note">No runs in this database yet. Run a job (<code>sluice run JOB</code>) and reload.</p></section>'
      : [...byJob].map(([job, runs]) => jobSection(job, runs)).join('\n');
  return shell('Sluice: stored runs', brandHead('Stored runs', `${records.length} run(s) in ${source}`), body);
}

export interface BrowseOptions {
  readonly store: Store;
  /** Shown in the page (the database path; never a password). */
  readonly source: string;
  readonly port?: number;
  readonly host?: string;
}

export async function startBrowseServer(o: BrowseOptions): Promise<PageServer> {
  const newestFirst = async () =>
    [...(await o.store.listRuns(undefined, MAX_RUNS))].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return startPageServer({
    port: o.port,
    host: o.host,
    routes: {
      '/': async (_req, res) => send(res, 200, 'text/html', scrub(renderRunsPage(await newestFirst(), o.source))),
      '/favicon.ico': (_req, res) => {
        res.writeHead(204);
        res.end();
      },
    },
    fallback: async (_req, res, url) => {
      const m = /^\/run\/([^/]+)$/.exec(url.pathname);
      if (!m) return notFound(res);
      const rec = await o.store.getRun(decodeURIComponent(m[1]));
      if (!rec?.report) return notFound(res, 'no such run, or it has no report yet');
      const otherId = url.searchParams.get('compare');
      const other = otherId ? (await o.store.getRun(otherId))?.report : undefined;
      if (otherId && !other) return notFound(res, `no report for run ${otherId}`);
      send(res, 200, 'text/html', renderHtml(rec.report, { compare: other ?? undefined }));
    },
  });
}
