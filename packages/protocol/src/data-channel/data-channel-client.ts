// Client side of the block data channel: a pool of persistent connections to one worker, one
// request in flight per connection, plus a dedicated connection for local (short-circuit) pins,
// whose lifetime bounds the pins it holds.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type * as proto from '../gen/eddy/v1/index-types.js';
import { crc32c } from '@node-rs/crc32';
import {
  AbortedError, CorruptBlockError, EddyError, errorFromCode, ProtocolError, TimeoutError, UnavailableError, UnreachableError,
} from '@eddy/core';
import { silentLogger } from '@eddy/core';
import { FrameDecoder, FrameType, SERVER_FRAME_TYPES, type DecodedFrame } from './frame-codec.js';
import { DATA_CHANNEL_VERSION, encodeMessage, parseMessage, type WireBlockRef } from './messages.js';
import { ExactFrameReader } from './exact-frame-reader.js';
import { parseHostPort } from '@eddy/core';

export interface DataChannelTls {
  /** CA that signed the worker's certificate. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
}

export interface DataChannelClientOptions {
  token: string;
  tls?: DataChannelTls;
  logger?: Logger;
  /** Connections kept to the worker for reads. Default 4. */
  maxConnections?: number;
  /** Connect + HELLO deadline. Default 5 s. */
  connectTimeoutMs?: number;
}

export interface ReadBlockOptions {
  signal?: AbortSignal;
  /** Deadline of the whole read. Default 30 s. */
  timeoutMs?: number;
  /** Told where the worker takes a READ's bytes from (its READ_HEADER): a tier (`cache`) or the UFS. */
  onSource?: (source: 'cache' | 'ufs') => void;
  /**
   * Ask the worker for the CRC32C of the bytes it sends and check it (CorruptBlockError on a
   * mismatch). A worker too old to send one is taken at its word (the length is still checked).
   */
  verify?: boolean;
  /**
   * Where to put the bytes: the result is `into.subarray(0, n)` instead of a new Buffer (a caller
   * that reuses its chunk buffers spares the allocation, page faults and GC of fresh memory per
   * read). It must hold `length` bytes; it is not written to once the promise has settled.
   */
  into?: Buffer;
}

export interface LocalBlock {
  /** A file holding exactly the block's bytes, verified just now; valid until `release()`. */
  path: string;
  release(): Promise<void>;
}

type FrameHandler = (frame: DecodedFrame, inPlace: boolean) => void;

const DEFAULT_TIMEOUT_MS = 30_000;

/** One authenticated connection; `request` runs one exchange at a time. */
class Connection {
  readonly socket: Socket;
  readonly ready: Promise<void>;
  hostId: string | undefined;
  closed = false;
  private handler: FrameHandler | undefined;
  /** Where DATA of the exchange in progress goes (plain TCP reads into it directly). */
  private sink: (() => Buffer | undefined) | undefined;
  private failHandler: ((err: EddyError) => void) | undefined;
  private readonly decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
  private closeError: EddyError = new UnavailableError('data channel connection closed');

