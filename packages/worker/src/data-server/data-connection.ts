// One data channel connection, server side: HELLO (version and credential) first, then one
// request at a time from a short queue, each checked against the role table (DATA_CHANNEL_ROLES).
// Until HELLO is accepted a frame may hold only MAX_HELLO_PAYLOAD bytes and the connection lives
// at most `helloTimeoutMs`, so an unauthenticated peer costs a few KiB and bounded CPU. READ streams block bytes, LOCAL pins a verified block file
// for a same-host reader until RELEASE or close, FETCH caches a whole block for such a reader.
// A peer that breaks the protocol gets ERROR (when still possible) and loses its connection.
import type { Socket } from 'node:net';
import { EddyError, ProtocolError, UnauthenticatedError, type Logger } from '@eddy/core';
import {
  authorize, CLIENT_FRAME_TYPES, DATA_CHANNEL_ROLES, DATA_CHANNEL_VERSION, FrameDecoder, FrameType, MAX_CONTROL_PAYLOAD, MAX_HELLO_PAYLOAD,
  encodeMessage, frameTypeName, parseMessage, type Authenticator, type DecodedFrame, type Principal,
} from '@eddy/protocol';
import type { BlockService, BlockRead } from '../blocks/block-service.js';
import type { BlockHandle } from '../store/block-store.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';
import { streamBlock, type BlockStreamContext } from './block-stream.js';
import { LimitExceededError } from './limit-exceeded-error.js';

export interface DataConnectionContext {
  authenticator: Authenticator;
  blocks: BlockService;
  logger: Logger;
  /** Sent in HELLO_OK. */
  hostId: string | undefined;
  helloTimeoutMs: number;
  /** Blocks one connection may hold pinned (LOCAL without RELEASE). */
  maxPins: number;
  stream: Omit<BlockStreamContext, 'sendError'>;
  /** True once the server is closing: a connection is dropped when its request ends. */
  isClosing: () => boolean;
  /** Called once, when the peer's HELLO was accepted. */
  onAuthenticated: (conn: DataConnection) => void;
  /** Called once, when the connection is gone. */
  onClosed: (conn: DataConnection) => void;
}

export class DataConnection {
  readonly #socket: Socket;
  readonly #ctx: DataConnectionContext;
  readonly #pins = new Map<number, BlockHandle>();
  readonly #abort = new AbortController();
  readonly #decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES, maxControlPayload: MAX_HELLO_PAYLOAD });
  readonly #queue: DecodedFrame[] = [];
  readonly #helloTimer: NodeJS.Timeout;
  readonly #stream: BlockStreamContext;
  #busy = false;
  /** Who said HELLO; undefined before. */
  #principal: Principal | undefined;
  #nextHandle = 1;

  constructor(socket: Socket, ctx: DataConnectionContext) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#stream = { ...ctx.stream, sendError: (err) => this.#sendError(err) };
    socket.setNoDelay(true);
    this.#helloTimer = setTimeout(() => socket.destroy(), ctx.helloTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => ctx.logger.debug({ err }, 'data channel socket error'));
    socket.on('close', () => this.#onClose());
  }

  /** A request is in progress. */
  get busy(): boolean { return this.#busy; }

  /** The peer's HELLO was accepted. */
  get authenticated(): boolean { return this.#principal !== undefined; }

  /** Blocks this connection holds pinned. */
  get pinCount(): number { return this.#pins.size; }

  /** Aborts the request in progress (if any) and drops the connection, releasing its pins. */
  destroy(): void {
    this.#abort.abort();
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let frames: DecodedFrame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      this.#reject(err instanceof EddyError ? err : new ProtocolError(String(err)));
      return;
    }
    this.#queue.push(...frames);
    if (this.#queue.length > WORKER_DEFAULTS.maxQueuedRequests) {
      this.#reject(new ProtocolError('too many requests queued on one connection'));
      return;
    }
    void this.#pump();
  }

  #onClose(): void {
    clearTimeout(this.#helloTimer);
    this.#abort.abort();
    for (const h of this.#pins.values()) h.release();
    this.#pins.clear();
    this.#ctx.onClosed(this);
  }

  /** Sends ERROR and closes: the peer broke the protocol or failed to authenticate. */
  #reject(err: EddyError): void {
    const socket = this.#socket;
    this.#ctx.logger.debug({ peer: socket.remoteAddress, err }, 'closing data channel connection');
    if (socket.writable) socket.end(encodeMessage(FrameType.ERROR, { code: err.code, message: err.message }));
    // Do not wait for the peer to read the error.
    setTimeout(() => socket.destroy(), WORKER_DEFAULTS.rejectLingerMs).unref();
    this.#queue.length = 0;
    socket.pause();
  }

  /** Answers a failed request with ERROR; the connection stays usable. */
  #sendError(err: unknown): void {
    const e = err instanceof EddyError ? err : new EddyError('INTERNAL', err instanceof Error ? err.message : String(err));
    if (!(err instanceof EddyError)) this.#ctx.logger.error({ err }, 'block read failed');
    if (!this.#socket.destroyed) this.#socket.write(encodeMessage(FrameType.ERROR, { code: e.code, message: e.message }));
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0 && !this.#socket.destroyed) {
        try {
          await this.#handleFrame(this.#queue.shift()!);
        } catch (err) {
          this.#reject(err instanceof EddyError ? err : new ProtocolError(String(err)));
          return;
        }
      }
    } finally {
      this.#busy = false;
      if (this.#ctx.isClosing()) this.#socket.destroy();
    }
  }

  async #handleFrame(f: DecodedFrame): Promise<void> {
    if (!this.#principal) {
      this.#hello(f);
      return;
    }
    switch (f.type) {
      case FrameType.READ: return await this.#read(f, this.#principal);
      case FrameType.LOCAL: return await this.#local(f, this.#principal);
      case FrameType.FETCH: return await this.#fetch(f, this.#principal);
      case FrameType.RELEASE: return this.#release(f);
      default: throw new ProtocolError(`unexpected frame type ${f.type}`);
    }
  }

