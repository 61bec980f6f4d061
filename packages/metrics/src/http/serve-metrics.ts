// `--metrics-listen HOST:PORT`: a process's /metrics on its own listener.
import type { Logger } from '@eddy/core';
import type { ProcessMetrics } from '../process-metrics.js';
import { HttpEndpoint } from './http-endpoint.js';
import { metricsRoute } from './metrics-route.js';

export async function serveMetrics(listen: string, token: string, metrics: ProcessMetrics, logger: Logger): Promise<HttpEndpoint> {
  return await HttpEndpoint.start({ listen, token, routes: [metricsRoute(metrics.registry)], logger, flag: '--metrics-listen' });
}
