// The default worker data-channel client: DataChannelClient from @eddy/common (the worker's data
// channel), one per worker data address (ChannelPool keeps them).
import * as common from '@eddy/common';
import type { Logger, RpcSecurity } from '@eddy/common';
import type { DataChannel, DataChannelFactory } from './read-path/sources.js';

type DataChannelCtor = new (address: string, options: { token: string; tls?: RpcSecurity['tls']; logger?: Logger; maxConnections?: number }) => DataChannel;

export function createDataChannelFactory(security: RpcSecurity, logger: Logger): DataChannelFactory {
  return (address) => {
    // Looked up at use so the client loads even where the data channel is not built in.
    const Ctor = (common as unknown as { DataChannelClient?: DataChannelCtor }).DataChannelClient;
    if (!Ctor) throw new common.UnavailableError('no data-channel client available');
    return new Ctor(address, { token: security.token, ...(security.tls ? { tls: security.tls } : {}), logger, maxConnections: 4 });
  };
}
