// `--metrics-listen HOST:PORT [--metrics-token-file F]` of master, worker and mount: the process's
// /metrics on its own listener. Off loopback it asks for a bearer token: the scrape token when one
// is given (what a Prometheus holds: it reads metrics and can do nothing else), else the process's
// cluster token.
import type { Logger } from '@eddy/core';
import { serveMetrics, type HttpEndpoint, type ProcessMetrics } from '@eddy/metrics';
import { readTokenFile } from '@eddy/protocol/rpc';

export interface MetricsFlags {
  metricsListen?: string;
  metricsTokenFile?: string;
}

/** Serves /metrics when --metrics-listen is given; undefined otherwise. */
export async function metricsEndpoint(flags: MetricsFlags, clusterToken: string, metrics: ProcessMetrics,
  logger: Logger): Promise<HttpEndpoint | undefined> {
  if (flags.metricsListen === undefined) return undefined;
  const token = flags.metricsTokenFile !== undefined ? readTokenFile(flags.metricsTokenFile, '--metrics-token-file') : clusterToken;
  return await serveMetrics(flags.metricsListen, token, metrics, logger);
}
