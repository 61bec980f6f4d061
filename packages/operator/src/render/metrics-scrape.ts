// What Prometheus needs to scrape one Dataset: a headless Service over the `metrics` port of all its
// Pods (master, workers and FUSE clients each serve /metrics; the named port resolves per Pod), which
// the chart's ServiceMonitor selects by label, and, when the operator was given a scrape token
// (--metrics-token-file), a copy of it in the Dataset's namespace for the Pods to mount. One token
// for every Dataset lets one ServiceMonitor authenticate everywhere, and it grants reading metrics
// only: Prometheus never holds a role token that could mount a dataset or apply a manifest.
import type { KubeObject } from '../kube/kube-api.js';
import { METRICS_PORTS } from '../resources/dataset-names.js';
import { RenderContext, TOKEN_KEY } from './render-context.js';

export function metricsService(ctx: RenderContext): KubeObject {
  const n = ctx.names;
  // Headless: Prometheus scrapes each Pod, not one behind a virtual IP.
  return ctx.headlessService(n.metrics, 'metrics', n.podSelector(), [{ name: 'metrics', port: METRICS_PORTS.master, targetPort: 'metrics', protocol: 'TCP' }]);
}

/** The scrape token in the Dataset's namespace; not immutable, so a new token in the chart's Secret reaches it. */
export function scrapeTokenSecret(ctx: RenderContext, token: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret',
    metadata: ctx.metadata(ctx.names.scrapeTokenSecret, 'credentials', ctx.ownedByRuntime(), { 'data.eddy.dev/role': 'metrics' }),
    type: 'Opaque',
    data: { [TOKEN_KEY]: Buffer.from(token).toString('base64') },
  };
}
