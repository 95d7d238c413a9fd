/**
 * The job file, validated once at the edge (zod, strict: unknown keys are refused). Everything
 * after loading trusts these types. The job file's defaults are the table JOB_DEFAULTS below; it
 * reads the library's defaults (core/defaults.ts) wherever the job file means the same thing.
 */
import { z } from 'zod';
import { DEFAULTS } from '../core/defaults.js';
import { AlertRuleSchema } from '../report/alerts.js';
import { TARGET_KEYS } from '../report/targets.js';

/** Every default of the job file, in one table. */
export const JOB_DEFAULTS = {
  source: {
    /** Rows one call returns at most, for every source type (Tushare's page size). */
    rowCap: DEFAULTS.tushare.rowCap,
    params: {},
    tushareUrl: DEFAULTS.tushare.url,
    http: DEFAULTS.http,
    file: DEFAULTS.file,
  },
  rateLimit: { intervalMs: 60_000, window: 'sliding' },
  plan: {
    strategy: DEFAULTS.plan.strategy,
    dateParams: DEFAULTS.plan.dateParams,
    learnDensity: true,
    lookback: DEFAULTS.plan.lookback,
  },
  execution: {
    concurrency: DEFAULTS.executor.concurrency,
    maxRowsHeld: DEFAULTS.executor.maxRowsHeld,
    retries: DEFAULTS.executor.retries,
    timeoutMs: DEFAULTS.executor.timeoutMs,
    waitForQuotaReset: DEFAULTS.executor.waitForQuotaReset,
    backoff: DEFAULTS.backoff,
    /** Adaptive concurrency bounds (`initial`: the fixed default, clamped to them). */
    adaptive: { rule: 'gradient', min: 1, max: 32 },
  },
  sink: { type: 'sqlite', path: './sluice.db' },
  alerts: [],
} as const;

const DATE = /^(\d{8}|\d{4}-\d{2}-\d{2}|today)$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

const dateText = z.string().regex(DATE, 'expected a date as YYYYMMDD, YYYY-MM-DD or "today"');
const ident = z.string().regex(IDENT, 'expected an identifier (letters, digits, _; not starting with a digit)');
const positiveInt = z.number().int().positive();

export const RateLimitSchema = z.union([
  z.literal('adaptive'),
  z
    .object({
      calls: positiveInt,
      intervalMs: positiveInt.default(JOB_DEFAULTS.rateLimit.intervalMs),
      window: z.enum(['sliding', 'fixed']).default(JOB_DEFAULTS.rateLimit.window),
    })
    .strict(),
]);

const common = {
  api: z.string().min(1),
  fields: z.array(z.string().min(1)).optional(),
  params: z.record(z.string(), z.unknown()).default(() => ({ ...JOB_DEFAULTS.source.params })),
  /** Resolved after validation (job/catalogue-defaults.ts): the catalogue's cap, else JOB_DEFAULTS. */
  rowCap: positiveInt.optional(),
  maxOffset: z.number().int().nonnegative().optional(),
  rateLimit: RateLimitSchema.optional(),
};

const TushareSourceSchema = z
  .object({
    type: z.literal('tushare'),
    url: z.string().url().default(JOB_DEFAULTS.source.tushareUrl),
    token: z.string().min(1).optional(),
    ...common,
  })
  .strict();

const HttpPaginationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({ type: z.literal('offset'), offsetParam: z.string().optional(), limitParam: z.string().optional() })
    .strict(),
  z
    .object({
      type: z.literal('page'),
      pageParam: z.string().optional(),
      sizeParam: z.string().optional(),
      firstPage: z.number().int().optional(),
    })
    .strict(),
  z.object({ type: z.literal('cursor'), cursorPath: z.string().min(1), cursorParam: z.string().min(1) }).strict(),
]);

const HttpSourceSchema = z
  .object({
    type: z.literal('http'),
    url: z.string().min(1),
    method: z.enum(['GET', 'POST']).default(JOB_DEFAULTS.source.http.method),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
    queryParams: z.boolean().default(JOB_DEFAULTS.source.http.queryParams),
    secrets: z.array(z.string()).default([]),
    rowsPath: z.string().default(JOB_DEFAULTS.source.http.rowsPath),
    fieldsPath: z.string().optional(),
    pagination: HttpPaginationSchema.default({ type: 'none' }),
    rateLimitStatuses: z
      .array(z.number().int().min(100).max(599))
      .default(() => [...JOB_DEFAULTS.source.http.rateLimitStatuses]),
    maxPages: positiveInt.optional(),
    ...common,
  })
  .strict();

const FileSourceSchema = z
  .object({
    type: z.literal('file'),
    path: z.string().min(1),
    dateField: z.string().min(1).default(JOB_DEFAULTS.source.file.dateField),
    ...common,
    api: z.string().min(1).default(JOB_DEFAULTS.source.file.api),
  })
  .strict();

export const SourceSchema = z.discriminatedUnion('type', [TushareSourceSchema, HttpSourceSchema, FileSourceSchema]);