  constructor(private readonly address: string, options: DataChannelClientOptions, onClose: (c: Connection) => void) {
    const { host, port } = parseHostPort(address, 'address');
    const timeoutMs = options.connectTimeoutMs ?? 5_000;
    const onFrames = (frames: Iterable<DecodedFrame>, inPlace: boolean): void => {
      for (const f of frames) {
        if (!this.handler) { this.destroy(new ProtocolError(`unsolicited frame from worker ${address}`)); return; }
        this.handler(f, inPlace);
      }
    };
    if (options.tls) {
      this.socket = tlsConnect({
        host, port, ...(options.tls.ca ? { ca: options.tls.ca } : {}), ...(options.tls.cert ? { cert: options.tls.cert } : {}),
        ...(options.tls.key ? { key: options.tls.key } : {}),
        ...(options.tls.servername ? { servername: options.tls.servername } : isIP(host) ? {} : { servername: host }),
      });
      this.socket.on('data', (chunk: Buffer) => {
        let frames: DecodedFrame[];
        try {
          frames = this.decoder.push(chunk);
        } catch (err) {
          this.destroy(err as EddyError);
          return;
        }
        onFrames(frames, false);
      });
    } else {
      // Plain TCP: DATA bytes are read by the kernel straight into the caller's result buffer.
      const reader = new ExactFrameReader({
        accept: SERVER_FRAME_TYPES,
        onFrame: (frame, inPlace) => onFrames([frame], inPlace),
        dataSink: () => this.sink?.(),
      });
      this.socket = netConnect({
        host, port,
        onread: {
          buffer: () => reader.nextBuffer(),
          callback: (n: number, buf: Uint8Array): boolean => {
            try {
              reader.onRead(n, buf as Buffer);
            } catch (err) {
              this.destroy(err instanceof EddyError ? err : new ProtocolError(String(err)));
              return false;
            }
            return true;
          },
        },
      });
    }
    this.socket.setNoDelay(true);
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeError = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET', 'EPIPE'].includes(err.code ?? '')
        ? new UnreachableError(`data channel to ${address}: ${err.code}`)
        : new UnavailableError(`data channel to ${address}: ${err.message}`);
    });
    this.socket.on('close', () => {
      this.closed = true;
      const fail = this.failHandler;
      this.handler = undefined;
      this.failHandler = undefined;
      fail?.(this.closeError);
      onClose(this);
    });
    this.ready = this.exchange(encodeMessage(FrameType.HELLO, { version: DATA_CHANNEL_VERSION, token: options.token }), (frame, done) => {
      if (frame.type !== FrameType.HELLO_OK) throw new ProtocolError(`expected HELLO_OK, got frame ${frame.type}`);
      this.hostId = parseMessage(FrameType.HELLO_OK, frame.payload).hostId;
      done(undefined);
    }, { timeoutMs });
  }

  /**
   * Sends `request` and feeds response frames to `onFrame` until it calls `done`. ERROR frames
   * reject with the typed error; a timeout or abort destroys the connection (its state is unknown).
   */
  exchange<T>(
    request: Buffer, onFrame: (frame: DecodedFrame, done: (v: T) => void, inPlace: boolean) => void,
    options: ReadBlockOptions & { sink?: () => Buffer | undefined } = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) { reject(this.closeError); return; }
      if (options.signal?.aborted) { reject(new AbortedError('data channel read aborted')); return; }
      let settled = false;
      const finish = (err: EddyError | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.handler = undefined;
        this.failHandler = undefined;
        this.sink = undefined;
        if (err) reject(err); else resolve(value as T);
      };
      const timer = setTimeout(() => {
        finish(new TimeoutError(`data channel request to ${this.address} timed out`));
        this.destroy();
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const onAbort = (): void => { finish(new AbortedError('data channel read aborted')); this.destroy(); };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.failHandler = (err) => finish(err);
      this.sink = options.sink;
      this.handler = (frame, inPlace) => {
        try {
          if (frame.type === FrameType.ERROR) {
            const e = parseMessage(FrameType.ERROR, frame.payload);
            finish(errorFromCode(e.code, e.message));
            if (e.code === 'UNAUTHENTICATED' || e.code === 'PROTOCOL') this.destroy();
            return;
          }
          onFrame(frame, (v) => finish(undefined, v), inPlace);
        } catch (err) {
          const e = err instanceof EddyError ? err : new ProtocolError(String(err));
          finish(e);
          this.destroy(e);
        }
      };
      this.socket.write(request);
    });
  }

  destroy(err?: EddyError): void {
    if (err) this.closeError = err;
    this.closed = true;
    this.socket.destroy();
  }
}

export class DataChannelClient {
  private readonly options: DataChannelClientOptions;
  private readonly logger: Logger;
  private readonly maxConnections: number;
  private readonly all = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly waiters: Array<(c: Connection | EddyError) => void> = [];
  private control: Connection | undefined;
  private controlChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(readonly address: string, options: DataChannelClientOptions) {
    parseHostPort(address, 'address');
    this.options = options;
    this.logger = options.logger ?? silentLogger();
    this.maxConnections = options.maxConnections ?? 4;
    if (!Number.isSafeInteger(this.maxConnections) || this.maxConnections < 1) throw new EddyError('INVALID_ARGUMENT', 'maxConnections must be a positive integer');
  }

