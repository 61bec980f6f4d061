// The default worker data-channel client: DataChannelClient from @eddy/protocol, one per worker
// data address (ChannelPool keeps them).
import { DataChannelClient, type RpcSecurity } from '@eddy/protocol';
import { type Logger } from '@eddy/core';
import type { DataChannelFactory } from './read-path/sources.js';

export function createDataChannelFactory(security: RpcSecurity, logger: Logger, maxConnections: number): DataChannelFactory {
  return (address) => new DataChannelClient(address, {
    token: security.token, logger, maxConnections,
    ...(security.tls ? { tls: { ...(security.tls.ca ? { ca: security.tls.ca } : {}) } } : {}),
  });
}
