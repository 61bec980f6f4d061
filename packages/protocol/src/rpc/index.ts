// `@eddy/protocol/rpc`: the control-plane client side alone (typed clients, proto types, token
// and TLS files), without the data channel and its zod schemas, for processes that only call
// the master or a worker and should start fast (the `eddy` CLI's client commands).
export type * as proto from '../gen/eddy/v1/index-types.js';
export { createMasterClient, createWorkerClient } from './clients.js';
export type { MasterRpc, WorkerRpc } from './clients.js';
export { parseCredentials, readCredentialFile } from './credential-file.js';
export type { Credential } from './credential-file.js';
export { readTlsFiles, readTokenFile } from './rpc-security.js';
export { dataLoadStatusFromWire, dataLoadStatusToWire, datasetStatusFromWire, datasetStatusToWire } from './status-views.js';
export type {
  DataLoadConditionView, DataLoadFailedFileView, DataLoadProgressView, DataLoadRunView, DataLoadStatusView, DatasetStatusView,
} from './status-views.js';
export type { RpcSecurity } from './rpc-security.js';