  /** Reads bytes [offset, offset+length) of a block (clipped to its end); the worker reads through on a miss. */
  async readBlock(ref: proto.BlockRef | proto.BlockRef__Output, offset: number, length: number, options: ReadBlockOptions = {}): Promise<Buffer> {
    const request = encodeMessage(FrameType.READ, { ref: toWireRef(ref), offset, length, ...(options.verify ? { verify: true } : {}) });
    const into = options.into;
    if (into && into.length < length) throw new EddyError('INVALID_ARGUMENT', `readBlock: into holds ${into.length} bytes, ${length} asked`);
    return await this.onPooled(options, async (conn, deadline, replied) => {
      let out: Buffer | undefined;
      let filled = 0;
      return await conn.exchange<Buffer>(request, (frame, done, inPlace) => {
        replied();
        if (frame.type === FrameType.READ_HEADER) {
          if (out) throw new ProtocolError('second READ_HEADER');
          const h = parseMessage(FrameType.READ_HEADER, frame.payload);
          if (h.length > length) throw new ProtocolError(`worker announced ${h.length} bytes for a read of ${length}`);
          out = into ? into.subarray(0, h.length) : Buffer.allocUnsafe(h.length);
          options.onSource?.(h.source);
        } else if (frame.type === FrameType.DATA) {
          if (!out || filled + frame.payload.length > out.length) throw new ProtocolError('DATA beyond the announced length');
          if (!inPlace) frame.payload.copy(out, filled);
          filled += frame.payload.length;
        } else if (frame.type === FrameType.END) {
          if (!out || filled !== out.length) throw new ProtocolError(`END after ${filled} of ${out?.length ?? 0} bytes`);
          if (options.verify) checkCrc(out, parseMessage(FrameType.END, frame.payload).crc32c, this.address);
          done(out);
        } else {
          throw new ProtocolError(`unexpected frame ${frame.type} in a READ response`);
        }
      }, {
        ...(options.signal ? { signal: options.signal } : {}), timeoutMs: Math.max(1, deadline - Date.now()),
        sink: () => (out && filled < out.length ? out.subarray(filled) : undefined),
      });
    });
  }

