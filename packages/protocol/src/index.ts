// The public surface of @eddy/protocol: what other packages use, nothing more.
export { DataChannelClient } from './data-channel/data-channel-client.js';
export {
  CLIENT_FRAME_TYPES, encodeFrame, encodeFrameHeader, FrameDecoder, FrameType, frameTypeName, MAX_CONTROL_PAYLOAD, MAX_HELLO_PAYLOAD, SERVER_FRAME_TYPES,
} from './data-channel/frame-codec.js';
export type { DecodedFrame } from './data-channel/frame-codec.js';
export { DATA_CHANNEL_VERSION, encodeMessage, parseMessage } from './data-channel/messages.js';
export type * as proto from './gen/eddy/v1/index-types.js';
export { createMasterClient, createWorkerClient } from './rpc/clients.js';
export type { MasterRpc, WorkerRpc } from './rpc/clients.js';
export { Authenticator } from './rpc/authenticator.js';
export type { RoleCredentials, Verifier } from './rpc/authenticator.js';
export { parseCredentials, readCredentialFile } from './rpc/credential-file.js';
export type { Credential } from './rpc/credential-file.js';
export { bindServer, createRpcServer, MAX_RPC_MESSAGE_BYTES, wrapService } from './rpc/grpc-edge.js';
export type { RpcGuard, UnaryHandler } from './rpc/grpc-edge.js';
export { authorize, DATA_CHANNEL_ROLES, MASTER_RPC_ROLES, ROLES, visibleTo, WORKER_RPC_ROLES } from './rpc/rpc-roles.js';
export type { MethodRule, Principal, Role, RoleTable } from './rpc/rpc-roles.js';
export { loadEddyProto } from './rpc/load-proto.js';
export { warmMessageCodecs } from './rpc/warm-codecs.js';
export { readTlsFiles, readTokenFile, TOKEN_METADATA_KEY, tokenMatches } from './rpc/rpc-security.js';
export type { RpcSecurity } from './rpc/rpc-security.js';
export { dataLoadStatusFromWire, dataLoadStatusToWire, datasetStatusFromWire, datasetStatusToWire } from './rpc/status-views.js';
export type {
  DataLoadConditionView, DataLoadFailedFileView, DataLoadProgressView, DataLoadRunView, DataLoadStatusView, DatasetStatusView,
} from './rpc/status-views.js';
