import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTlsFixture } from '@eddy/testkit';
import { loadEddyProto } from '../src/rpc/load-proto.js';
import { createRpcServer, bindServer, wrapService } from '../src/rpc/grpc-edge.js';
import { Authenticator } from '../src/rpc/authenticator.js';
import { WORKER_RPC_ROLES } from '../src/rpc/rpc-roles.js';
import { createWorkerClient } from '../src/rpc/clients.js';
import { silentLogger, UnauthenticatedError, EddyError } from '@eddy/core';

test('gRPC over TLS with a self-signed CA: right token works, wrong token and plaintext fail', async () => {
  const tls = createTlsFixture();
  const { worker } = loadEddyProto();
  const server = createRpcServer();
  const security = { token: 'tls-token', tls: { cert: tls.cert, key: tls.key, ca: tls.ca } };
  server.addService(worker.eddy.v1.Worker.service, wrapService({
    getStats: async () => ({ blockCount: 3 }),
    freeBlocks: async () => ({ freed: 0 }),
    loadBlocks: async () => ({ results: [] }),
  }, { authenticator: Authenticator.fromCredentials({ admin: [{ token: security.token }] }), roles: WORKER_RPC_ROLES }, silentLogger()));
  const port = await bindServer(server, '127.0.0.1:0', security);
  const good = createWorkerClient(`localhost:${port}`, security);
  const wrong = createWorkerClient(`localhost:${port}`, { ...security, token: 'nope' });
  const plain = createWorkerClient(`localhost:${port}`, { token: 'tls-token' });
  try {
    assert.equal((await good.getStats({})).blockCount, 3);
    await assert.rejects(wrong.getStats({}), UnauthenticatedError);
    await assert.rejects(plain.getStats({}, { timeoutMs: 3000 }), (e: unknown) => e instanceof EddyError && !(e instanceof UnauthenticatedError));
  } finally {
    good.close(); wrong.close(); plain.close();
    server.forceShutdown();
    tls.cleanup();
  }
});