  /**
   * Has the worker cache the whole block (reading it through from the UFS on a miss, sharing a
   * fetch already in flight) and answers once it is stored: a client on the worker's host then
   * reads it from the file (`openLocal`) instead of having every byte sent over the socket.
   * Resolves with the bytes read from the UFS (0 when it was cached); rejects with the typed
   * error (NO_SPACE when no tier had room, VERSION_MISMATCH, NOT_FOUND, ...).
   */
  async fetchBlock(ref: proto.BlockRef | proto.BlockRef__Output, options: ReadBlockOptions = {}): Promise<number> {
    const request = encodeMessage(FrameType.FETCH, { ref: toWireRef(ref) });
    return await this.onPooled(options, async (conn, deadline, replied) => await conn.exchange<number>(request, (frame, done) => {
      replied();
      if (frame.type !== FrameType.FETCH_OK) throw new ProtocolError(`unexpected frame ${frame.type} in a FETCH response`);
      done(parseMessage(FrameType.FETCH_OK, frame.payload).bytes);
    }, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs: Math.max(1, deadline - Date.now()) }));
  }

  /** Runs one exchange on a pooled connection; retries once on a fresh one when an idle connection turned out closed. */
  private async onPooled<T>(options: ReadBlockOptions, fn: (conn: Connection, deadline: number, replied: () => void) => Promise<T>): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    for (let attempt = 0; ; attempt++) {
      const { conn, reused } = await this.acquire(options, deadline);
      let gotFrame = false;
      try {
        const value = await fn(conn, deadline, () => { gotFrame = true; });
        this.releaseConn(conn);
        return value;
      } catch (err) {
        if (!conn.closed) this.releaseConn(conn);
        // A pooled connection the worker closed while idle fails before any reply: retry once fresh.
        if (reused && !gotFrame && conn.closed && attempt === 0 && !(err instanceof AbortedError) && !(err instanceof TimeoutError)) continue;
        throw err;
      }
    }
  }

  /**
   * Asks the worker to verify and pin its file of the block; null when it does not hold the
   * block in a file tier. The pin lasts until `release()` or until this client closes.
   */
  async openLocal(ref: proto.BlockRef | proto.BlockRef__Output, options: { signal?: AbortSignal } = {}): Promise<LocalBlock | null> {
    const request = encodeMessage(FrameType.LOCAL, { ref: toWireRef(ref) });
    const { conn, value } = await this.onControl(async (conn) => ({
      conn,
      value: await conn.exchange<{ handle: number; path: string } | null>(request, (frame, done) => {
        if (frame.type === FrameType.LOCAL_MISS) done(null);
        else if (frame.type === FrameType.LOCAL_OK) done(parseMessage(FrameType.LOCAL_OK, frame.payload));
        else throw new ProtocolError(`unexpected frame ${frame.type} in a LOCAL response`);
      }, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs: DEFAULT_TIMEOUT_MS }),
    }));
    if (!value) return null;
    let released = false;
    return {
      path: value.path,
      release: async () => {
        if (released) return;
        released = true;
        // The pin died with its connection: nothing to release.
        if (conn.closed || conn !== this.control) return;
        await this.onControl(async (c) => {
          if (c !== conn) return;
          await c.exchange(encodeMessage(FrameType.RELEASE, { handle: value.handle }), (frame, done) => {
            if (frame.type !== FrameType.RELEASE_OK) throw new ProtocolError(`unexpected frame ${frame.type} in a RELEASE response`);
            done(undefined);
          }, { timeoutMs: 5_000 });
        }).catch((err: unknown) => this.logger.debug({ err: (err as Error).message }, 'release of a local block failed; its pin ends with the connection'));
      },
    };
  }

  /** Closes every connection (ending local pins); later calls reject with UnavailableError. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(new UnavailableError('data channel client closed'));
    const conns = [...this.all, ...(this.control ? [this.control] : [])];
    await Promise.all(conns.map((c) => new Promise<void>((resolve) => {
      if (c.closed) { resolve(); return; }
      c.socket.once('close', () => resolve());
      c.destroy();
    })));
  }

  private async onControl<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const run = this.controlChain.then(async () => {
      if (this.closed) throw new UnavailableError('data channel client closed');
      if (!this.control || this.control.closed) {
        const c = new Connection(this.address, this.options, () => undefined);
        this.control = c;
        c.ready.catch(() => undefined);
      }
      await this.control.ready;
      return await fn(this.control);
    });
    this.controlChain = run.catch(() => undefined);
    return await run;
  }

  private async acquire(options: ReadBlockOptions, deadline: number): Promise<{ conn: Connection; reused: boolean }> {
    if (this.closed) throw new UnavailableError('data channel client closed');
    const idle = this.idle.pop();
    if (idle) return { conn: idle, reused: true };
    if (this.all.size < this.maxConnections) {
      const conn = new Connection(this.address, this.options, (c) => this.dropConn(c));
      this.all.add(conn);
      try {
        await conn.ready;
      } catch (err) {
        conn.destroy();
        throw err;
      }
      return { conn, reused: false };
    }
    const conn = await new Promise<Connection>((resolve, reject) => {
      const timer = setTimeout(() => { remove(); reject(new TimeoutError(`no free data channel connection to ${this.address}`)); }, Math.max(1, deadline - Date.now()));
      const onAbort = (): void => { remove(); reject(new AbortedError('data channel read aborted')); };
      const waiter = (c: Connection | EddyError): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (c instanceof Connection) resolve(c); else reject(c);
      };
      const remove = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
    return { conn, reused: true };
  }

  private releaseConn(conn: Connection): void {
    if (conn.closed) return;
    const w = this.waiters.shift();
    if (w) w(conn);
    else this.idle.push(conn);
  }

  private dropConn(conn: Connection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    // A waiter can now open a fresh connection.
    const w = this.waiters.shift();
    if (w && !this.closed) {
      const fresh = new Connection(this.address, this.options, (c) => this.dropConn(c));
      this.all.add(fresh);
      fresh.ready.then(() => w(fresh), (err: unknown) => { fresh.destroy(); w(err instanceof EddyError ? err : new UnavailableError(String(err))); });
    }
  }
}

function checkCrc(bytes: Buffer, expected: number | undefined, address: string): void {
  if (expected === undefined) return;
  const actual = crc32c(bytes);
  if (actual !== expected) throw new CorruptBlockError(`worker ${address} sent bytes whose CRC32C ${actual} is not the ${expected} it announced`);
}

function toWireRef(ref: proto.BlockRef | proto.BlockRef__Output): WireBlockRef {
  const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
  return {
    key: ref.key ?? '', dataset: ref.dataset ?? '', path: ref.path ?? '', version: ref.version ?? '',
    index: ref.index ?? 0, blockSize: n(ref.blockSize), fileSize: n(ref.fileSize),
    // A held old version is fetched by its id where the bucket keeps versions; without it the
    // worker's read-through asks for the current object and If-Match refuses it.
    ...(ref.versionId ? { versionId: ref.versionId } : {}),
  };
}
