/**
 * The `sluice_api_facts` table, shared by the SQL journals: its columns and the row <-> ApiFacts
 * mapping. One row per (api, host); the quota and the row cap each keep the time they were learned.
 */
import type { ApiFacts } from '../core/store.js';

export const FACTS_COLUMNS =
  'api, host, quota_calls, quota_interval_ms, quota_learned_at, cap_exact, cap_at_least, cap_learned_at';

export interface FactsRow {
  api: string;
  host: string;
  quota_calls: number | string | null;
  quota_interval_ms: number | string | null;
  quota_learned_at: string | Date | null;
  cap_exact: number | string | null;
  cap_at_least: number | string | null;
  cap_learned_at: string | Date | null;
}

const num = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));
const iso = (v: string | Date | null): string => (v instanceof Date ? v.toISOString() : String(v));

export function toApiFacts(r: FactsRow): ApiFacts {
  const calls = num(r.quota_calls);
  const intervalMs = num(r.quota_interval_ms);
  const exact = num(r.cap_exact);
  const atLeast = num(r.cap_at_least);
  return {
    api: r.api,
    host: r.host,
    ...(calls !== undefined && intervalMs !== undefined && r.quota_learned_at !== null
      ? { quota: { calls, intervalMs, learnedAt: iso(r.quota_learned_at) } }
      : {}),
    ...((exact !== undefined || atLeast !== undefined) && r.cap_learned_at !== null
      ? {
          rowCap: {
            ...(exact !== undefined ? { exact } : {}),
            ...(atLeast !== undefined ? { atLeast } : {}),
            learnedAt: iso(r.cap_learned_at),
          },
        }
      : {}),
  };
}

/** The values of one row, in FACTS_COLUMNS order (null for a part left out). */
export function factsValues(f: ApiFacts): unknown[] {
  return [
    f.api,
    f.host,
    f.quota?.calls ?? null,
    f.quota?.intervalMs ?? null,
    f.quota?.learnedAt ?? null,
    f.rowCap ? (f.rowCap.exact ?? null) : null,
    f.rowCap ? (f.rowCap.atLeast ?? null) : null,
    f.rowCap?.learnedAt ?? null,
  ];
}

/**
 * The upsert's update clause: each part (quota, cap) is replaced only when the new row has it.
 * `excluded` is spelled the same in SQLite and PostgreSQL.
 */
export function factsUpdate(table: string): string {
  const keep = (cols: string[], when: string) =>
    cols.map((c) => `${c} = CASE WHEN excluded.${when} IS NULL THEN ${table}.${c} ELSE excluded.${c} END`);
  return [
    ...keep(['quota_calls', 'quota_interval_ms', 'quota_learned_at'], 'quota_learned_at'),
    ...keep(['cap_exact', 'cap_at_least', 'cap_learned_at'], 'cap_learned_at'),
  ].join(', ');
}
