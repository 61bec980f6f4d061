// The worker side of the block data channel (protocol: packages/worker/README.md). Each
// connection authenticates with HELLO, then runs one request at a time: READ streams block bytes
// in DATA frames straight from the block file (or from the UFS on a miss) with socket
// backpressure; LOCAL pins a verified block file for a same-host reader until RELEASE or close.
// A peer that breaks the protocol loses its connection; the server keeps serving everyone else.
import { createServer as createNetServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { open } from 'node:fs/promises';
import { openSync, readSync, closeSync } from 'node:fs';
import { EddyError, ProtocolError, UnavailableError, CorruptBlockError, UnauthenticatedError, ValidationError, parseHostPort, silentLogger, type Logger } from '@eddy/core';
import { CLIENT_FRAME_TYPES, DATA_CHANNEL_VERSION, FrameDecoder, FrameType, encodeFrameHeader, encodeMessage, parseMessage, tokenMatches, type DecodedFrame, type RpcSecurity } from '@eddy/protocol';
import type { BlockService, BlockRead } from '../blocks/block-service.js';
import type { BlockHandle } from '../store/block-store.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

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
  /** Bytes per DATA frame (and per file read). Default 256 KiB. */
  dataFrameBytes?: number;
}

interface ConnState {
  socket: Socket;
  busy: boolean;
  pins: Map<number, BlockHandle>;
  abort: AbortController;
}

/**
 * Reused file-read buffers: a fresh buffer per chunk costs an allocation and page faults on
 * every chunk, which on loopback is most of the cost of serving a cached block. A buffer
 * returns here once the socket has handed its bytes to the kernel (the write callback).
 */
