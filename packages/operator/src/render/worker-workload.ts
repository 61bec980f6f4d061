// The workers of one Runtime: a StatefulSet of `replicas` Pods (a stable name is a stable worker id,
// so a restarted worker re-reports its blocks under the same identity). Tiers come from the
// Runtime's tieredstore: MEM is an emptyDir in memory capped at the quota; SSD and HDD are a hostPath
// on the node (one directory per worker Pod) or a PVC per worker. Quota and watermarks go to the
// worker as `--tier` flags, the same grammar `eddy worker` takes by hand.
import type { KubeObject } from '../kube/kube-api.js';
import { METRICS_PORTS, WORKER_DATA_PORT, WORKER_PORT } from '../resources/dataset-names.js';
import type { TierPlan } from '../spec/desired-spec.js';
import { EDDY_UID, RenderContext } from './render-context.js';

function volumeName(tier: TierPlan): string {
  return `tier-${tier.medium.toLowerCase()}`;
}

/**
 * Where the worker keeps the tier's blocks. A hostPath tier is the volume itself (the tier-owner
 * init container hands it to the eddy user, 0755). An emptyDir or a PVC is set up by the kubelet
 * world- or group-writable (emptyDir 0777; fsGroup adds group rwx and setgid), which the worker's
 * tier-directory check rightly refuses, so the worker keeps its blocks in `<volume>/blocks`, a
 * directory it creates 0700 itself (fsGroupChangePolicy OnRootMismatch keeps the kubelet from
 * opening it up again at the next mount of a PVC).
 */
export function tierBlocksPath(tier: TierPlan): string {
  const path = tier.path.replace(/\/+$/, '');
  return tier.medium !== 'MEM' && tier.volumeType === 'hostPath' ? path : `${path}/blocks`;
}

/** `MEDIUM:PATH:QUOTA:HIGH:LOW`, as `eddy worker --tier` parses it. */
export function tierFlag(tier: TierPlan): string {
  return `${tier.medium}:${tierBlocksPath(tier)}:${tier.quotaBytes}:${tier.high}:${tier.low}`;
}

function hostTierPath(ctx: RenderContext, tier: TierPlan): string {
  return `${tier.path.replace(/\/+$/, '')}/eddy/${ctx.namespace}/${ctx.names.name}`;
}

function tierVolume(ctx: RenderContext, tier: TierPlan): Record<string, unknown> | undefined {
  if (tier.medium === 'MEM') return { name: volumeName(tier), emptyDir: { medium: 'Memory', sizeLimit: String(tier.quotaBytes) } };
  if (tier.volumeType === 'hostPath') return { name: volumeName(tier), hostPath: { path: hostTierPath(ctx, tier), type: 'DirectoryOrCreate' } };
  return undefined;
}

function tierMount(tier: TierPlan): Record<string, unknown> {
  // Pods of one StatefulSet may share a node: each keeps its blocks in its own subdirectory.
  return tier.medium !== 'MEM' && tier.volumeType === 'hostPath'
    ? { name: volumeName(tier), mountPath: tier.path, subPathExpr: '$(POD_NAME)' }
    : { name: volumeName(tier), mountPath: tier.path };
}

function tierClaim(ctx: RenderContext, tier: TierPlan): Record<string, unknown> {
  return {
    metadata: { name: volumeName(tier), labels: ctx.names.labels('worker') },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: String(tier.quotaBytes) } },
      ...(ctx.options.storageClassName ? { storageClassName: ctx.options.storageClassName } : {}),
    },
  };
}

export function workerStatefulSet(ctx: RenderContext, tiers: readonly TierPlan[], replicas: number): KubeObject {
  const n = ctx.names;
  const args = [
    'worker', '--master', n.masterAddress, '--runtime', n.name,
    '--listen', `0.0.0.0:${WORKER_PORT}`, '--data-listen', `0.0.0.0:${WORKER_DATA_PORT}`,
    '--advertise-host', '$(POD_IP)', '--worker-id', '$(POD_NAME)', '--host-id', '$(POD_NAME)',
    '--token-file', ctx.tokenFile('worker'), ...ctx.metricsArgs(METRICS_PORTS.worker),
    ...tiers.flatMap((t) => ['--tier', tierFlag(t)]),
  ];
  const hostTiers = tiers.filter((t) => t.medium !== 'MEM' && t.volumeType === 'hostPath');
  const container = ctx.container('worker', args, {
    ports: [
      { name: 'grpc', containerPort: WORKER_PORT, protocol: 'TCP' },
      { name: 'data', containerPort: WORKER_DATA_PORT, protocol: 'TCP' },
      ctx.metricsPort(METRICS_PORTS.worker),
    ],
    volumeMounts: [...tiers.map(tierMount), ctx.credentialMount('worker'), ...ctx.scrapeTokenMounts()],
    readinessProbe: { tcpSocket: { port: 'data' }, periodSeconds: 5 },
    resources: { requests: { cpu: '100m', memory: '256Mi' } },
    securityContext: RenderContext.restricted(),
  });
  // A hostPath directory is created root-owned by the kubelet: hand it to the eddy user first.
  const initContainers = hostTiers.length === 0 ? [] : [{
    name: 'tier-owner', image: ctx.options.image, imagePullPolicy: ctx.options.imagePullPolicy,
    command: ['chown', `${EDDY_UID}:${EDDY_UID}`, ...hostTiers.map((t) => t.path)],
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    volumeMounts: hostTiers.map(tierMount),
    securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] } },
  }];
  const claims = tiers.filter((t) => t.medium !== 'MEM' && t.volumeType === 'PersistentVolumeClaim').map((t) => tierClaim(ctx, t));
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: ctx.metadata(n.worker, 'worker', ctx.ownedByRuntime()),
    spec: {
      replicas,
      serviceName: n.worker,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: n.selector('worker') },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
      template: {
        metadata: { labels: n.labels('worker') },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { fsGroup: EDDY_UID, fsGroupChangePolicy: 'OnRootMismatch' },
          initContainers,
          containers: [container],
          volumes: [...tiers.map((t) => tierVolume(ctx, t)).filter((v) => v !== undefined), ctx.credentialVolume('worker'), ...ctx.scrapeTokenVolumes()],
        },
      },
      volumeClaimTemplates: claims,
    },
  };
}
