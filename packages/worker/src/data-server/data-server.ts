// The worker side of the block data channel (protocol: packages/worker/README.md): listens (TCP,
// or TLS with a certificate), hands each connection to a DataConnection, and closes gracefully.
// Each connection authenticates with HELLO, then runs one request at a time: READ streams block
// bytes in DATA frames straight from the block file (or from the UFS on a miss) with socket
// backpressure; LOCAL pins a verified block file for a same-host reader until RELEASE or close.
// A peer that breaks the protocol loses its connection; the server keeps serving everyone else.
// Caps bound what peers can hold: connections, connections not yet authenticated, pins per
// connection (WORKER_DEFAULTS); a connection past a cap gets ERROR (UNAVAILABLE) and is closed.
import { createServer as createNetServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { BufferPool, UnavailableError, ValidationError, parseHostPort, silentLogger, type Logger } from '@eddy/core';
import { Authenticator, FrameType, encodeMessage, type RpcSecurity } from '@eddy/protocol';
import type { BlockService } from '../blocks/block-service.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { DataConnection, type DataConnectionContext } from './data-connection.js';

export interface DataServerOptions {
  /** host:port to listen on (port 0 = any free port). */
  listen: string;
  /** TLS of the listener; `token` is the worker's own credential when `authenticator` is not given. */
  security: RpcSecurity;
  /** Who may connect (the worker's token plus the verifiers learned from the master); default: `security.token` only. */
  authenticator?: Authenticator;
  blocks: BlockService;
  logger?: Logger;
  /** Sent to clients so they can tell whether they share this host's filesystem. */
  hostId?: string;
  /** A connection that has not said HELLO within this time is closed. Default 10 s. */
  helloTimeoutMs?: number;
  /** Bytes per DATA frame (and per file read), 1 KiB to 4 MiB. Default 256 KiB. */
  dataFrameBytes?: number;
  /** Connections at once; more are refused. Default 1024. */
  maxConnections?: number;
  /** Connections that have not said HELLO yet; more are refused. Default 64. */
  maxUnauthenticated?: number;
  /** Blocks one connection may hold pinned. Default 128. */
  maxPinsPerConnection?: number;
}

/** Connections refused at accept, by the cap that refused them. */
export interface RefusedConnections { connections: number; unauthenticated: number }

/** How often close() looks whether the requests in progress have finished. */
const CLOSE_POLL_MS = 20;

export class DataServer {
  readonly #server: Server;
  readonly #conns = new Set<DataConnection>();
  readonly #logger: Logger;
  readonly #connContext: DataConnectionContext;
  readonly #maxConnections: number;
  readonly #maxUnauthenticated: number;
  #unauthenticated = 0;
  readonly refused: RefusedConnections = { connections: 0, unauthenticated: 0 };
  #closing: Promise<void> | undefined;

  private constructor(server: Server, options: DataServerOptions) {
    this.#server = server;
    this.#logger = options.logger ?? silentLogger();
    const frameBytes = options.dataFrameBytes ?? WORKER_DEFAULTS.dataFrameBytes;
    if (!Number.isSafeInteger(frameBytes) || frameBytes < 1024 || frameBytes > 4 * 1024 * 1024) {
      throw new ValidationError(`dataFrameBytes must be an integer in [1 KiB, 4 MiB], got ${frameBytes}`, 'dataFrameBytes');
    }
    this.#maxConnections = capOption(options.maxConnections, WORKER_DEFAULTS.maxDataConnections, 'maxConnections');
    this.#maxUnauthenticated = capOption(options.maxUnauthenticated, WORKER_DEFAULTS.maxUnauthenticatedConnections, 'maxUnauthenticated');
    this.#connContext = {
      authenticator: options.authenticator ?? Authenticator.fromCredentials({ worker: options.security.token ? [{ token: options.security.token }] : [] }),
      blocks: options.blocks,
      logger: this.#logger,
      hostId: options.hostId,
      helloTimeoutMs: options.helloTimeoutMs ?? WORKER_DEFAULTS.helloTimeoutMs,
      maxPins: capOption(options.maxPinsPerConnection, WORKER_DEFAULTS.maxPinsPerConnection, 'maxPinsPerConnection'),
      stream: {
        pool: new BufferPool(frameBytes, WORKER_DEFAULTS.bufferPoolSize),
        frameBytes,
        // A whole number of chunks, well under the client's 16 MiB DATA limit.
        fileFrameBytes: frameBytes * Math.max(1, Math.floor(WORKER_DEFAULTS.fileFrameTargetBytes / frameBytes)),
        counters: options.blocks.counters,
        logger: this.#logger,
      },
      isClosing: () => this.#closing !== undefined,
      onAuthenticated: () => { this.#unauthenticated--; },
      onClosed: (conn) => {
        if (this.#conns.delete(conn) && !conn.authenticated) this.#unauthenticated--;
      },
    };
  }

  static async start(options: DataServerOptions): Promise<DataServer> {
    const { host, port } = parseHostPort(options.listen, 'dataListen');
    const tls = options.security.tls;
    const server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}) })
      : createNetServer({ noDelay: true });
    const ds = new DataServer(server, options);
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => ds.#accept(socket));
    server.on('tlsClientError', (err: Error) => ds.#logger.debug({ err }, 'TLS handshake failed'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: Error) => {
        reject(new UnavailableError(`cannot listen on ${options.listen}: ${err.message}`, { cause: err }));
      });
      server.listen(port, host, () => resolve());
    });
    return ds;
  }

  get port(): number { return (this.#server.address() as AddressInfo).port; }
  get connectionCount(): number { return this.#conns.size; }
  /** Connections that have not authenticated yet. */
  get unauthenticatedCount(): number { return this.#unauthenticated; }

  /**
   * Stops accepting connections, lets requests in progress finish for up to `graceMs`, then
   * closes every connection (releasing local pins). Idempotent.
   */
  close(graceMs: number = WORKER_DEFAULTS.closeGraceMs): Promise<void> {
    this.#closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      for (const c of this.#conns) if (!c.busy) c.destroy();
      const deadline = Date.now() + graceMs;
      while ([...this.#conns].some((c) => c.busy) && Date.now() < deadline) await sleep(CLOSE_POLL_MS);
      for (const c of this.#conns) c.destroy();
      await closed;
    })();
    return this.#closing;
  }

  #accept(socket: Socket): void {
    if (this.#closing) { socket.destroy(); return; }
    if (this.#conns.size >= this.#maxConnections) {
      this.refused.connections++;
      this.#refuse(socket, `too many data channel connections (maxDataConnections ${this.#maxConnections})`);
      return;
    }
    if (this.#unauthenticated >= this.#maxUnauthenticated) {
      this.refused.unauthenticated++;
      this.#refuse(socket, `too many connections waiting to authenticate (maxUnauthenticatedConnections ${this.#maxUnauthenticated})`);
      return;
    }
    this.#unauthenticated++;
    this.#conns.add(new DataConnection(socket, this.#connContext));
  }

  /** Tells a peer past a cap why (typed, UNAVAILABLE) and closes; it never gets a DataConnection. */
  #refuse(socket: Socket, message: string): void {
    this.#logger.debug({ peer: socket.remoteAddress, reason: message }, 'refused data channel connection');
    socket.on('error', () => undefined);
    socket.end(encodeMessage(FrameType.ERROR, { code: 'UNAVAILABLE', message }));
    setTimeout(() => socket.destroy(), WORKER_DEFAULTS.rejectLingerMs).unref();
  }
}

function capOption(value: number | undefined, dflt: number, field: string): number {
  const v = value ?? dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new ValidationError(`${field} must be a positive integer, got ${v}`, field);
  return v;
}
