// Typed control-plane clients with the token, deadlines and typed errors built in.
import * as grpc from '@grpc/grpc-js';
import type { MasterClient } from '../gen/eddy/v1/Master.js';
import type { WorkerClient } from '../gen/eddy/v1/Worker.js';
import { loadMasterProto, loadWorkerProto } from './load-proto.js';
import { channelCredentials, RPC_CHANNEL_OPTIONS, unary, type CallOptions } from './grpc-edge.js';
import type { RpcSecurity } from './rpc-security.js';

// Overloaded generated methods infer from their last signature: (argument, callback).
type UnaryOf<F> = F extends (argument: infer Req, callback: grpc.requestCallback<infer Res>) => grpc.ClientUnaryCall
  ? (request: Req, options?: CallOptions) => Promise<Res>
  : never;
type Methods<C> = {
  [K in keyof C as K extends string ? (K extends Uncapitalize<K> ? (UnaryOf<C[K]> extends never ? never : K) : never) : never]: UnaryOf<C[K]>;
};

function promisify<C extends grpc.Client>(client: C, security: RpcSecurity): Methods<C> & { close(): void; raw: C } {
  return new Proxy({} as Methods<C> & { close(): void; raw: C }, {
    get(_t, prop) {
      if (prop === 'close') return () => client.close();
      if (prop === 'raw') return client;
      if (prop === 'then') return undefined;
      return (request: unknown, options?: CallOptions) => unary(client, String(prop), request, security, options);
    },
  });
}

export type MasterRpc = ReturnType<typeof createMasterClient>;
export type WorkerRpc = ReturnType<typeof createWorkerClient>;

export function createMasterClient(address: string, security: RpcSecurity) {
  const Master = loadMasterProto().eddy.v1.Master;
  const client = new Master(address, channelCredentials(security), RPC_CHANNEL_OPTIONS) as unknown as MasterClient;
  return promisify(client, security);
}

export function createWorkerClient(address: string, security: RpcSecurity) {
  const Worker = loadWorkerProto().eddy.v1.Worker;
  const client = new Worker(address, channelCredentials(security), RPC_CHANNEL_OPTIONS) as unknown as WorkerClient;
  return promisify(client, security);
}
