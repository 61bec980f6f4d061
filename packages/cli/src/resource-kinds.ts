// The resource names `eddy get|describe|delete` accept, and how each maps to the master's
// kinds and to kubectl-style `resource.group/name` labels.
import { UsageError } from './usage-error.js';

export type ResourceName = 'dataset' | 'runtime' | 'dataload' | 'worker' | 'secret';

const ALIASES: Record<string, ResourceName> = {
  dataset: 'dataset', datasets: 'dataset', ds: 'dataset',
  runtime: 'runtime', runtimes: 'runtime', jindoruntime: 'runtime', jindoruntimes: 'runtime', alluxioruntime: 'runtime', alluxioruntimes: 'runtime',
  dataload: 'dataload', dataloads: 'dataload',
  worker: 'worker', workers: 'worker',
  secret: 'secret', secrets: 'secret',
};

export function parseResourceName<R extends ResourceName>(text: string, allowed: readonly R[]): R {
  const r = ALIASES[text.toLowerCase()];
  if (!r || !(allowed as readonly ResourceName[]).includes(r)) throw new UsageError(`unknown resource type "${text}"; use one of: ${allowed.join(', ')}`);
  return r as R;
}

/** The `kind` sent in Get/Delete requests. Runtime covers JindoRuntime and AlluxioRuntime. */
export const MASTER_KIND: Record<Exclude<ResourceName, 'worker'>, string> = {
  dataset: 'Dataset',
  runtime: 'Runtime',
  dataload: 'DataLoad',
  secret: 'Secret',
};

/** `Dataset` → `dataset.data.fluid.io`, `Secret` → `secret` (kubectl's apply/delete output). */
export function resourceLabel(kind: string): string {
  return kind === 'Secret' ? 'secret' : `${kind.toLowerCase()}.data.fluid.io`;
}