  #hello(f: DecodedFrame): void {
    if (f.type !== FrameType.HELLO) throw new ProtocolError('the first frame must be HELLO');
    const hello = parseMessage(FrameType.HELLO, f.payload);
    if (hello.version !== DATA_CHANNEL_VERSION) throw new ProtocolError(`unsupported data channel version ${hello.version}`);
    const principal = this.#ctx.authenticator.authenticate(hello.token);
    if (!principal) {
      const peer = this.#socket.remoteAddress;
      this.#ctx.logger.warn({ peer, tokenPresent: hello.token !== undefined }, 'rejected data channel connection: missing or unknown credential');
      throw new UnauthenticatedError('missing or unknown token');
    }
    this.#principal = principal;
    clearTimeout(this.#helloTimer);
    this.#decoder.setMaxControlPayload(MAX_CONTROL_PAYLOAD);
    this.#ctx.onAuthenticated(this);
    const hostId = this.#ctx.hostId;
    this.#socket.write(encodeMessage(FrameType.HELLO_OK, { version: DATA_CHANNEL_VERSION, ...(hostId ? { hostId } : {}) }));
  }

  /** The role table's verdict on a request; a refusal is answered with ERROR and the connection stays. */
  #allowed(f: DecodedFrame, principal: Principal, req: unknown): boolean {
    try {
      authorize(DATA_CHANNEL_ROLES, frameTypeName(f.type), principal, req);
      return true;
    } catch (err) {
      this.#ctx.logger.warn({ peer: this.#socket.remoteAddress, role: principal.role, err }, 'refused data channel request');
      this.#sendError(err);
      return false;
    }
  }

  async #read(f: DecodedFrame, principal: Principal): Promise<void> {
    const req = parseMessage(FrameType.READ, f.payload);
    if (!this.#allowed(f, principal, req)) return;
    let read: BlockRead;
    try {
      read = await this.#ctx.blocks.read(req.ref, req.offset, req.length, { signal: this.#abort.signal });
    } catch (err) {
      this.#sendError(err);
      return;
    }
    await streamBlock(this.#socket, read, this.#stream, req.verify === true);
  }

  async #local(f: DecodedFrame, principal: Principal): Promise<void> {
    const req = parseMessage(FrameType.LOCAL, f.payload);
    if (!this.#allowed(f, principal, req)) return;
    if (this.#pins.size >= this.#ctx.maxPins) {
      // Every pin keeps a block file from eviction: a peer that never releases must not hold the tier.
      this.#sendError(new LimitExceededError(
        `pin limit reached: this connection already holds ${this.#pins.size} pinned blocks (maxPinsPerConnection); RELEASE some first`,
        'maxPinsPerConnection',
      ));
      return;
    }
    let h: BlockHandle | null;
    try {
      h = await this.#ctx.blocks.openLocal(req.ref);
    } catch (err) {
      this.#sendError(err);
      return;
    }
    if (!h) { this.#socket.write(encodeMessage(FrameType.LOCAL_MISS, {})); return; }
    if (this.#socket.destroyed) { h.release(); return; }
    const id = this.#nextHandle++;
    this.#pins.set(id, h);
    this.#socket.write(encodeMessage(FrameType.LOCAL_OK, { handle: id, path: h.path, size: h.size }));
  }

  async #fetch(f: DecodedFrame, principal: Principal): Promise<void> {
    const req = parseMessage(FrameType.FETCH, f.payload);
    if (!this.#allowed(f, principal, req)) return;
    let bytes: number;
    try {
      bytes = await this.#ctx.blocks.fetchForLocal(req.ref);
    } catch (err) {
      this.#sendError(err);
      return;
    }
    this.#socket.write(encodeMessage(FrameType.FETCH_OK, { bytes }));
  }

  #release(f: DecodedFrame): void {
    const req = parseMessage(FrameType.RELEASE, f.payload);
    this.#pins.get(req.handle)?.release();
    this.#pins.delete(req.handle);
    this.#socket.write(encodeMessage(FrameType.RELEASE_OK, {}));
  }
}