class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #size: number;
  readonly #max: number;
  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max;
  }

  take(): Buffer { return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#size); }
  give(buf: Buffer): void { if (this.#free.length < this.#max) this.#free.push(buf); }
}

export class DataServer {
  readonly #server: Server;
  readonly #options: DataServerOptions;
  readonly #conns = new Set<ConnState>();
  readonly #logger: Logger;
  readonly #frameBytes: number;
  readonly #pool: BufferPool;
  readonly #fileFrameBytes: number;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, options: DataServerOptions) {
    this.#server = server;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    this.#frameBytes = options.dataFrameBytes ?? WORKER_DEFAULTS.dataFrameBytes;
    if (!Number.isSafeInteger(this.#frameBytes) || this.#frameBytes < 1024 || this.#frameBytes > 4 * 1024 * 1024) {
      throw new ValidationError(`dataFrameBytes must be an integer in [1 KiB, 4 MiB], got ${this.#frameBytes}`, 'dataFrameBytes');
    }
    // A whole number of chunks, well under the client's 16 MiB DATA limit.
    this.#fileFrameBytes = this.#frameBytes * Math.max(1, Math.floor(WORKER_DEFAULTS.fileFrameTargetBytes / this.#frameBytes));
    this.#pool = new BufferPool(this.#frameBytes, WORKER_DEFAULTS.bufferPoolSize);
  }

  static async start(options: DataServerOptions): Promise<DataServer> {
    const { host, port } = parseHostPort(options.listen, 'dataListen');
    const tls = options.security.tls;
    const server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}) })
      : createNetServer({ noDelay: true });
    const ds = new DataServer(server, options);
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => ds.#handle(socket));
    server.on('tlsClientError', (err: Error) => ds.#logger.debug({ err }, 'TLS handshake failed'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: Error) => reject(new UnavailableError(`cannot listen on ${options.listen}: ${err.message}`, { cause: err })));
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
      for (const c of this.#conns) if (!c.busy) c.socket.destroy();
      const deadline = Date.now() + graceMs;
      while ([...this.#conns].some((c) => c.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const c of this.#conns) { c.abort.abort(); c.socket.destroy(); }
      await closed;
    })();
    return this.#closing;
  }

  #handle(socket: Socket): void {
    if (this.#closing) { socket.destroy(); return; }
    socket.setNoDelay(true);
    const state: ConnState = { socket, busy: false, pins: new Map(), abort: new AbortController() };
    this.#conns.add(state);
    const decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES });
    const queue: DecodedFrame[] = [];
    let authed = false;
    let nextHandle = 1;
    const helloTimer = setTimeout(() => socket.destroy(), this.#options.helloTimeoutMs ?? WORKER_DEFAULTS.helloTimeoutMs);

    const reject = (err: EddyError): void => {
      this.#logger.debug({ peer: socket.remoteAddress, err }, 'closing data channel connection');
      if (socket.writable) socket.end(encodeMessage(FrameType.ERROR, { code: err.code, message: err.message }));
      // Do not wait for the peer to read the error.
      setTimeout(() => socket.destroy(), WORKER_DEFAULTS.rejectLingerMs).unref();
      queue.length = 0;
      socket.pause();
    };

    const handleFrame = async (f: DecodedFrame): Promise<void> => {
      if (!authed) {
        if (f.type !== FrameType.HELLO) throw new ProtocolError('the first frame must be HELLO');
        const hello = parseMessage(FrameType.HELLO, f.payload);
        if (hello.version !== DATA_CHANNEL_VERSION) throw new ProtocolError(`unsupported data channel version ${hello.version}`);
        if (!tokenMatches(this.#options.security.token, hello.token)) {
          this.#logger.warn({ peer: socket.remoteAddress, tokenPresent: hello.token !== undefined }, 'rejected data channel connection: missing or wrong cluster token');
          throw new UnauthenticatedError();
        }
        authed = true;
        clearTimeout(helloTimer);
        socket.write(encodeMessage(FrameType.HELLO_OK, { version: DATA_CHANNEL_VERSION, ...(this.#options.hostId ? { hostId: this.#options.hostId } : {}) }));
        return;
      }
      switch (f.type) {
        case FrameType.READ: {
          const req = parseMessage(FrameType.READ, f.payload);
          let read: BlockRead;
          try {
            read = await this.#options.blocks.read(req.ref, req.offset, req.length, { signal: state.abort.signal });
          } catch (err) {
            this.#sendError(socket, err);
            return;
          }
          await this.#stream(socket, read);
          return;
        }
        case FrameType.LOCAL: {
          const req = parseMessage(FrameType.LOCAL, f.payload);
          let h: BlockHandle | null;
          try {
            h = await this.#options.blocks.openLocal(req.ref);
          } catch (err) {
            this.#sendError(socket, err);
            return;
          }
          if (!h) { socket.write(encodeMessage(FrameType.LOCAL_MISS, {})); return; }
          if (socket.destroyed) { h.release(); return; }
          const id = nextHandle++;
          state.pins.set(id, h);
          socket.write(encodeMessage(FrameType.LOCAL_OK, { handle: id, path: h.path, size: h.size }));
          return;
        }
        case FrameType.FETCH: {
          const req = parseMessage(FrameType.FETCH, f.payload);
          let bytes: number;
          try {
            bytes = await this.#options.blocks.fetchForLocal(req.ref);
          } catch (err) {
            this.#sendError(socket, err);
            return;
          }
          socket.write(encodeMessage(FrameType.FETCH_OK, { bytes }));
          return;
        }
        case FrameType.RELEASE: {
          const req = parseMessage(FrameType.RELEASE, f.payload);
          state.pins.get(req.handle)?.release();
          state.pins.delete(req.handle);
          socket.write(encodeMessage(FrameType.RELEASE_OK, {}));
          return;
        }
        default:
          throw new ProtocolError(`unexpected frame type ${f.type}`);
      }
    };

    const pump = async (): Promise<void> => {
      if (state.busy) return;
      state.busy = true;
      try {
        while (queue.length > 0 && !socket.destroyed) {
          try {
            await handleFrame(queue.shift()!);
          } catch (err) {
            reject(err instanceof EddyError ? err : new ProtocolError(String(err)));
            return;
          }
        }
      } finally {
        state.busy = false;
        if (this.#closing) socket.destroy();
      }
    };

    socket.on('data', (chunk: Buffer) => {
      let frames: DecodedFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        reject(err instanceof EddyError ? err : new ProtocolError(String(err)));
        return;
      }
      queue.push(...frames);
      if (queue.length > WORKER_DEFAULTS.maxQueuedRequests) { reject(new ProtocolError('too many requests queued on one connection')); return; }
      void pump();
    });
    socket.on('error', (err) => this.#logger.debug({ err }, 'data channel socket error'));
    socket.on('close', () => {
      clearTimeout(helloTimer);
      state.abort.abort();
      for (const h of state.pins.values()) h.release();
      state.pins.clear();
      this.#conns.delete(state);
    });
  }

  #sendError(socket: Socket, err: unknown): void {
    const e = err instanceof EddyError ? err : new EddyError('INTERNAL', err instanceof Error ? err.message : String(err));
    if (!(err instanceof EddyError)) this.#logger.error({ err }, 'block read failed');
    if (!socket.destroyed) socket.write(encodeMessage(FrameType.ERROR, { code: e.code, message: e.message }));
  }

  /** READ_HEADER, DATA frames with backpressure, then END (or ERROR if the source fails midway). */
  async #stream(socket: Socket, read: BlockRead): Promise<void> {
    const counters = this.#options.blocks.counters;
    socket.write(encodeMessage(FrameType.READ_HEADER, { length: read.length, source: read.kind === 'file' ? 'cache' : 'ufs' }));
    // Backpressure by a window of chunks not yet handed to the kernel (write callbacks), not by
    // 'drain': a socket's 16 KiB high-water mark would make every chunk wait for an empty queue,
    // leaving the connection idle between chunks.
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const onClose = (): void => { wake?.(); };
    socket.once('close', onClose);
    // Cached bytes go in large DATA frames of several chunks (fewer headers, and the client reads
    // them in large pieces); read-through bytes one frame per chunk, so an ERROR can follow any
    // chunk. `owed` = bytes of the current large frame not written yet: an error then can only
    // be signalled by closing the connection.
    let owed = 0;
    const send = async (buf: Buffer, pooled?: Buffer, frameLength?: number): Promise<void> => {
      if (socket.destroyed) {
        if (pooled) this.#pool.give(pooled);
        throw new UnavailableError('client went away');
      }
      inFlight++;
      socket.cork();
      if (frameLength === undefined) {
        socket.write(encodeFrameHeader(FrameType.DATA, buf.length));
      } else {
        if (owed === 0) {
          owed = frameLength;
          socket.write(encodeFrameHeader(FrameType.DATA, owed));
        }
        owed -= buf.length;
      }
      socket.write(buf, () => {
        inFlight--;
        if (pooled) this.#pool.give(pooled);
        const w = wake;
        wake = undefined;
        w?.();
      });
      socket.uncork();
      counters.bytesServed += buf.length;
      while (inFlight >= WORKER_DEFAULTS.writeWindowChunks && !socket.destroyed) await new Promise<void>((resolve) => { wake = resolve; });
    };
    try {
      if (read.kind === 'file' && read.handle.medium === 'MEM') {
        // tmpfs never waits on a device: reading inline is a memory copy, and skipping the
        // thread-pool round trip per chunk is worth more than the overlap it would buy.
        const fd = openSync(read.handle.path, 'r');
        try {
          let pos = read.offset;
          let left = read.length;
          while (left > 0) {
            const pooled = this.#pool.take();
            let bytesRead: number;
            try {
              bytesRead = readSync(fd, pooled, 0, Math.min(this.#frameBytes, left), pos);
            } catch (err) {
              this.#pool.give(pooled);
              throw err;
            }
            if (bytesRead !== Math.min(this.#frameBytes, left)) { this.#pool.give(pooled); throw new CorruptBlockError(`block ${read.ref.key} file is shorter than expected`); }
            const frameLength = Math.min(left, this.#fileFrameBytes);
            pos += bytesRead;
            left -= bytesRead;
            await send(pooled.subarray(0, bytesRead), pooled, frameLength);
          }
        } finally {
          closeSync(fd);
        }
      } else if (read.kind === 'file') {
        const fh = await open(read.handle.path, 'r');
        // The next chunk is read from the file while the current one drains to the socket.
        const readAt = async (pos: number, n: number): Promise<{ pooled: Buffer; bytes: Buffer }> => {
          const pooled = this.#pool.take();
          try {
            const { bytesRead } = await fh.read(pooled, 0, n, pos);
            if (bytesRead !== n) throw new CorruptBlockError(`block ${read.ref.key} file is shorter than expected`);
            return { pooled, bytes: pooled.subarray(0, bytesRead) };
          } catch (err) {
            this.#pool.give(pooled);
            throw err;
          }
        };
        let pending: Promise<{ pooled: Buffer; bytes: Buffer }> | undefined;
        try {
          let pos = read.offset;
          let left = read.length;
          if (left > 0) pending = readAt(pos, Math.min(this.#frameBytes, left));
          while (pending) {
            const { pooled, bytes } = await pending;
            pending = undefined;
            const frameLength = Math.min(left, this.#fileFrameBytes);
            pos += bytes.length;
            left -= bytes.length;
            if (left > 0) pending = readAt(pos, Math.min(this.#frameBytes, left));
            await send(bytes, pooled, frameLength);
          }
        } finally {
          await pending?.then((p) => this.#pool.give(p.pooled), () => undefined);
          await fh.close();
        }
      } else {
        for await (const chunk of read.chunks) {
          for (let off = 0; off < chunk.length; off += this.#frameBytes) await send(chunk.subarray(off, off + this.#frameBytes));
        }
      }
      if (!socket.destroyed) socket.write(encodeMessage(FrameType.END, {}));
    } catch (err) {
      if (socket.destroyed) return;
      if (owed > 0) {
        this.#logger.warn({ key: read.ref.key, err }, 'cached block read failed mid-frame; closing the connection');
        socket.destroy();
        return;
      }
      this.#sendError(socket, err);
    } finally {
      socket.off('close', onClose);
      if (read.kind === 'file') read.handle.release();
    }
  }
}
