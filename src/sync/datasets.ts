/**
 * From a sync file's datasets to jobs. Each dataset becomes a job named `<sync>.<table>` that the
 * job schema validates like any job file; what the catalogue knows decides its shape:
 * - `trade_cal` is the calendar: asked in one window over the sync's range;
 * - a reference list without dates (stock_basic, index_basic) is asked whole, once per listing
 *   status where it has them, in a one-day window at the sync's end;
 * - an API that requires a code is asked per code (`plan.each`), the codes coming from the
 *   reference list the catalogue names (stock_basic unless `codesFrom` says otherwise);
 * - every other API is asked for the whole market in date windows (the job's default plan).
 * A dataset's own `source`, `plan`, `execution`, `sink`, `alerts` and `targets` keys win.
 */
import { formatDay, parseRange } from '../core/dates.js';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { parseJob } from '../job/load.js';
import type { JobConfig } from '../job/schema.js';
import { type TushareApi, tushareApi } from '../sources/tushare-catalogue.js';
import type { DatasetEntry, SyncConfig } from './schema.js';

/** What a dataset is to the sync. */
export type DatasetRole = 'calendar' | 'codes' | 'data';

/** Listing statuses a reference list is asked for one by one (every status, not just the default one). */
const STATUSES: Readonly<Record<string, { param: string; values: readonly string[] }>> = {
  stock_basic: { param: 'list_status', values: ['L', 'D', 'P'] },
};

/** The API that is the trading calendar of the others. */
export const CALENDAR_API = 'trade_cal';

/** One dataset of a sync, before it runs. */
export interface SyncDataset {
  /** Its table, and its name in `--only` and the report. */
  readonly name: string;
  readonly api: TushareApi;
  readonly role: DatasetRole;
  /** The dataset (its name) whose list holds the codes this one is asked for, when it is asked per code. */
  readonly codesFrom?: string;
  /** The code parameter it is asked per (ts_code, index_code). */
  readonly codeParam?: string;
  /** The job definition as written (before `${VAR}`), without its codes. */
  readonly raw: Record<string, unknown>;
  /** Where it stands in the file, for messages: `datasets[2] (daily)`. */
  readonly label: string;
}

type Raw = Record<string, unknown>;

function bad(origin: string, message: string): SluiceError {
  return new SluiceError(ErrorCodes.BAD_JOB, `${origin}: ${message}`);
}

function entryOf(d: DatasetEntry): Exclude<DatasetEntry, string> {
  return typeof d === 'string' ? { api: d } : d;
}

function roleOf(api: TushareApi): DatasetRole {
  if (api.name === CALENDAR_API) return 'calendar';
  return api.reference ? 'codes' : 'data';
}

/**
 * The sync's datasets as jobs to be (checked and) run, in file order; SLUICE_BAD_JOB naming the
 * dataset when an API is not catalogued, a name repeats, or a per-code API has no list of codes.
 * `raw` is the sync file as written (the jobs keep its `${VAR}`s, so they can travel to workers).
 */
export function syncDatasets(sync: SyncConfig, raw: Raw, origin: string): SyncDataset[] {
  const range = parseRange(sync.start, sync.end, { start: 'start', end: 'end' });
  const endText = formatDay(range.end, range.format);
  const rawSource = (raw.source ?? {}) as Raw;
  const rawSink = (raw.sink ?? {}) as Raw;
  const rawExecution = (raw.execution ?? {}) as Raw;
  const rawEntries = (raw.datasets ?? []) as unknown[];
  const out: SyncDataset[] = [];
  const seen = new Set<string>();
  sync.datasets.forEach((d, i) => {
    const entry = entryOf(d);
    const written = rawEntries[i];
    const rawEntry: Raw = typeof written === 'object' && written !== null ? (written as Raw) : { api: entry.api };
    const label = `datasets[${i}] (${entry.api})`;
    const api = tushareApi(entry.api);
    if (!api) throw bad(origin, `${label}: ${entry.api} is not in the Tushare catalogue (see sluice apis)`);
    const name = entry.table ?? api.name;
    if (seen.has(name)) throw bad(origin, `${label}: the table ${name} is named twice (set table: to tell them apart)`);
    seen.add(name);
    const role = roleOf(api);
    const perCode = api.code?.rule === 'required';
    const plan: Raw = { start: sync.start, end: sync.end };
    if (role === 'calendar') {
      // the calendar in one window: its rows are few and the others plan on them
      plan.strategy = `days:${range.end - range.start + 1}`;
    } else if (role === 'codes') {
      plan.start = endText;
      plan.end = endText;
      const statuses = STATUSES[api.name];
      if (statuses) plan.each = { param: statuses.param, values: [...statuses.values] };
    }
    if (entry.lookback !== undefined) plan.lookback = entry.lookback;
    const job: Raw = {
      name: `${sync.name}.${name}`,
      source: {
        type: 'tushare',
        api: api.name,
        ...pick(rawSource, ['token', 'url', 'rateLimit']),
        ...((rawEntry.source as Raw | undefined) ?? {}),
      },
      plan: { ...plan, ...((rawEntry.plan as Raw | undefined) ?? {}) },
      execution: { ...rawExecution, ...((rawEntry.execution as Raw | undefined) ?? {}) },
      sink: {
        ...pick(rawSink, ['type', 'path', 'url', 'schema']),
        table: name,
        ...((rawEntry.sink as Raw | undefined) ?? {}),
      },
      ...(rawEntry.alerts === undefined ? {} : { alerts: rawEntry.alerts }),
      ...(rawEntry.targets === undefined ? {} : { targets: rawEntry.targets }),
    };
    if (!('type' in (job.sink as Raw))) (job.sink as Raw).type = 'sqlite';
    out.push({
      name,
      api,
      role,
      label,
      raw: job,
      ...(perCode && api.code ? { codesFrom: api.codesFrom ?? 'stock_basic', codeParam: api.code.param } : {}),
    });
  });
  for (const ds of out) {
    if (ds.codesFrom && !out.some((o) => o.api.name === ds.codesFrom)) {
      throw bad(
        origin,
        `${ds.label}: ${ds.api.name} is asked per code: add ${ds.codesFrom} (its list of codes) to datasets`,
      );
    }
  }
  return out;
}

function pick(from: Raw, keys: readonly string[]): Raw {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}

/**
 * The raw job of a dataset with its codes (per-code datasets; `codes` is ignored otherwise), when
 * the dataset does not name its own `plan.each`.
 */
export function rawJobOf(ds: SyncDataset, codes?: readonly string[]): Raw {
  const plan = ds.raw.plan as Raw;
  if (!ds.codeParam || plan.each !== undefined) return ds.raw;
  return { ...ds.raw, plan: { ...plan, each: { param: ds.codeParam, values: [...(codes ?? [])] } } };
}

/** The dataset's job, validated by the job schema (`${VAR}` from `env`); messages name the dataset. */
export function jobOf(ds: SyncDataset, origin: string, env: NodeJS.ProcessEnv, codes?: readonly string[]): JobConfig {
  return parseJob(rawJobOf(ds, codes), env, `${origin}: ${ds.label}`);
}
