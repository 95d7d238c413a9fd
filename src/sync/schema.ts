/**
 * The sync file: one Tushare source, one database, a date range and a list of datasets. Validated
 * as strictly as a job file (zod, unknown keys refused); each dataset becomes a job (datasets.ts),
 * which the job schema then validates too.
 */
import { z } from 'zod';
import { RateLimitSchema } from '../job/schema.js';

const DATE = /^(\d{8}|\d{4}-\d{2}-\d{2}|today)$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const dateText = z.string().regex(DATE, 'expected a date as YYYYMMDD, YYYY-MM-DD or "today"');
const ident = z.string().regex(IDENT, 'expected an identifier (letters, digits, _; not starting with a digit)');
/** A job section a dataset overrides: checked key by key by the job schema once merged. */
const section = z.record(z.string(), z.unknown());

const SyncSourceSchema = z
  .object({
    type: z.literal('tushare'),
    token: z.string().min(1).optional(),
    url: z.string().url().optional(),
    rateLimit: RateLimitSchema.optional(),
  })
  .strict();

const SyncSinkSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sqlite'), path: z.string().min(1) }).strict(),
  z.object({ type: z.literal('postgres'), url: z.string().min(1), schema: ident.optional() }).strict(),
]);

/** One dataset: an API name, or the API with its table, look-back and job-level overrides. */
const DatasetSchema = z.union([
  z.string().min(1),
  z
    .object({
      api: z.string().min(1),
      table: ident.optional(),
      /** Trading days before the end of what is stored fetched again (the job's plan.lookback). */
      lookback: z.number().int().min(0).optional(),
      source: section.optional(),
      plan: section.optional(),
      execution: section.optional(),
      sink: section.optional(),
      alerts: z.array(z.unknown()).optional(),
      targets: z.record(z.string(), z.number()).optional(),
    })
    .strict(),
]);

export const SyncSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected a name of letters, digits, _ -'),
    source: SyncSourceSchema,
    sink: z.preprocess(
      (v) => (v && typeof v === 'object' && !('type' in v) ? { ...v, type: 'sqlite' } : v),
      SyncSinkSchema,
    ),
    start: dateText,
    end: dateText.default('today'),
    /** Execution settings of every dataset (a dataset's own `execution` wins). */
    execution: section.optional(),
    datasets: z.array(DatasetSchema).min(1),
  })
  .strict();

export type SyncConfig = z.infer<typeof SyncSchema>;
export type DatasetEntry = SyncConfig['datasets'][number];
