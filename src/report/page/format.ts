/** Defensive readers of report fields and the number formats the pages use. */
import { escapeHtml as esc } from './assets.js';

export type Rec = Record<string, unknown>;
export const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
export const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);

/** Fixed digits, or "–" for a missing value. */
export function fixed(v: unknown, digits = 1): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** Whole numbers with thousands separators. */
export function int(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–';
}

/** A number in few characters: 950, 9.5k, 29k, 1.2M. */
export function compact(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return a >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1);
}

/** A latency: "61 ms", "2.4 s", "29 s". */
export function latency(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** A duration in ms as "850 ms", "12.4 s", "3m05s", "2h07m". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function percent(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(digits)} %` : '–';
}

/** Markdown-ish backticks in advice become <code>; everything else is escaped. */
export function advice(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A figure card: value, label and an optional small line. */
export function card(label: string, value: string, small = '', figure = '', alert = false): string {
  const data = figure ? ` data-figure="${esc(figure)}"` : '';
  return (
    `<div class="card${alert ? ' alert' : ''}"><b${data}>${esc(value)}</b><span>${esc(label)}</span>` +
    `${small ? `<small>${esc(small)}</small>` : ''}</div>`
  );
}

/** A table in a horizontally scrolling box, so a phone never scrolls the page sideways. */
export function table(
  head: readonly string[],
  rows: readonly string[],
  numeric: ReadonlySet<number> = new Set(),
): string {
  const th = head.map((h, i) => `<th${numeric.has(i) ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

export function cells(values: readonly string[], numeric: ReadonlySet<number> = new Set()): string {
  return `<tr>${values.map((v, i) => `<td${numeric.has(i) ? ' class="n"' : ''}>${v}</td>`).join('')}</tr>`;
}
