/**
 * What a run learned about its API, kept in the sink's database (`sluice_api_facts`) so that the
 * next run of any job on that database starts at the right pace and page size: the quota the
 * server named, and what is known of its row cap. Keyed by API and endpoint host; nothing about
 * the token is stored. Facts older than FACTS_MAX_AGE_MS are ignored (a token's points may change).
 */
import type { Quota } from '../core/errors.js';
import type { CapFacts } from '../core/source.js';
import type { Store } from '../core/store.js';
import type { JobConfig } from './schema.js';

/** Stored facts older than this are not used. */
export const FACTS_MAX_AGE_MS = 7 * 86_400_000;

export interface KnownFacts {
  readonly quota?: Quota;
  readonly cap?: CapFacts;
}

/** The endpoint host of a job's source ('' when it has none). */
export function factsHost(job: JobConfig): string {
  const url = (job.source as { url?: string }).url;
  if (!url) return '';
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

const fresh = (learnedAt: string, nowMs: number): boolean => nowMs - Date.parse(learnedAt) <= FACTS_MAX_AGE_MS;

/** What earlier runs learned about this job's API on this endpoint. */
export async function readApiFacts(store: Store, job: JobConfig, nowMs = Date.now()): Promise<KnownFacts> {
  const host = factsHost(job);
  const f = (await store.apiFacts()).find((x) => x.api === job.source.api && x.host === host);
  if (!f) return {};
  return {
    ...(f.quota && fresh(f.quota.learnedAt, nowMs)
      ? { quota: { calls: f.quota.calls, intervalMs: f.quota.intervalMs } }
      : {}),
    ...(f.rowCap && fresh(f.rowCap.learnedAt, nowMs)
      ? { cap: { exact: f.rowCap.exact, atLeast: f.rowCap.atLeast } }
      : {}),
  };
}

const same = (a: CapFacts | undefined, b: CapFacts | undefined): boolean =>
  (a?.exact ?? 0) === (b?.exact ?? 0) && (a?.atLeast ?? 0) === (b?.atLeast ?? 0);

/**
 * Store what this run learned: a quota the server named during the run, and the row cap facts
 * when they differ from what the run started with. Nothing new, nothing written.
 */
export async function saveApiFacts(
  store: Store,
  job: JobConfig,
  started: KnownFacts,
  learned: { readonly quota?: Quota; readonly cap?: CapFacts },
  nowMs = Date.now(),
): Promise<void> {
  const learnedAt = new Date(nowMs).toISOString();
  const cap =
    learned.cap && (learned.cap.exact !== undefined || learned.cap.atLeast !== undefined) ? learned.cap : undefined;
  const newCap = cap && !same(cap, started.cap) ? cap : undefined;
  if (!learned.quota && !newCap) return;
  await store.saveApiFacts([
    {
      api: job.source.api,
      host: factsHost(job),
      ...(learned.quota ? { quota: { ...learned.quota, learnedAt } } : {}),
      ...(newCap ? { rowCap: { ...newCap, learnedAt } } : {}),
    },
  ]);
}
