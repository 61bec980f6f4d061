// The worker side of the block data channel (protocol: packages/worker/README.md): listens (TCP,
// or TLS with a certificate), hands each connection to a DataConnection, and closes gracefully.
// Each connection authenticates with HELLO, then runs one request at a time: READ streams block
// bytes in DATA frames straight from the block file (or from the UFS on a miss) with socket
// backpressure; LOCAL pins a verified block file for a same-host reader until RELEASE or close.
// A peer that breaks the protocol loses its connection; the server keeps serving everyone else.
import { createServer as createNetServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError, ValidationError, parseHostPort, silentLogger, type Logger } from '@eddy/core';
import type { RpcSecurity } from '@eddy/protocol';
import type { BlockService } from '../blocks/block-service.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { BufferPool } from './buffer-pool.js';
import { DataConnection, type DataConnectionContext } from './data-connection.js';

export interface DataServerOptions {
  /** host:port to listen on (port 0 = any free port). */
  listen: string;
  security: RpcSecurity;
  blocks: BlockService;
  logger?: Logger;
  /** Sent to clients so they can tell whether they share this host's filesystem. */
  hostId?: string;
  /** A connection that has not said HELLO within this time is closed. Default 10 s. */
  helloTimeoutMs?: number;
  /** Bytes per DATA frame (and per file read), 1 KiB to 4 MiB. Default 256 KiB. */
  dataFrameBytes?: number;
}

/** How often close() looks whether the requests in progress have finished. */
const CLOSE_POLL_MS = 20;

export class DataServer {
  readonly #server: Server;
  readonly #conns = new Set<DataConnection>();
  readonly #logger: Logger;
  readonly #connContext: DataConnectionContext;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, options: DataServerOptions) {
    this.#server = server;
    this.#logger = options.logger ?? silentLogger();
    const frameBytes = options.dataFrameBytes ?? WORKER_DEFAULTS.dataFrameBytes;
    if (!Number.isSafeInteger(frameBytes) || frameBytes < 1024 || frameBytes > 4 * 1024 * 1024) {
      throw new ValidationError(`dataFrameBytes must be an integer in [1 KiB, 4 MiB], got ${frameBytes}`, 'dataFrameBytes');
    }
    this.#connContext = {
      security: options.security,
      blocks: options.blocks,
      logger: this.#logger,
      hostId: options.hostId,
      helloTimeoutMs: options.helloTimeoutMs ?? WORKER_DEFAULTS.helloTimeoutMs,
      stream: {
        pool: new BufferPool(frameBytes, WORKER_DEFAULTS.bufferPoolSize),
        frameBytes,
        // A whole number of chunks, well under the client's 16 MiB DATA limit.
        fileFrameBytes: frameBytes * Math.max(1, Math.floor(WORKER_DEFAULTS.fileFrameTargetBytes / frameBytes)),
        counters: options.blocks.counters,
        logger: this.#logger,
      },
      isClosing: () => this.#closing !== undefined,
      onClosed: (conn) => { this.#conns.delete(conn); },
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
    this.#conns.add(new DataConnection(socket, this.#connContext));
  }
}
