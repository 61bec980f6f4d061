// Options of `eddy operator`: one documented type, defaults in one place, one resolve step that
// validates them with exact messages.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseHostPort, ValidationError, type Logger } from '@eddy/core';
import { readTokenFile } from '@eddy/protocol';
import { DEFAULT_RENDER_OPTIONS, type RenderOptions } from './render/render-context.js';
import { RUNTIME_KINDS, type RuntimeKind } from './resources/resource-types.js';

export interface OperatorOptions {
  /** kubeconfig file; in cluster (none given) the ServiceAccount is used. */
  kubeconfig?: string | undefined;
  /** Namespaces to serve; none = every namespace (then the RBAC must be cluster-wide). */
  namespaces?: readonly string[];
  /** Runtime kinds to reconcile; default all three. With Fluid in the cluster: only EddyRuntime. */
  runtimeKinds?: readonly string[];
  /** `namespace/dataset=host:port`: reach that Dataset's master there (out of cluster, e.g. a port-forward). */
  masterAddresses?: readonly string[];
  /** Container image of master, workers and FUSE. */
  image?: string;
  imagePullPolicy?: string;
  journalSize?: string;
  storageClassName?: string | undefined;
  componentLogLevel?: string;
  /**
   * File holding the token Prometheus presents to every component's /metrics (the chart's scrape
   * Secret). Copied into each Dataset's namespace; read again at each reconcile, so a new token
   * reaches the Secrets (the Pods read it when they start). Unset: /metrics asks for each Pod's own role token.
   */
  metricsTokenFile?: string | undefined;
  /** Leader election through a Lease (on by default; off only for a single replica in tests). */
  leaderElection?: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId?: string;
  /** This replica's identity in the Lease; default the hostname (the Pod name in cluster) plus the pid. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Every object is looked at again this often even without a change. Default 30 s. */
  resyncMs?: number;
  /** A served Dataset's status is refreshed from its master this often. Default 5 s. */
  statusIntervalMs?: number;
  /** Parallel reconciles. Default 2. */
  workers?: number;
  logger: Logger;
}

export interface ResolvedOperatorOptions {
  kubeconfig: string | undefined;
  namespaces: string[];
  runtimeKinds: RuntimeKind[];
  masterAddresses: Map<string, string>;
  render: RenderOptions;
  metricsTokenFile: string | undefined;
  leaderElection: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  resyncMs: number;
  statusIntervalMs: number;
  workers: number;
  logger: Logger;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function inClusterNamespace(): string | undefined {
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function positive(value: number | undefined, fallback: number, flag: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new ValidationError(`${flag} must be a positive whole number, got ${String(value)}`, flag);
  return v;
}

function parseMasterAddress(entry: string): [string, string] {
  const m = /^([a-z0-9-]+)\/([a-z0-9.-]+)=(.+)$/.exec(entry);
  if (!m) throw new ValidationError(`--master-address must be NAMESPACE/DATASET=HOST:PORT, got ${JSON.stringify(entry)}`, '--master-address');
  parseHostPort(m[3]!, '--master-address');
  return [`${m[1]}/${m[2]}`, m[3]!];
}

export function resolveOperatorOptions(o: OperatorOptions): ResolvedOperatorOptions {
  const namespaces = [...new Set(o.namespaces ?? [])];
  for (const ns of namespaces) if (!DNS_LABEL.test(ns)) throw new ValidationError(`--namespace must be a namespace name, got ${JSON.stringify(ns)}`, '--namespace');
  const kinds = o.runtimeKinds && o.runtimeKinds.length > 0 ? [...new Set(o.runtimeKinds)] : RUNTIME_KINDS;
  for (const k of kinds) {
    if (!RUNTIME_KINDS.includes(k as RuntimeKind)) throw new ValidationError(`--runtime-kinds: unknown kind ${JSON.stringify(k)}; use ${RUNTIME_KINDS.join(', ')}`, '--runtime-kinds');
  }
  const leaseDurationMs = positive(o.leaseDurationMs, 15_000, '--lease-duration');
  const renewDeadlineMs = positive(o.renewDeadlineMs, Math.round(leaseDurationMs * 2 / 3), '--renew-deadline');
  const retryPeriodMs = positive(o.retryPeriodMs, Math.max(200, Math.round(leaseDurationMs / 7.5)), '--retry-period');
  // Fail at start, not at the first reconcile, when the scrape token's file is missing or empty.
  if (o.metricsTokenFile !== undefined) readTokenFile(o.metricsTokenFile, '--metrics-token-file');
  if (renewDeadlineMs >= leaseDurationMs) throw new ValidationError('--renew-deadline must be shorter than --lease-duration', '--renew-deadline');
  return {
    kubeconfig: o.kubeconfig,
    namespaces,
    runtimeKinds: kinds as RuntimeKind[],
    masterAddresses: new Map((o.masterAddresses ?? []).map(parseMasterAddress)),
    render: {
      ...DEFAULT_RENDER_OPTIONS,
      ...(o.image ? { image: o.image } : {}),
      ...(o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {}),
      ...(o.journalSize ? { journalSize: o.journalSize } : {}),
      ...(o.componentLogLevel ? { logLevel: o.componentLogLevel } : {}),
      storageClassName: o.storageClassName,
      scrapeToken: o.metricsTokenFile !== undefined,
    },
    metricsTokenFile: o.metricsTokenFile,
    leaderElection: o.leaderElection ?? true,
    leaderElectionNamespace: o.leaderElectionNamespace ?? inClusterNamespace() ?? namespaces[0] ?? 'default',
    leaderElectionId: o.leaderElectionId ?? 'eddy-operator',
    identity: o.identity ?? `${hostname()}_${process.pid}`,
    leaseDurationMs, renewDeadlineMs, retryPeriodMs,
    resyncMs: positive(o.resyncMs, 30_000, '--resync'),
    statusIntervalMs: positive(o.statusIntervalMs, 5_000, '--status-interval'),
    workers: positive(o.workers, 2, '--workers'),
    logger: o.logger,
  };
}