export const PlanSchema = z
  .object({
    start: dateText,
    end: dateText,
    strategy: z.string().default(JOB_DEFAULTS.plan.strategy),
    frequency: z.enum(['daily', 'monthly']).optional(),
    /** Resolved after validation (job/catalogue-defaults.ts): the catalogue's, else start_date/end_date. */
    dateParams: z
      .object({ start: z.string().min(1), end: z.string().min(1) })
      .strict()
      .optional(),
    each: z
      .object({
        param: z.string().min(1),
        values: z.array(z.string()).min(1).optional(),
        valuesFrom: z.string().optional(),
      })
      .strict()
      .refine((e) => (e.values ? 1 : 0) + (e.valuesFrom ? 1 : 0) === 1, 'expected exactly one of values or valuesFrom')
      .optional(),
    calendar: z.string().optional(),
    rowsPerDay: z.number().positive().optional(),
    density: z.string().optional(),
    learnDensity: z.boolean().default(JOB_DEFAULTS.plan.learnDensity),
    /** Trading days before the end of what earlier runs covered to fetch again (vendor revisions). */
    lookback: z.number().int().min(0).default(JOB_DEFAULTS.plan.lookback),
  })
  .strict();

export const ExecutionSchema = z
  .object({
    concurrency: z
      .union([
        positiveInt,
        z
          .object({
            adaptive: z.literal(true),
            rule: z.enum(['gradient', 'throughput']).default(JOB_DEFAULTS.execution.adaptive.rule),
            min: positiveInt.default(JOB_DEFAULTS.execution.adaptive.min),
            max: positiveInt.default(JOB_DEFAULTS.execution.adaptive.max),
            initial: positiveInt.optional(),
          })
          .strict(),
      ])
      .default(JOB_DEFAULTS.execution.concurrency),
    /** Most fetched rows held in memory at once by a local run (0 = no limit); see ExecutorOptions. */
    maxRowsHeld: z.number().int().min(0).default(JOB_DEFAULTS.execution.maxRowsHeld),
    retries: z.number().int().min(0).max(100).default(JOB_DEFAULTS.execution.retries),
    timeoutMs: positiveInt.default(JOB_DEFAULTS.execution.timeoutMs),
    /** A used-up daily quota: wait for its reset (midnight China time) instead of stopping the run. */
    waitForQuotaReset: z.boolean().default(JOB_DEFAULTS.execution.waitForQuotaReset),
    backoff: z
      .object({
        baseMs: positiveInt.default(JOB_DEFAULTS.execution.backoff.baseMs),
        maxMs: positiveInt.default(JOB_DEFAULTS.execution.backoff.maxMs),
      })
      .strict()
      .optional(),
    /** Circuit breaker (run/breaker.ts): stop when every call has failed this long and this often; false = off. */
    breaker: z
      .union([
        z.literal(false),
        z
          .object({ afterMs: z.number().int().min(0).optional(), afterCalls: z.number().int().min(0).optional() })
          .strict(),
      ])
      .optional(),
  })
  .strict();

/** Resolved after validation (job/catalogue-defaults.ts): a catalogued Tushare API's natural key. */
const SinkKey = z.array(ident).min(1).optional();

export const SinkSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('sqlite'),
      path: z.string().min(1).default(JOB_DEFAULTS.sink.path),
      table: ident,
      key: SinkKey,
    })
    .strict(),
  z
    .object({
      type: z.literal('postgres'),
      url: z.string().min(1),
      schema: ident.optional(),
      table: ident,
      key: SinkKey,
    })
    .strict(),
  z.object({ type: z.literal('jsonl'), path: z.string().min(1), table: ident, key: SinkKey }).strict(),
]);

export const JobSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a name of letters, digits, _ . -'),
    source: SourceSchema,
    plan: PlanSchema,
    execution: ExecutionSchema.prefault({}),
    sink: z.preprocess(
      (v) => (v && typeof v === 'object' && !('type' in v) ? { ...v, type: JOB_DEFAULTS.sink.type } : v),
      SinkSchema,
    ),
    alerts: z.array(AlertRuleSchema).default(() => []),
    /** Targets that fail the run when missed (without them targets are only reported). */
    targets: z.partialRecord(z.enum(TARGET_KEYS), z.number().nonnegative()).optional(),
  })
  .strict();

/** A job as the schema validates it, before catalogue defaults. */
export type ParsedJob = z.infer<typeof JobSchema>;
/**
 * A job as everything after loading sees it: validated, defaults filled in, and row cap, upsert key
 * and date parameters resolved (job/catalogue-defaults.ts).
 * @example
 * ```ts
 * const job: JobConfig = loadJobFile('daily.yaml').job;
 * job.execution.concurrency; // 4 unless the file says otherwise
 * ```
 */
export type JobConfig = Omit<ParsedJob, 'source' | 'sink' | 'plan'> & {
  source: SourceConfig;
  sink: SinkConfig;
  plan: ParsedJob['plan'] & { dateParams: { start: string; end: string } };
};
export type SourceConfig = z.infer<typeof SourceSchema> & { rowCap: number };
export type SinkConfig = z.infer<typeof SinkSchema> & { key: string[] };
export type ExecutionConfig = z.infer<typeof ExecutionSchema>;
