/**
 * The sections of a report page, rendered on the server from a run report (a stored one, or the
 * live page's report-so-far): each returns the inner HTML of one block, so the live page can
 * replace a block when its figures change. All text is escaped.
 */
import type { RunReport } from '../../core/report.js';
import { escapeHtml as esc } from './assets.js';
import { STATE_COLORS, STATE_LABELS } from './charts.js';
import {
  advice,
  card,
  cells,
  compact,
  duration,
  fixed,
  int,
  isRec,
  latency,
  list,
  num,
  numOrNull,
  percent,
  table,
} from './format.js';

const STATES = ['rows', 'quota', 'fetch', 'queued', 'write'] as const;

/** The dark band at the top: job, status, run id and times. */
export function headSection(r: RunReport, status: string, detail: string): string {
  return (
    `<div class="row"><span class="brand">Sluice</span><h1>${esc(r.job)}</h1>` +
    `<span class="pill ${esc(status)}" data-figure="status">${esc(status)}</span></div>` +
    `<div class="sub">run <code>${esc(r.runId)}</code> · ${esc(detail)}</div>`
  );
}

/** Key figures as cards. */
export function figuresSection(r: RunReport): string {
  const c = r.calls;
  const quota = numOrNull(c.quotaPerSecond);
  const bound = numOrNull(c.lowerBound);
  const over = numOrNull(c.overLowerBound);
  const b = r.batches;
  return `<div class="cards">${[
    card('wall time', duration(r.wallMs), '', 'wall'),
    card(
      'batches done',
      `${int(b.done)} / ${int(b.total)}`,
      b.failed > 0 ? `${int(b.failed)} failed` : '',
      'batches',
      b.failed > 0,
    ),
    card('rows written', int(r.rows.written), `${int(r.rows.fetched)} fetched`, 'rows'),
    card(
      'calls',
      int(c.total),
      `${int(c.failed)} failed · ${int(c.retried)} retried · ${int(c.rateLimited)} refused`,
      'calls',
    ),
    card(
      'calls / lower bound',
      bound === null || over === null ? '–' : `${fixed(over, 2)}x`,
      bound === null
        ? 'no row cap or no batch done'
        : `${int(num(c.spent))} spent · at least ${int(bound)} needed` +
            (numOrNull(r.analysis.eachValues) === null ? '' : ` over ${int(num(r.analysis.eachValues))} values`),
      'bound',
      over !== null && over > 1.2,
    ),
    card(
      'calls/s',
      fixed(c.callsPerSecond, 2),
      quota === null ? 'no quota given' : `quota ${fixed(quota, 2)}/s`,
      'cps',
    ),
    card(
      'latency p50 / p95 / p99, ms',
      `${compact(Math.round(c.p50Ms))} / ${compact(Math.round(c.p95Ms))} / ${compact(Math.round(c.p99Ms))}`,
      `avg ${latency(c.avgMs)} · max ${latency(c.maxMs)}`,
      'latency',
    ),
    card('error rate', percent(c.errorRate, 2), '', 'errors', c.errorRate > 0.05),
    card(
      'concurrency',
      `${r.concurrency.final}`,
      `min ${r.concurrency.min} · max ${r.concurrency.max} · peak in flight ${int(r.concurrency.maxInflight)}`,
      'concurrency',
    ),
    card('peak RSS', `${fixed(r.memory.peakRssMb)} MB`, `start ${fixed(r.memory.startRssMb)} MB`, 'rss'),
    card(
      'reduction vs daily',
      `${fixed(r.plan.reductionRate, 2)} %`,
      `${int(r.plan.batchCount)} planned batches`,
      'reduction',
    ),
    ...coverageCard(r),
  ].join('')}</div>`;
}

/** The days earlier runs covered (an incremental run): a card, or none. */
function coverageCard(r: RunReport): string[] {
  const c = isRec(r.coverage) ? r.coverage : undefined;
  if (!c) return [];
  if (c.full === true) return [card('covered days', 'full', 'whole range fetched (--full)', 'coverage')];
  return [
    card(
      'days skipped as covered',
      int(num(c.skippedDays)),
      `${int(num(c.fetchedDays))} fetched · ${int(num(c.lookbackDays))} looked back · ${int(num(c.skippedBatches))} earlier batches`,
      'coverage',
    ),
  ];
}

/** Where the batches' time went, in total: a bar, then the legend with shares. */
export function timeSection(r: RunReport): string {
  const slots = isRec(r.slots) ? r.slots : undefined;
  const totals = slots && isRec(slots.totalMs) ? slots.totalMs : undefined;
  const all = totals ? STATES.reduce((t, s) => t + num(totals[s]), 0) : 0;
  if (!totals || all <= 0) return '<p class="note">No batch has finished yet.</p>';
  const bar = STATES.filter((s) => num(totals[s]) > 0)
    .map(
      (s) =>
        `<span style="width:${((num(totals[s]) / all) * 100).toFixed(2)}%;background:${STATE_COLORS[s]}" title="${esc(STATE_LABELS[s])}"></span>`,
    )
    .join('');
  const legend = STATES.map(
    (s) =>
      `<span><i style="background:${STATE_COLORS[s]}"></i>${esc(STATE_LABELS[s])} <b data-figure="time-${s}">${percent(num(totals[s]) / all, 0)}</b> · ${duration(num(totals[s]))}</span>`,
  ).join('');
  const shown = list(slots?.batches).length;
  const dropped = num(slots?.dropped);
  const lanes =
    dropped > 0
      ? `Lanes below: the last ${int(shown)} batches of ${int(shown + dropped)}.`
      : `Lanes below: all ${int(shown)} batches, one row per slot.`;
  return `<div class="timebar">${bar}</div><div class="legend">${legend}</div><p class="note">Batch time in all: ${duration(all)}. ${lanes} A red end marks a failed batch, a violet end a split one; batches in flight reach the right edge. Hover a batch for its times.</p>`;
}

