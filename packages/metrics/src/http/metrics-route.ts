// GET /metrics: the registry in the Prometheus text format.
import type { Registry } from 'prom-client';
import type { HttpRoute } from './http-endpoint.js';

export function metricsRoute(registry: Registry): HttpRoute {
  return {
    path: '/metrics',
    async handle(_req, res) {
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
    },
  };
}
