/**
 * Reading a sync file: YAML or JSON, `${VAR}` from the environment, the sync schema, then every
 * dataset's job through the job schema, so a bad file is refused (exit 2, one line naming the key)
 * before anything is fetched or written.
 */
import { readFileSync } from 'node:fs';
import { messageOf } from '../core/errors.js';
import { parseRange } from '../core/dates.js';
import { registerSecret } from '../core/secrets.js';
import { badJob, describeIssue, interpolate } from '../job/load.js';
import { parseJobFileText } from '../job/parse-text.js';
import { type SyncDataset, jobOf, syncDatasets } from './datasets.js';
import { type SyncConfig, SyncSchema } from './schema.js';

/**
 * A sync file as read.
 * @example
 * ```ts
 * const { sync, datasets } = loadSyncFile('mirror.yaml');
 * console.log(sync.name, datasets.map((d) => d.name).join(', '));
 * ```
 */
export interface LoadedSync {
  readonly sync: SyncConfig;
  /** The file as written, before `${VAR}` interpolation. */
  readonly raw: Record<string, unknown>;
  readonly datasets: readonly SyncDataset[];
  readonly path: string;
}

/**
 * Validates a raw (uninterpolated) sync definition and each of its datasets' jobs.
 * @example
 * ```ts
 * import { parseSync } from 'sluice';
 * const { datasets } = parseSync({ name: 'm', source: { type: 'tushare' }, sink: { path: 'm.db' }, start: '20200101', datasets: ['daily'] });
 * ```
 */
export function parseSync(raw: unknown, env: NodeJS.ProcessEnv = process.env, origin = 'sync'): LoadedSync {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw badJob(origin, 'expected a mapping with name, source, sink, start and datasets');
  const literal = (raw as { source?: { token?: unknown } }).source?.token;
  if (typeof literal === 'string' && !literal.includes('${')) registerSecret(literal);
  const resolved = interpolate(raw, env, origin);
  const token = (resolved as { source?: { token?: unknown } }).source?.token;
  if (typeof token === 'string') registerSecret(token);
  const result = SyncSchema.safeParse(resolved);
  if (!result.success) throw badJob(origin, describeIssue(result.error.issues[0]));
  const sync = result.data;
  try {
    parseRange(sync.start, sync.end, { start: 'start', end: 'end' });
  } catch (err) {
    throw badJob(origin, messageOf(err));
  }
  const datasets = syncDatasets(sync, raw as Record<string, unknown>, origin);
  // every dataset's job is checked now (a per-code one with a stand-in code: its codes come later)
  for (const ds of datasets) jobOf(ds, origin, env, ['000001.SZ']);
  return { sync, raw: raw as Record<string, unknown>, datasets, path: origin };
}

/**
 * Reads, interpolates and validates a sync file.
 * @example
 * ```ts
 * import { loadSyncFile, runSync } from 'sluice';
 * const loaded = loadSyncFile('mirror.yaml');
 * const { exitCode } = await runSync(loaded, { only: ['daily'] });
 * ```
 */
export function loadSyncFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedSync {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw badJob(path, 'cannot read the sync file');
  }
  return parseSync(parseJobFileText(text, path), env, path);
}
