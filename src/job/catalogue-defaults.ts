/**
 * Defaults a job gets from the Tushare API catalogue, applied once right after validation: a job
 * whose source is tushare and names a catalogued API gets its row cap, upsert key (`sink.key`) and
 * date parameter names from it. What the job states wins. Everything downstream sees the result.
 */
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { tushareApi } from '../sources/tushare-catalogue.js';
import { JOB_DEFAULTS, type JobConfig, type ParsedJob } from './schema.js';

export function withCatalogueDefaults(job: ParsedJob, origin: string): JobConfig {
  const api = job.source.type === 'tushare' ? tushareApi(job.source.api) : undefined;
  const key = job.sink.key ?? api?.key;
  if (!key) {
    throw new SluiceError(
      ErrorCodes.BAD_JOB,
      `${origin}: sink.key: missing (expected the upsert key columns; only a catalogued Tushare API has a default, see sluice apis)`,
    );
  }
  return {
    ...job,
    source: { ...job.source, rowCap: job.source.rowCap ?? api?.rowCap ?? JOB_DEFAULTS.source.rowCap },
    sink: { ...job.sink, key: [...key] },
    plan: { ...job.plan, dateParams: job.plan.dateParams ?? api?.dateParams ?? { ...JOB_DEFAULTS.plan.dateParams } },
  };
}
