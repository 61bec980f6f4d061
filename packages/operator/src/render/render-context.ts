// What every rendered object shares: the Dataset's names, the image, the ownerReferences, and the
// pieces of Pod spec the three workloads have in common (role credentials mounted from their Secrets,
// the non-root security context of master and workers).
import type { KubeObject } from '../kube/kube-api.js';
import { DatasetNames, type Component } from '../resources/dataset-names.js';

export const EDDY_UID = 65532;
export const CREDENTIALS_DIR = '/etc/eddy/credentials';
/** Where the scrape token Secret is mounted (when the operator has one: --metrics-token-file). */
export const SCRAPE_TOKEN_DIR = '/etc/eddy/metrics';
/** One credential (and Secret) per role: admin (the master's, the operator's), worker, client (FUSE). */
export const CREDENTIAL_ROLES = ['admin', 'worker', 'client'] as const;
export type CredentialRole = typeof CREDENTIAL_ROLES[number];
export const TOKEN_KEY = 'token';

export interface RenderOptions {
  /** Container image holding the `eddy` entrypoint. */
  image: string;
  imagePullPolicy: string;
  /** Size of the master's journal volume. */
  journalSize: string;
  /** StorageClass of the journal (and of PVC tiers); cluster default when unset. */
  storageClassName?: string | undefined;
  /** Log level passed to every component. */
  logLevel: string;
  /**
   * Whether every component's /metrics asks for the shared scrape token (the operator's
   * --metrics-token-file, copied into each Dataset's namespace) instead of the Pod's own role token.
   */
  scrapeToken: boolean;
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  image: 'eddy:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  journalSize: '1Gi',
  logLevel: 'info',
  scrapeToken: false,
};

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export class RenderContext {
  readonly names: DatasetNames;
  constructor(readonly dataset: KubeObject, readonly runtime: KubeObject, readonly options: RenderOptions) {
    this.names = new DatasetNames(dataset.metadata.namespace ?? 'default', dataset.metadata.name);
  }

  get namespace(): string {
    return this.names.namespace;
  }

  /** The Runtime controls the workloads (it is what they run); deleting it removes them. */
  ownedByRuntime(): OwnerReference[] {
    return [ownerRef(this.runtime, true)];
  }

  /** The PVC belongs to the Dataset: application Pods mount it by the Dataset's name. */
  ownedByDataset(): OwnerReference[] {
    return [ownerRef(this.dataset, true)];
  }

  metadata(name: string, component: Component, owners: OwnerReference[], annotations?: Record<string, string>): KubeObject['metadata'] {
    return { name, namespace: this.namespace, labels: this.names.labels(component), ownerReferences: owners, ...(annotations ? { annotations } : {}) };
  }

  /** The Secret of `role` mounted read-only; the files are readable by the eddy user only (fsGroup). */
  credentialVolume(role: CredentialRole): Record<string, unknown> {
    return { name: `${role}-credentials`, secret: { secretName: this.names.credentialSecret(role), defaultMode: 0o440 } };
  }

  credentialMount(role: CredentialRole): Record<string, unknown> {
    return { name: `${role}-credentials`, mountPath: `${CREDENTIALS_DIR}/${role}`, readOnly: true };
  }

  tokenFile(role: CredentialRole): string {
    return `${CREDENTIALS_DIR}/${role}/${TOKEN_KEY}`;
  }

  /**
   * `--metrics-listen` on every interface, the Pod's `metrics` port. Off loopback the listener asks
   * for a bearer token: the scrape token when there is one, else the component's own token
   * (the master's: its admin token).
   */
  metricsArgs(port: number): string[] {
    return ['--metrics-listen', `0.0.0.0:${port}`, ...(this.options.scrapeToken ? ['--metrics-token-file', `${SCRAPE_TOKEN_DIR}/${TOKEN_KEY}`] : [])];
  }

  metricsPort(port: number): Record<string, unknown> {
    return { name: 'metrics', containerPort: port, protocol: 'TCP' };
  }

  /** The scrape token's volume and mount, when there is one. */
  scrapeTokenVolumes(): Array<Record<string, unknown>> {
    return this.options.scrapeToken ? [{ name: 'scrape-token', secret: { secretName: this.names.scrapeTokenSecret, defaultMode: 0o440 } }] : [];
  }

  scrapeTokenMounts(): Array<Record<string, unknown>> {
    return this.options.scrapeToken ? [{ name: 'scrape-token', mountPath: SCRAPE_TOKEN_DIR, readOnly: true }] : [];
  }

  container(name: string, args: string[], extra: Record<string, unknown>): Record<string, unknown> {
    return {
      name, image: this.options.image, imagePullPolicy: this.options.imagePullPolicy,
      command: ['eddy'], args,
      env: [
        { name: 'EDDY_LOG_LEVEL', value: this.options.logLevel },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ],
      ...extra,
    };
  }

  /** A headless Service (one DNS name or scrape target per Pod, no virtual IP) owned by the Runtime. */
  headlessService(name: string, component: Component, selector: Record<string, string>, ports: Array<Record<string, unknown>>,
    extra: Record<string, unknown> = {}): KubeObject {
    return {
      apiVersion: 'v1', kind: 'Service',
      metadata: this.metadata(name, component, this.ownedByRuntime()),
      spec: { clusterIP: 'None', ...extra, selector, ports },
    };
  }

  /** Master and workers need no privilege: non-root, no capabilities, read-only root filesystem. */
  static restricted(): Record<string, unknown> {
    return {
      runAsNonRoot: true, runAsUser: EDDY_UID, runAsGroup: EDDY_UID, allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    };
  }
}

function ownerRef(obj: KubeObject, controller: boolean): OwnerReference {
  return {
    apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, uid: obj.metadata.uid ?? '',
    controller, blockOwnerDeletion: true,
  };
}
