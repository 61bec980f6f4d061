// A client command's session with the master: a typed gRPC client built from the resolved
// connection, closed when the command is done, with "cannot connect" errors naming the address.
import { EddyError, UnavailableError } from '@eddy/core';
import { createMasterClient, type MasterRpc } from '@eddy/protocol/rpc';
import { resolveConnection, type ConnectionFlags } from './resolve-connection.js';

export interface MasterSession {
  rpc: MasterRpc;
  address: string;
  close(): void;
}

export function connectMaster(flags: ConnectionFlags, env: NodeJS.ProcessEnv): MasterSession {
  const c = resolveConnection(flags, env);
  // A client verifies the master with the CA; it presents no certificate of its own.
  const tls = c.ca ? { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: c.ca } : undefined;
  const rpc = createMasterClient(c.address, { token: c.token, ...(tls ? { tls } : {}) });
  let closed = false;
  return {
    rpc,
    address: c.address,
    close() {
      if (closed) return;
      closed = true;
      rpc.close();
    },
  };
}

/** Adds the master's address to "cannot connect" errors so the user knows which flag to fix. */
export function withMasterContext(err: unknown, address: string): unknown {
  if (err instanceof UnavailableError || (err instanceof EddyError && err.code === 'UNREACHABLE')) {
    // grpc-js says "No connection established. Last error: Error: connect ECONNREFUSED …
    // Resolution note: …"; the errno part is what a user can act on.
    const errno = /\b(ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET)\b/.exec(err.message)?.[1];
    const why = errno ?? err.message.replace(/\s*Resolution note:.*$/s, '').trim();
    return new UnavailableError(`cannot reach the master at ${address}: ${why} (set --master or EDDY_MASTER)`, { cause: err });
  }
  return err;
}

/** Runs `fn` with a connected master session, closing it afterwards. */
export async function withMaster<T>(flags: ConnectionFlags, env: NodeJS.ProcessEnv, fn: (session: MasterSession) => Promise<T>): Promise<T> {
  const session = connectMaster(flags, env);
  try {
    return await fn(session);
  } catch (err) {
    throw withMasterContext(err, session.address);
  } finally {
    session.close();
  }
}
