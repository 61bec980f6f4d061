export * from './load-proto.js';
export * from './rpc-security.js';
export * from './grpc-edge.js';
export * from './clients.js';