/** Failed calls and batches by kind, with the latest example of each. */
/** The most frequent failed-call kinds per API, with a count and one example each. */
function errorsByApi(r: RunReport): string {
  const apis = (r.errors ?? []).filter((a) => a.top.length > 0);
  if (apis.length === 0) return '';
  const rows = apis.flatMap((a) =>
    a.top.map((k) => cells([esc(a.api), esc(k.code), int(k.count), esc(k.example)], new Set([2]))),
  );
  return `<h3>Most frequent errors per API</h3>${table(['api', 'code', 'count', 'example'], rows, new Set([2]))}`;
}

export function errorsSection(r: RunReport): string {
  const kinds = list(r.latestErrors);
  const byApi = errorsByApi(r);
  if (kinds.length === 0) return byApi || '<p class="calm">No failed calls and no failed batches.</p>';
  const rows = kinds.map((k) => {
    const latest = isRec(k.latest) ? k.latest : {};
    const example = [
      `<code>${esc(String(latest.key ?? ''))}</code>`,
      `at ${duration(num(latest.atMs))}`,
      typeof latest.message === 'string' ? esc(latest.message) : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const what = k.scope === 'batch' ? 'batch failed' : `call ${String(k.kind)}`;
    return cells([esc(what), esc(String(k.code ?? '')), int(k.count), example], new Set([2]));
  });
  return byApi + table(['what', 'code', 'count', 'latest'], rows, new Set([2]));
}

export function recommendationsSection(r: RunReport): string {
  return r.recommendations.length > 0
    ? `<ul class="recs">${r.recommendations.map((s) => `<li>${advice(s)}</li>`).join('')}</ul>`
    : '<p class="calm">None: nothing to change.</p>';
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
      return `${fixed(r.plan.generationMs / 1000, 4)} s`;
    case 'memory':
      return numOrNull(r.memory.growthMb) === null ? 'not measured' : `${fixed(r.memory.growthMb)} MB`;
    case 'optimizationRate':
      return `${fixed(r.plan.reductionRate, 2)} %`;
    case 'callRate':
      return `${fixed(r.calls.callsPerSecond, 2)} calls/s`;
    case 'errorRate':
      return percent(r.calls.errorRate, 2);
    default:
      return '–';
  }
}

/** Ratings, then the targets with their state. */
export function ratingsSection(r: RunReport): string {
  const ratings = Object.entries(r.ratings).map(([k, v]) =>
    cells([
      esc(RATING_NAMES[k] ?? k),
      esc(ratingValue(k, r)),
      `<span class="badge ${v ?? 'na'}">${esc(v ?? 'not measured')}</span>`,
    ]),
  );
  const targets = r.targets.checks.map((t) => {
    const [cls, text] = t.met === null ? ['na', 'not measured'] : t.met ? ['ok', 'met'] : ['missed', 'missed'];
    return cells([
      esc(t.metric),
      esc(String(t.target)),
      esc(t.actual === null ? '–' : String(t.actual)),
      esc(t.unit ?? ''),
      `<span class="badge ${cls}">${text}</span>`,
    ]);
  });
  const state = r.targets.met ? ['ok', 'met'] : ['missed', 'missed'];
  const note = r.targets.enforced
    ? '<p class="note">The job set these targets: a miss fails the run.</p>'
    : '<p class="note">Reported only: a miss fails the run when the job sets <code>targets:</code> or <code>--targets</code> is given.</p>';
  return (
    `<h2>Ratings</h2>${table(['metric', 'value', 'rating'], ratings)}` +
    `<h2 style="margin-top:14px">Targets <span class="badge ${state[0]}">${state[1]}</span></h2>` +
    table(['metric', 'target', 'actual', 'unit', 'state'], targets) +
    note
  );
}

/** Calls by API. */
export function apisSection(r: RunReport): string {
  const n = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const rows = list(r.calls.byApi).map((a) =>
    cells(
      [
        esc(String(a.api)),
        int(a.calls),
        int(a.failed),
        int(a.retried),
        int(a.rateLimited),
        fixed(num(a.errorRate) * 100, 2),
        fixed(a.p50Ms),
        fixed(a.p95Ms),
        fixed(a.p99Ms),
        fixed(a.callsPerSecond, 2),
      ],
      n,
    ),
  );
  if (rows.length === 0) return '<p class="note">No calls yet.</p>';
  return table(
    ['api', 'calls', 'failed', 'retried', 'rate-limited', 'error %', 'p50 ms', 'p95 ms', 'p99 ms', 'calls/s'],
    rows,
    n,
  );
}

/** A sync's datasets: state, rows, calls against the lower bound, time, and what failed. */
export function syncSection(r: RunReport): string {
  const n = new Set([2, 3, 4, 5, 6]);
  const rows = (r.sync?.datasets ?? []).map((d) =>
    cells(
      [
        esc(d.name),
        esc(d.state),
        int(d.rows),
        int(d.calls),
        int(d.lowerBound),
        d.ratio === null ? '-' : fixed(d.ratio, 2),
        duration(d.wallMs),
        esc(d.error ?? ''),
      ],
      n,
    ),
  );
  if (rows.length === 0) return '<p class="note">No datasets.</p>';
  return table(['dataset', 'state', 'rows', 'calls', 'lower bound', 'ratio', 'time', 'error'], rows, n);
}
