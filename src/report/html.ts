/**
 * One self-contained HTML report: inline CSS and inline SVG charts, no scripts, no network.
 * Chart data comes from the report's chart fields (timeline, latencyHistogram,
 * batchSizeHistogram), read defensively so older or partial reports still render.
 */
import type { RunReport } from '../core/report.js';
import { scrub } from '../core/secrets.js';
import { formatRunLine } from './text.js';
import { barChart, escapeHtml as esc, lineChart, type Bar } from './svg.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2b45;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}
header .sub{opacity:.8;font-size:13px}main{padding:20px 28px;max-width:1360px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:14px 18px;margin-bottom:18px}
h2{font-size:15px;margin:0 0 10px}.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{flex:1 1 140px;background:#f0f3f8;border-radius:6px;padding:8px 12px}.card b{display:block;font-size:18px}
.card span{font-size:12px;color:#5b6475}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e8ee;font-size:13px}th{color:#5b6475;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.excellent,.ok{background:#d6f5df;color:#136b2e}.good{background:#fff1c7;color:#7a5a00}
.needs-optimization,.missed,.failed{background:#fbd9d9;color:#8f1b1b}.na,.interrupted{background:#e6e8ee;color:#5b6475}
.succeeded{background:#d6f5df;color:#136b2e}.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(640px,1fr));gap:12px}
svg.chart{background:#fff;max-width:100%;height:auto}svg .title{font-weight:600;font-size:13px;fill:#1d2330}
svg .tick{font-size:10px;fill:#5b6475}svg .axis{font-size:11px;fill:#5b6475}svg .legend{font-size:11px;fill:#1d2330}
svg .grid{stroke:#e6e8ee}svg .empty{fill:#9aa1ad}ul{margin:0;padding-left:20px}li{margin:4px 0}code{background:#f0f3f8;padding:0 3px}
`;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);
const f = (v: unknown, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');

/** Turns markdown-ish backticks in advice into <code>, escaping everything else. */
function advice(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function card(label: string, value: string): string {
  return `<div class="card"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
}

function charts(r: RunReport): string[] {
  const tl = list(r.timeline);
  const s = (key: string) => tl.map((p) => [num(p.tMs) / 1000, num(p[key])] as const);
  const latency: Bar[] = list(r.latencyHistogram).map((b) => ({
    label: b.leMs === null ? '>30s' : `≤${num(b.leMs)}`,
    value: num(b.count),
  }));
  const sizes: Bar[] = list(r.batchSizeHistogram)
    .filter((b) => num(b.count) > 0 || num(b.to) > 0)
    .map((b) => ({
      label: num(b.to) === num(b.from) ? String(num(b.from)) : `${num(b.from)}–${num(b.to)}`,
      value: num(b.count),
    }));
  return [
    lineChart({
      title: 'Throughput',
      xLabel: 'seconds since start',
      yLabel: 'calls/s',
      y2Label: 'rows/s',
      series: [
        { name: 'calls/s', color: '#2f6fdb', points: s('callsPerSecond') },
        { name: 'rows/s', color: '#e0892b', points: s('rowsPerSecond'), axis: 'right' },
      ],
    }),
    lineChart({
      title: 'Concurrency',
      xLabel: 'seconds since start',
      yLabel: 'calls',
      series: [
        { name: 'limit', color: '#7a4fd0', points: s('limit') },
        { name: 'in flight', color: '#23a36b', points: s('inflight') },
      ],
    }),
    barChart({
      title: 'Call latency',
      xLabel: 'latency (ms, upper bound)',
      yLabel: 'calls',
      bars: latency,
      color: '#2f6fdb',
    }),
    barChart({ title: 'Batch sizes', xLabel: 'rows per batch', yLabel: 'batches', bars: sizes, color: '#e0892b' }),
    lineChart({
      title: 'Memory',
      xLabel: 'seconds since start',
      yLabel: 'RSS MB',
      series: [{ name: 'RSS MB', color: '#c2410c', points: s('rssMb') }],
    }),
  ];
}

const RATING_NAMES: Record<string, string> = {
  generationTime: 'Batch generation time',
  memory: 'Memory (peak RSS growth)',
  optimizationRate: 'Batch optimization rate',
  callRate: 'API call rate',
  errorRate: 'Error rate',
};

function ratingValue(key: string, r: RunReport): string {
  switch (key) {
    case 'generationTime':
      return `${f(r.plan.generationMs / 1000, 4)} s`;
    case 'memory':
      return r.memory.growthMb === null ? 'not measured' : `${f(r.memory.growthMb)} MB`;
    case 'optimizationRate':
      return `${f(r.plan.reductionRate, 2)} %`;
    case 'callRate':
      return `${f(r.calls.callsPerSecond, 2)} calls/s`;
    case 'errorRate':
      return `${f(r.calls.errorRate * 100, 2)} %`;
    default:
      return '-';
  }
}

/**
 * One self-contained HTML page for a report: key figures, charts, ratings, targets, recommendations. No scripts, no
 * network.
 * @example
 * ```ts
 * import { renderHtml, runJobFile } from 'sluice';
 * const { report } = await runJobFile('daily.yaml');
 * writeFileSync('report.html', renderHtml(report));
 * ```
 */
export function renderHtml(r: RunReport): string {
  const c = r.calls;
  const ratings = Object.entries(r.ratings)
    .map(
      ([k, v]) =>
        `<tr><td>${esc(RATING_NAMES[k] ?? k)}</td><td>${esc(ratingValue(k, r))}</td>` +
        `<td><span class="badge ${v ?? 'na'}">${esc(v ?? 'not measured')}</span></td></tr>`,
    )
    .join('');
  const targets = r.targets.checks
    .map((t) => {
      const state = t.met === null ? ['na', 'not measured'] : t.met ? ['ok', 'met'] : ['missed', 'missed'];
      return (
        `<tr><td>${esc(t.metric)}</td><td>${esc(String(t.target))}</td><td>${esc(t.actual === null ? '-' : String(t.actual))}</td>` +
        `<td><span class="badge ${state[0]}">${state[1]}</span></td></tr>`
      );
    })
    .join('');
  const recs =
    r.recommendations.length > 0
      ? `<ul>${r.recommendations.map((s) => `<li>${advice(s)}</li>`).join('')}</ul>`
      : '<p>None: nothing to change.</p>';
  const apis = list(c.byApi)
    .map(
      (a) =>
        `<tr><td>${esc(String(a.api))}</td><td>${num(a.calls)}</td><td>${num(a.failed)}</td><td>${num(a.retried)}</td>` +
        `<td>${num(a.rateLimited)}</td><td>${f(num(a.errorRate) * 100, 2)}</td><td>${f(a.p50Ms)}</td><td>${f(a.p95Ms)}</td><td>${f(a.p99Ms)}</td><td>${f(a.callsPerSecond, 2)}</td></tr>`,
    )
    .join('');
  return scrub(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sluice run ${esc(r.runId)}</title><style>${STYLE}</style></head>
<body><header><h1>Sluice run report: ${esc(r.job)} <span class="badge ${esc(r.status)}">${esc(r.status)}</span></h1>
<div class="sub">run ${esc(r.runId)} · ${esc(r.startedAt)} → ${esc(r.finishedAt)} · ${esc(formatRunLine(r))}</div></header>
<main>
<section><h2>Key figures</h2><div class="cards">
${card('wall time', `${f(r.wallMs / 1000)} s`)}${card('batches done / total', `${r.batches.done} / ${r.batches.total}`)}
${card('calls', String(c.total))}${card('calls/s', f(c.callsPerSecond, 2))}${card('p50 / p95 / p99 ms', `${f(c.p50Ms, 0)} / ${f(c.p95Ms, 0)} / ${f(c.p99Ms, 0)}`)}
${card('error rate', `${f(c.errorRate * 100, 2)} %`)}${card('rows written', String(r.rows.written))}${card('peak RSS', `${f(r.memory.peakRssMb)} MB`)}
${card('concurrency min/max/final', `${r.concurrency.min} / ${r.concurrency.max} / ${r.concurrency.final}`)}${card('reduction vs daily', `${f(r.plan.reductionRate, 2)} %`)}
</div></section>
<section><h2>Charts</h2><div class="charts">${charts(r).join('\n')}</div></section>
<section><h2>Ratings</h2><table><tr><th>metric</th><th>value</th><th>rating</th></tr>${ratings}</table></section>
<section><h2>Targets: <span class="badge ${r.targets.met ? 'ok' : 'missed'}">${r.targets.met ? 'met' : 'missed'}</span></h2>
<table><tr><th>metric</th><th>target</th><th>actual</th><th>state</th></tr>${targets}</table></section>
<section><h2>Recommendations</h2>${recs}</section>
<section><h2>Calls by API</h2><table><tr><th>api</th><th>calls</th><th>failed</th><th>retried</th><th>rate-limited</th><th>error %</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>calls/s</th></tr>${apis}</table></section>
</main></body></html>
`);
}
