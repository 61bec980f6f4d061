// The master of one Dataset: a StatefulSet of one replica whose journal (manifests, Secrets, DataLoad
// history, dataset status) lives on a PVC, and a headless Service workers, FUSE clients and the
// operator reach it through. DataLoads (Once and Cron) run in here, not as Jobs.
import type { KubeObject } from '../kube/kube-api.js';
import { MASTER_PORT, METRICS_PORTS } from '../resources/dataset-names.js';
import { CREDENTIAL_ROLES, EDDY_UID, RenderContext } from './render-context.js';

export const JOURNAL_DIR = '/var/lib/eddy/journal';

export function masterService(ctx: RenderContext): KubeObject {
  const n = ctx.names;
  // Workers and clients must find the master while it starts (they retry); readiness is not a gate.
  return ctx.headlessService(n.master, 'master', n.selector('master'), [{ name: 'grpc', port: MASTER_PORT, targetPort: 'grpc', protocol: 'TCP' }],
    { publishNotReadyAddresses: true });
}

export function masterStatefulSet(ctx: RenderContext): KubeObject {
  const n = ctx.names;
  // The master checks every role, so it alone holds all three credentials.
  const args = ['master', '--listen', `0.0.0.0:${MASTER_PORT}`, '--data-dir', JOURNAL_DIR,
    ...CREDENTIAL_ROLES.flatMap((role) => [`--${role}-token-file`, ctx.tokenFile(role)]), ...ctx.metricsArgs(METRICS_PORTS.master)];
  const container = ctx.container('master', args, {
    ports: [{ name: 'grpc', containerPort: MASTER_PORT, protocol: 'TCP' }, ctx.metricsPort(METRICS_PORTS.master)],
    volumeMounts: [{ name: 'journal', mountPath: JOURNAL_DIR }, ...CREDENTIAL_ROLES.map((r) => ctx.credentialMount(r)), ...ctx.scrapeTokenMounts()],
    readinessProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 5 },
    livenessProbe: { tcpSocket: { port: 'grpc' }, periodSeconds: 10, failureThreshold: 6 },
    resources: { requests: { cpu: '100m', memory: '256Mi' } },
    securityContext: RenderContext.restricted(),
  });
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: ctx.metadata(n.master, 'master', ctx.ownedByRuntime()),
    spec: {
      replicas: 1,
      serviceName: n.master,
      selector: { matchLabels: n.selector('master') },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      template: {
        metadata: { labels: n.labels('master') },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { fsGroup: EDDY_UID },
          containers: [container],
          volumes: [...CREDENTIAL_ROLES.map((r) => ctx.credentialVolume(r)), ...ctx.scrapeTokenVolumes()],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'journal', labels: n.labels('master') },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: ctx.options.journalSize } },
          ...(ctx.options.storageClassName ? { storageClassName: ctx.options.storageClassName } : {}),
        },
      }],
    },
  };
}
