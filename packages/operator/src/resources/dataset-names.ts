// Names and labels of everything the operator makes for one Dataset. Fluid's conventions where
// users meet them: the PVC is the Dataset's own name and the PV is `<namespace>-<name>`.

export const MANAGED_BY = 'eddy-operator';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_DATASET = 'data.eddy.dev/dataset';
export const LABEL_DATASET_NAMESPACE = 'data.eddy.dev/dataset-namespace';
/** Removes the cluster-scoped PV (which cannot carry a namespaced ownerReference) when the Dataset goes. */
export const DATASET_FINALIZER = 'data.eddy.dev/volume-cleanup';

export const MASTER_PORT = 19998;
export const WORKER_PORT = 29998;
export const WORKER_DATA_PORT = 29999;
/** Each component's /metrics (`--metrics-listen`), as in deploy/prometheus/prometheus.yml; the port is named `metrics`. */
export const METRICS_PORTS = { master: 9100, worker: 9101, fuse: 9102 } as const;

export type Component = 'master' | 'worker' | 'fuse' | 'volume' | 'credentials' | 'metrics';

export class DatasetNames {
  constructor(readonly namespace: string, readonly name: string) {}

  get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  get master(): string { return `${this.name}-eddy-master`; }
  get worker(): string { return `${this.name}-eddy-worker`; }
  get fuse(): string { return `${this.name}-eddy-fuse`; }
  /** The headless Service over every Pod's `metrics` port, which a ServiceMonitor selects. */
  get metrics(): string { return `${this.name}-eddy-metrics`; }
  /** The Secret holding the token Prometheus presents (a copy of the operator's --metrics-token-file). */
  get scrapeTokenSecret(): string { return `${this.name}-eddy-metrics-token`; }
  /** The PVC application Pods mount, named after the Dataset (`claimName: demo`). */
  get claim(): string { return this.name; }
  get volume(): string { return `${this.namespace}-${this.name}`; }
  /** The credential Secret of one role: admin, worker or client (see render/cluster-credentials.ts). */
  credentialSecret(role: string): string { return `${this.name}-eddy-${role}-token`; }

  /** The master's address inside the cluster: its headless Service, which resolves to the one master Pod. */
  get masterAddress(): string {
    return `${this.master}.${this.namespace}.svc:${MASTER_PORT}`;
  }

  /** Where each node's FUSE mount of this dataset lives (hostPath, Bidirectional propagation). */
  get hostMountRoot(): string {
    return `/runtime-mnt/eddy/${this.namespace}/${this.name}`;
  }

  get hostMountPath(): string {
    return `${this.hostMountRoot}/eddy-fuse`;
  }

  labels(component: Component): Record<string, string> {
    return {
      'app.kubernetes.io/name': 'eddy',
      'app.kubernetes.io/instance': this.name,
      [LABEL_COMPONENT]: component,
      [LABEL_MANAGED_BY]: MANAGED_BY,
      [LABEL_DATASET]: this.name,
      [LABEL_DATASET_NAMESPACE]: this.namespace,
    };
  }

  selector(component: Component): Record<string, string> {
    return { 'app.kubernetes.io/instance': this.name, [LABEL_COMPONENT]: component, [LABEL_DATASET]: this.name };
  }

  /** Every Pod of the Dataset (master, workers, FUSE): what the metrics Service selects. */
  podSelector(): Record<string, string> {
    return { 'app.kubernetes.io/instance': this.name, [LABEL_DATASET]: this.name, [LABEL_MANAGED_BY]: MANAGED_BY };
  }
}
