import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEddyProto } from '../src/rpc/load-proto.js';
import { createRpcServer, bindServer, wrapService } from '../src/rpc/grpc-edge.js';
import { Authenticator } from '../src/rpc/authenticator.js';
import { WORKER_RPC_ROLES } from '../src/rpc/rpc-roles.js';
import { createWorkerClient } from '../src/rpc/clients.js';
import { silentLogger, NotFoundError, UnauthenticatedError } from '@eddy/core';
import type * as proto from '../src/gen/eddy/v1/index-types.js';

test('gRPC edge: token required, typed errors cross the wire', async () => {
  const { worker } = loadEddyProto();
  const server = createRpcServer();
  const security = { token: 'right-token' };
  server.addService(worker.eddy.v1.Worker.service, wrapService({
    getStats: async (): Promise<proto.GetStatsResponse> => ({ blockCount: 7, tiers: [{ medium: 'MEM', quotaBytes: 1024 }] }),
    freeBlocks: async (req: proto.FreeBlocksRequest__Output): Promise<proto.FreeBlocksResponse> => {
      throw new NotFoundError(`no block ${req.keys[0]}`);
    },
    loadBlocks: async () => ({ results: [] }),
  }, { authenticator: Authenticator.fromCredentials({ admin: [{ token: security.token }] }), roles: WORKER_RPC_ROLES }, silentLogger()));
  const port = await bindServer(server, '127.0.0.1:0', security);
  const good = createWorkerClient(`127.0.0.1:${port}`, security);
  const none = createWorkerClient(`127.0.0.1:${port}`, { token: '' });
  const wrong = createWorkerClient(`127.0.0.1:${port}`, { token: 'wrong' });
  try {
    const stats = await good.getStats({});
    assert.equal(stats.blockCount, 7);
    assert.equal(stats.tiers[0]?.quotaBytes, 1024);
    await assert.rejects(good.freeBlocks({ keys: ['k1'] }), (e: unknown) => e instanceof NotFoundError && /no block k1/.test(e.message));
    await assert.rejects(none.getStats({}), UnauthenticatedError);
    await assert.rejects(wrong.getStats({}), UnauthenticatedError);
  } finally {
    good.close(); none.close(); wrong.close();
    server.forceShutdown();
  }
});
