// The public surface of @eddy/status-page.
export { statusPageRoutes } from './status-page-routes.js';
export type { StatusPageOptions } from './status-page-routes.js';
export type { DataLoadRow, DatasetRow, StatusSnapshot, TierRow, WorkerRow } from './status-snapshot.js';
