// The PV + PVC named after the Dataset, so an application Pod mounts it with `claimName: <dataset>`
// as under Fluid. The PV is a hostPath of the node's FUSE mount (made by the FUSE DaemonSet), with a
// nodeAffinity matching the DaemonSet's nodeSelector so Pods land where the mount exists. A CSI
// driver would do better (mount on demand per Pod, no privileged DaemonSet on idle nodes): README.
import type { KubeObject } from '../kube/kube-api.js';
import { RenderContext } from './render-context.js';

/** PVs bind statically by name; this class name keeps default provisioners away from the claim. */
export const STORAGE_CLASS = 'eddy-dataset';
/** Nominal: a PV needs a capacity, and the dataset's real size is in its status. */
const CAPACITY = '100Pi';

export function datasetVolume(ctx: RenderContext, accessMode: string, nodeSelector: Record<string, string>): KubeObject {
  const n = ctx.names;
  const terms = Object.entries(nodeSelector).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    // Cluster-scoped: it cannot be owned by the namespaced Dataset, so the Dataset's finalizer removes it.
    metadata: { name: n.volume, labels: n.labels('volume') },
    spec: {
      capacity: { storage: CAPACITY },
      accessModes: [accessMode],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: STORAGE_CLASS,
      volumeMode: 'Filesystem',
      hostPath: { path: n.hostMountPath, type: 'Directory' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: n.namespace, name: n.claim },
      ...(terms.length > 0 ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: terms }] } } } : {}),
    },
  };
}

export function datasetClaim(ctx: RenderContext, accessMode: string): KubeObject {
  const n = ctx.names;
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: ctx.metadata(n.claim, 'volume', ctx.ownedByDataset()),
    spec: {
      accessModes: [accessMode],
      storageClassName: STORAGE_CLASS,
      volumeName: n.volume,
      resources: { requests: { storage: CAPACITY } },
    },
  };
}
