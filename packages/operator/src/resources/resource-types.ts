// The kinds the operator reads and writes, and how each maps to the API server's paths.
import type { ResourceType } from '../kube/kube-api.js';

export const FLUID_API_VERSION = 'data.fluid.io/v1alpha1';
export const EDDY_API_VERSION = 'data.eddy.dev/v1alpha1';

export const DATASET: ResourceType = { apiVersion: FLUID_API_VERSION, kind: 'Dataset', plural: 'datasets', namespaced: true };
export const DATALOAD: ResourceType = { apiVersion: FLUID_API_VERSION, kind: 'DataLoad', plural: 'dataloads', namespaced: true };
export const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };

export type RuntimeKind = 'JindoRuntime' | 'AlluxioRuntime' | 'EddyRuntime';

/** Every runtime kind Eddy can serve; `--runtime-kinds` picks which ones an operator reconciles. */
export const RUNTIME_TYPES: Record<RuntimeKind, ResourceType> = {
  JindoRuntime: { apiVersion: FLUID_API_VERSION, kind: 'JindoRuntime', plural: 'jindoruntimes', namespaced: true },
  AlluxioRuntime: { apiVersion: FLUID_API_VERSION, kind: 'AlluxioRuntime', plural: 'alluxioruntimes', namespaced: true },
  EddyRuntime: { apiVersion: EDDY_API_VERSION, kind: 'EddyRuntime', plural: 'eddyruntimes', namespaced: true },
};
export const RUNTIME_KINDS = Object.keys(RUNTIME_TYPES) as RuntimeKind[];

/** What the operator creates, watched by label so a deleted or edited child is put back. */
export const OWNED_TYPES: ResourceType[] = [
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true },
];
export const PERSISTENT_VOLUME: ResourceType = { apiVersion: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false };
