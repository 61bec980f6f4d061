// The FUSE client of one Dataset on every eligible node: a privileged DaemonSet (it needs /dev/fuse
// and mount(2)) that mounts the dataset under a per-dataset host directory with Bidirectional mount
// propagation, so the mount made inside the container is visible on the node, where the Dataset's
// hostPath PV (and so every application Pod's `claimName: <dataset>`) finds it. It holds only the
// client credential scoped to this dataset: every application node has it.
import type { KubeObject } from '../kube/kube-api.js';
import { METRICS_PORTS } from '../resources/dataset-names.js';
import { RenderContext } from './render-context.js';

/** `-okernel_cache` → `kernel_cache`, as `eddy mount -o` takes it. */
export function fuseOption(arg: string): string {
  return arg.replace(/^-o/, '');
}

export function fuseDaemonSet(ctx: RenderContext, fuseArgs: readonly string[], nodeSelector: Record<string, string>): KubeObject {
  const n = ctx.names;
  const mountPath = n.hostMountPath;
  // Application Pods run as any user: let them through the mount (the client still serves reads only).
  const options = [...fuseArgs.map(fuseOption), 'allow_other'];
  const args = ['mount', '--master', n.masterAddress, '--dataset', n.name, '--token-file', ctx.tokenFile('client'),
    ...ctx.metricsArgs(METRICS_PORTS.fuse), ...options.flatMap((o) => ['-o', o]), mountPath];
  const container = ctx.container('fuse', args, {
    ports: [ctx.metricsPort(METRICS_PORTS.fuse)],
    volumeMounts: [
      { name: 'dev-fuse', mountPath: '/dev/fuse' },
      { name: 'mount-root', mountPath: n.hostMountRoot, mountPropagation: 'Bidirectional' },
      ctx.credentialMount('client'),
      ...ctx.scrapeTokenMounts(),
    ],
    lifecycle: {
      // Leave no dead mount on the node when the Pod goes (the client also unmounts on SIGTERM).
      preStop: { exec: { command: ['sh', '-c', `fusermount -uz ${mountPath} || umount -l ${mountPath} || true`] } },
    },
    resources: { requests: { cpu: '100m', memory: '128Mi' } },
    securityContext: { privileged: true, runAsUser: 0 },
  });
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: ctx.metadata(n.fuse, 'fuse', ctx.ownedByRuntime()),
    spec: {
      selector: { matchLabels: n.selector('fuse') },
      // A rolling update would pull the mount from under running applications: new specs wait for a Pod restart.
      updateStrategy: { type: 'OnDelete' },
      template: {
        metadata: { labels: n.labels('fuse') },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
          terminationGracePeriodSeconds: 30,
          containers: [container],
          volumes: [
            { name: 'dev-fuse', hostPath: { path: '/dev/fuse', type: 'CharDevice' } },
            { name: 'mount-root', hostPath: { path: n.hostMountRoot, type: 'DirectoryOrCreate' } },
            ctx.credentialVolume('client'),
            ...ctx.scrapeTokenVolumes(),
          ],
        },
      },
    },
  };
}
