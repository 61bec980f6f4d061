// The gRPC edge: servers that authenticate every call (token → role), check it against the role
// table (rpc-roles.ts) and map typed errors to gRPC status codes, and clients that send the token
// and turn statuses back into typed errors.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  EddyError, errorFromCode, PermissionDeniedError, TimeoutError, UnauthenticatedError, UnavailableError, ValidationError, type EddyErrorCode,
} from '@eddy/core';
import type { Authenticator } from './authenticator.js';
import { authorize, type Principal, type RoleTable } from './rpc-roles.js';
import { TOKEN_METADATA_KEY, type RpcSecurity } from './rpc-security.js';

/** Largest control-plane message accepted either way; larger ones are refused with RESOURCE_EXHAUSTED. */
export const MAX_RPC_MESSAGE_BYTES = 16 * 1024 * 1024;

const STATUS_BY_CODE: Record<EddyErrorCode, grpc.status> = {
  NOT_FOUND: grpc.status.NOT_FOUND,
  VERSION_MISMATCH: grpc.status.FAILED_PRECONDITION,
  ACCESS_DENIED: grpc.status.PERMISSION_DENIED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  UNREACHABLE: grpc.status.UNAVAILABLE,
  TIMEOUT: grpc.status.DEADLINE_EXCEEDED,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PROTOCOL: grpc.status.INVALID_ARGUMENT,
  NO_SPACE: grpc.status.RESOURCE_EXHAUSTED,
  CORRUPT: grpc.status.DATA_LOSS,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  ABORTED: grpc.status.CANCELLED,
  READ_ONLY: grpc.status.PERMISSION_DENIED,
  INTERNAL: grpc.status.INTERNAL,
};

const CODE_METADATA_KEY = 'x-eddy-error-code';

/** Longest status message sent: messages may quote client input, and a status travels in a header. */
export const MAX_STATUS_MESSAGE_CHARS = 2048;

export function toGrpcError(err: unknown): grpc.ServiceError {
  const e = err instanceof EddyError ? err : new EddyError('INTERNAL', err instanceof Error ? err.message : String(err));
  const md = new grpc.Metadata();
  md.set(CODE_METADATA_KEY, e.code);
  // A message quoting a 100 KB path would exceed the peer's header limit and drop the connection.
  const message = e.message.length > MAX_STATUS_MESSAGE_CHARS ? `${e.message.slice(0, MAX_STATUS_MESSAGE_CHARS)}…` : e.message;
  return Object.assign(new Error(message), { code: STATUS_BY_CODE[e.code], details: message, metadata: md }) as grpc.ServiceError;
}

export function fromGrpcError(err: grpc.ServiceError, what: string): EddyError {
  const code = err.metadata?.get(CODE_METADATA_KEY)[0];
  if (typeof code === 'string') return errorFromCode(code, err.details || err.message);
  switch (err.code) {
    case grpc.status.UNAUTHENTICATED: return new UnauthenticatedError(`${what}: ${err.details}`);
    case grpc.status.PERMISSION_DENIED: return new PermissionDeniedError(`${what}: ${err.details}`);
    case grpc.status.DEADLINE_EXCEEDED: return new TimeoutError(`${what}: deadline exceeded`);
    case grpc.status.UNAVAILABLE: return new UnavailableError(`${what}: ${err.details || 'unavailable'}`);
    case grpc.status.RESOURCE_EXHAUSTED: return errorFromCode('PROTOCOL', `${what}: ${err.details}`);
    default: return new EddyError('INTERNAL', `${what}: ${err.details || err.message}`);
  }
}

// A handler implementation: request in, response out (unary calls only). `principal` is the caller
// as authenticated, already checked against the role table.
export type UnaryHandler<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>, principal: Principal) => Promise<Res>;

/** How a server decides who may call it. */
export interface RpcGuard {
  authenticator: Authenticator;
  /** Roles per method; a method of `impl` missing from it is a programming error (wrapService throws). */
  roles: RoleTable;
}

