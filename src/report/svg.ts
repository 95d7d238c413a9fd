/**
 * Tiny inline-SVG charts (no library, no script): a line chart with up to two y axes and a bar
 * chart. All text is escaped. Data marks carry class "mark" so a checker can count them.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Series {
  readonly name: string;
  readonly color: string;
  /** [x, y] pairs, x ascending. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** Which y axis. @default 'left' */
  readonly axis?: 'left' | 'right';
}

const W = 640;
const H = 240;
const M = { top: 28, right: 56, bottom: 34, left: 56 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** A "nice" upper bound (1, 2, 2.5, 5 x 10^k) at or above `v`. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(a < 1 ? 2 : 1);
}

function frame(title: string, body: string, legend: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="${M.left}" y="18" class="title">${escapeHtml(title)}</text>${legend}${body}</svg>`
  );
}

function empty(title: string): string {
  return frame(title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="empty">no data</text>`, '');
}

function yAxis(max: number, side: 'left' | 'right', label: string): string {
  const x = side === 'left' ? M.left : M.left + PW;
  const anchor = side === 'left' ? 'end' : 'start';
  const dx = side === 'left' ? -6 : 6;
  let out = '';
  for (let i = 0; i <= 4; i++) {
    const y = M.top + PH - (PH * i) / 4;
    if (side === 'left') out += `<line x1="${M.left}" x2="${M.left + PW}" y1="${y}" y2="${y}" class="grid"/>`;
    out += `<text x="${x + dx}" y="${y + 4}" text-anchor="${anchor}" class="tick">${fmt((max * i) / 4)}</text>`;
  }
  const lx = side === 'left' ? 14 : W - 10;
  return (
    out +
    `<text transform="translate(${lx},${M.top + PH / 2}) rotate(-90)" text-anchor="middle" class="axis">${escapeHtml(label)}</text>`
  );
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly y2Label?: string;
  readonly series: readonly Series[];
}

export function lineChart(o: LineChartOptions): string {
  const all = o.series.flatMap((s) => s.points);
  if (all.length === 0) return empty(o.title);
  const xMin = Math.min(...all.map((p) => p[0]));
  const xMax = Math.max(...all.map((p) => p[0]));
  const span = xMax - xMin || 1;
  const maxOf = (axis: 'left' | 'right') =>
    niceMax(
      Math.max(0, ...o.series.filter((s) => (s.axis ?? 'left') === axis).flatMap((s) => s.points.map((p) => p[1]))),
    );
  const yMax = { left: maxOf('left'), right: maxOf('right') };
  const px = (x: number) => M.left + ((x - xMin) / span) * PW;
  const py = (y: number, axis: 'left' | 'right') => M.top + PH - (y / yMax[axis]) * PH;
  let body = yAxis(yMax.left, 'left', o.yLabel);
  if (o.series.some((s) => s.axis === 'right')) body += yAxis(yMax.right, 'right', o.y2Label ?? '');
  for (let i = 0; i <= 4; i++) {
    const x = xMin + (span * i) / 4;
    body += `<text x="${px(x)}" y="${M.top + PH + 16}" text-anchor="middle" class="tick">${fmt(x)}</text>`;
  }
  body += `<text x="${M.left + PW / 2}" y="${H - 4}" text-anchor="middle" class="axis">${escapeHtml(o.xLabel)}</text>`;
  for (const s of o.series) {
    if (s.points.length === 0) continue;
    const axis = s.axis ?? 'left';
    const pts = s.points.map((p) => `${px(p[0]).toFixed(1)},${py(p[1], axis).toFixed(1)}`).join(' ');
    body +=
      s.points.length === 1
        ? `<circle class="mark" cx="${px(s.points[0][0])}" cy="${py(s.points[0][1], axis)}" r="3" fill="${s.color}"/>`
        : `<polyline class="mark" fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`;
  }
  const legend = o.series
    .map((s, i) => {
      const x = W - M.right - 150 * (o.series.length - i) + 20;
      return `<rect x="${x}" y="9" width="12" height="4" fill="${s.color}"/><text x="${x + 16}" y="15" class="legend">${escapeHtml(s.name)}</text>`;
    })
    .join('');
  return frame(o.title, body, legend);
}

export interface Bar {
  readonly label: string;
  readonly value: number;
}

export function barChart(o: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly bars: readonly Bar[];
  readonly color: string;
}): string {
  if (o.bars.length === 0 || o.bars.every((b) => b.value === 0)) return empty(o.title);
  const yMax = niceMax(Math.max(...o.bars.map((b) => b.value)));
  const slot = PW / o.bars.length;
  const widest = Math.max(...o.bars.map((b) => b.label.length));
  const every = Math.max(1, Math.ceil((widest * 6 + 6) / slot));
  let body = yAxis(yMax, 'left', o.yLabel);
  o.bars.forEach((b, i) => {
    const h = (b.value / yMax) * PH;
    const x = M.left + i * slot + slot * 0.1;
    body += `<rect class="mark" x="${x.toFixed(1)}" y="${(M.top + PH - h).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${o.color}"><title>${escapeHtml(`${b.label}: ${b.value}`)}</title></rect>`;
    if (i % every === 0) {
      body += `<text x="${(x + slot * 0.4).toFixed(1)}" y="${M.top + PH + 16}" text-anchor="middle" class="tick">${escapeHtml(b.label)}</text>`;
    }
  });
  body += `<text x="${M.left + PW / 2}" y="${H - 4}" text-anchor="middle" class="axis">${escapeHtml(o.xLabel)}</text>`;
  return frame(o.title, body, '');
}
