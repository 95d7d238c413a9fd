/**
 * The emulator: a local Tushare-protocol server (demo, tests, benchmarks) and the ground truth it
 * answers from.
 */
export { startEmulator, DEMO_TOKEN, type Emulator, type EmulatorOptions } from './server.js';
export type { EmulatorStats } from './stats.js';
export { Vintage, parseRevisions, type RevisionSpec, type VintageInfo } from './vintage.js';
export { dataset, vintageDataset, expectedRows, type Dataset, type DatasetOptions, type DataPage } from './dataset.js';
export { checksum, canonicalRow, rowHashes, ChecksumBuilder, type Checksum } from './checksum.js';
export { parseFaults, FAULT_KINDS, type FaultKind, type FaultRates } from './faults.js';
export { RateWindow, perMinute, quotaMessage, type RateSpec } from './limits.js';
export { latencyFor, LATENCY_DEFAULTS, type LatencyOptions } from './latency.js';
export { tradingCalendar, TradingCalendar, DATA_LAST_DAY } from './calendar.js';
export { DAILY_FIELDS } from './daily.js';
export { FINA_FIELDS } from './fina.js';
export { ADJ_FIELDS } from './adj.js';
export { DAILY_BASIC_FIELDS } from './daily-basic.js';
export { INDEX_BASIC_FIELDS, INDEX_DAILY_FIELDS } from './indexes.js';
export { rateMessage, MSG_BAD_QUERY, TRANSIENT_ANSWERS, type QuotaWording } from './wordings.js';
export { TRADE_CAL_FIELDS, STOCK_BASIC_FIELDS } from './reference.js';
