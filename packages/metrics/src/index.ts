// The public surface of @eddy/metrics.
export { ClientMetrics, FUSE_LATENCY_BUCKETS, READ_SOURCES } from './client-metrics.js';
export type { ReadBytesBySource, ReadSource } from './client-metrics.js';
export { DatasetLabels, MAX_DATASET_LABELS, OTHER_DATASET } from './dataset-labels.js';
export { errorCodeLabel, FUSE_OPS, fuseOpLabel, MAX_TIER_LABELS, tierLabels } from './enum-labels.js';
export { credentialMatches, isLoopbackHost, presentedCredential } from './http/credential-check.js';
export { HttpEndpoint } from './http/http-endpoint.js';
export type { HttpEndpointOptions, HttpRoute } from './http/http-endpoint.js';
export { metricsRoute } from './http/metrics-route.js';
export { serveMetrics } from './http/serve-metrics.js';
export { DATALOAD_DURATION_BUCKETS, MasterMetrics } from './master-metrics.js';
export type { DataLoadFacts, DataLoadResult, DatasetFacts, MasterMetricsSource } from './master-metrics.js';
export { ProcessMetrics } from './process-metrics.js';
export { createProcessRegistry } from './process-registry.js';
export { WorkerMetrics } from './worker-metrics.js';
export type { EvictionAction, FetchReason, TierUsage } from './worker-metrics.js';
export type { Registry } from 'prom-client';
export { SERIES_BOUND, seriesBound } from './series-bound.js';
export type { MetricsComponent } from './series-bound.js';
