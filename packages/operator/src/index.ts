// The public surface of @eddy/operator: what `eddy operator` and the tests use.
export { startOperator } from './operator.js';
export type { OperatorHandle } from './operator.js';
export { resolveOperatorOptions } from './operator-options.js';
export type { OperatorOptions, ResolvedOperatorOptions } from './operator-options.js';
export { RUNTIME_KINDS, RUNTIME_TYPES } from './resources/resource-types.js';
export type { RuntimeKind } from './resources/resource-types.js';
export { DatasetNames } from './resources/dataset-names.js';
export { WorkQueue } from './kube/work-queue.js';
export { LeaderElector } from './kube/leader-election.js';
export type { LeaderElectionOptions } from './kube/leader-election.js';
