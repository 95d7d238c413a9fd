/** Pages: the live page of running runs, and the browser of stored runs. Reads only; never changes a run. */
export { startLiveServer, type LiveOptions, type LiveServer } from './live.js';
export { LiveHub, type LiveMessage, type LiveRunHandle, type LiveRunSummary } from './hub.js';
export { interimReport, liveProgress, finalProgress, type LiveRunInfo, type Progress } from './live-state.js';
export { startBrowseServer, renderRunsPage, sparkline, type BrowseOptions } from './browse.js';
export { startPageServer, PAGE_CSP, DEFAULT_UI_PORT, type PageServer, type PageServerOptions } from './server.js';
