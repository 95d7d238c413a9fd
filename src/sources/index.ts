/**
 * Sources: turn one batch into pages of rows. Tushare Pro and a generic HTTP JSON source.
 */
export { createTushareSource, tushareEndpoint, TUSHARE_URL, type TushareSourceOptions } from './tushare.js';
export { createHttpSource, type HttpSourceOptions, type HttpPagination } from './http.js';
export { tushareError, unescapeMessage, quotaFromMessage } from './tushare-codes.js';
export { parseRetryAfter, type FetchLike } from './http-common.js';
export { createFileSource, splitCsvLine, type FileSourceOptions } from './file.js';