/**
 * Wraps unary handlers: a call whose token matches no credential is refused with UNAUTHENTICATED,
 * one whose role or dataset scope the table does not allow with PERMISSION_DENIED (both logged
 * without the token); thrown errors are mapped to statuses.
 */
export function wrapService<T extends Record<string, UnaryHandler<any, any>>>(
  impl: T, guard: RpcGuard, logger: Logger,
): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(impl)) {
    if (!Object.prototype.hasOwnProperty.call(guard.roles, name)) throw new ValidationError(`no role rule for RPC method ${name}`, name);
    out[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const presented = call.metadata.get(TOKEN_METADATA_KEY)[0];
      const principal = guard.authenticator.authenticate(typeof presented === 'string' ? presented : undefined);
      if (!principal) {
        logger.warn({ method: name, peer: call.getPeer(), tokenPresent: presented !== undefined }, 'rejected call: missing or unknown credential');
        callback(toGrpcError(new UnauthenticatedError('missing or unknown token')));
        return;
      }
      try {
        authorize(guard.roles, name, principal, call.request);
      } catch (err) {
        logger.warn({ method: name, peer: call.getPeer(), role: principal.role, err }, 'refused call: not allowed for this credential');
        callback(toGrpcError(err));
        return;
      }
      handler(call.request, call, principal).then(
        (res) => callback(null, res),
        (err: unknown) => {
          if (!(err instanceof EddyError)) logger.error({ method: name, err }, 'handler failed');
          callback(toGrpcError(err));
        },
      );
    };
  }
  return out;
}

export function serverCredentials(security: RpcSecurity): grpc.ServerCredentials {
  if (!security.tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(null, [{ cert_chain: security.tls.cert, private_key: security.tls.key }], false);
}

export function channelCredentials(security: RpcSecurity): grpc.ChannelCredentials {
  if (!security.tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(security.tls.ca ?? null);
}

export const RPC_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_RPC_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_RPC_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  // grpc-js backs off reconnects up to 120 s, failing every call at once in between: a mount or
  // worker whose master restarted could keep getting UNAVAILABLE (EIO for readers) for minutes
  // after it was back. 5 s bounds that window; a master that stays down costs one connect per 5 s.
  'grpc.max_reconnect_backoff_ms': 5_000,
};

export function createRpcServer(): grpc.Server {
  return new grpc.Server(RPC_CHANNEL_OPTIONS);
}

/** Binds `server` to host:port; resolves to the bound port. */
export async function bindServer(server: grpc.Server, address: string, security: RpcSecurity): Promise<number> {
  return await new Promise((resolve, reject) => {
    server.bindAsync(address, serverCredentials(security), (err, port) => (err ? reject(new UnavailableError(`cannot listen on ${address}: ${err.message}`)) : resolve(port)));
  });
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Deadline for the call; default 15 s. */
  timeoutMs?: number;
}

type Callback<Res> = (err: grpc.ServiceError | null, res?: Res) => void;

/**
 * Calls a unary method with the token and a deadline; rejects with a typed EddyError.
 * `method` is the generated client's method bound by name, e.g. `unary(client, 'stat', req)`.
 */
export async function unary<Res>(
  client: grpc.Client, method: string, request: unknown, security: RpcSecurity, options: CallOptions = {},
): Promise<Res> {
  const md = new grpc.Metadata();
  if (security.token) md.set(TOKEN_METADATA_KEY, security.token);
  const deadline = new Date(Date.now() + (options.timeoutMs ?? 15_000));
  const fn = (client as unknown as Record<string, (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions,
    cb: Callback<Res>) => grpc.ClientUnaryCall>)[method];
  if (typeof fn !== 'function') throw new EddyError('INTERNAL', `no RPC method ${method}`);
  return await new Promise<Res>((resolve, reject) => {
    const call = fn.call(client, request, md, { deadline }, (err, res) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (err) reject(fromGrpcError(err, method));
      else resolve(res as Res);
    });
    function onAbort(): void { call.cancel(); }
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
