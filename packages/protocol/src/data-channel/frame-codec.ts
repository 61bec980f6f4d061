// The data channel's wire framing: every frame is a 4-byte big-endian payload length, a 1-byte
// type and the payload. Control frames carry small JSON documents; DATA frames carry block bytes
// and are handed out in pieces as they arrive, so a reader never waits for (or buffers) a whole
// frame of bytes. The decoder is pure (bytes in, frames out, ProtocolError on bad input) so it can
// be fuzzed in isolation.
import { ProtocolError } from '@eddy/core';

export const FRAME_HEADER_BYTES = 5;

export const FrameType = {
  HELLO: 1,
  HELLO_OK: 2,
  READ: 3,
  READ_HEADER: 4,
  DATA: 5,
  END: 6,
  ERROR: 7,
  LOCAL: 8,
  LOCAL_OK: 9,
  LOCAL_MISS: 10,
  RELEASE: 11,
  RELEASE_OK: 12,
  FETCH: 13,
  FETCH_OK: 14,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const NAMES = new Map<number, string>(Object.entries(FrameType).map(([k, v]) => [v, k]));
export function frameTypeName(t: number): string { return NAMES.get(t) ?? `unknown(${t})`; }

/** Frames a client may send to a worker. */
export const CLIENT_FRAME_TYPES: ReadonlySet<FrameType> = new Set([FrameType.HELLO, FrameType.READ, FrameType.LOCAL, FrameType.RELEASE, FrameType.FETCH]);
/** Frames a worker may send to a client. */
export const SERVER_FRAME_TYPES: ReadonlySet<FrameType> = new Set([
  FrameType.HELLO_OK, FrameType.READ_HEADER, FrameType.DATA, FrameType.END, FrameType.ERROR,
  FrameType.LOCAL_OK, FrameType.LOCAL_MISS, FrameType.RELEASE_OK, FrameType.FETCH_OK,
]);

/** Largest control (JSON) payload either side accepts. */
export const MAX_CONTROL_PAYLOAD = 64 * 1024;
/**
 * Largest frame a worker accepts before HELLO: a HELLO holds a version and a token of at most
 * 4096 characters, so an unauthenticated peer can make the worker hold only this much.
 */
export const MAX_HELLO_PAYLOAD = 8 * 1024;
/** Largest DATA frame payload a client accepts (workers send 256 KiB frames). */
export const MAX_DATA_PAYLOAD = 16 * 1024 * 1024;

export interface DecodedFrame {
  type: FrameType;
  /** A control frame's whole payload, or the next piece of a DATA frame's payload. */
  payload: Buffer;
}

export interface FrameDecoderOptions {
  /** Frame types this side accepts; anything else is a protocol error. */
  accept: ReadonlySet<FrameType>;
  maxControlPayload?: number;
  maxDataPayload?: number;
}

/** Validates a frame header against the accepted types and size caps; throws ProtocolError. */
export function checkFrameHeader(type: number, length: number, options: FrameDecoderOptions): void {
  if (!options.accept.has(type as FrameType)) throw new ProtocolError(`unexpected frame type ${frameTypeName(type)}`);
  const max = type === FrameType.DATA ? (options.maxDataPayload ?? MAX_DATA_PAYLOAD) : (options.maxControlPayload ?? MAX_CONTROL_PAYLOAD);
  if (length > max) throw new ProtocolError(`${frameTypeName(type)} frame of ${length} bytes exceeds the ${max}-byte limit`);
}

export function encodeFrameHeader(type: FrameType, payloadLength: number): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  h.writeUInt32BE(payloadLength, 0);
  h.writeUInt8(type, 4);
  return h;
}

export function encodeFrame(type: FrameType, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.concat([encodeFrameHeader(type, payload.length), payload]);
}

/**
 * Incremental decoder: `push` each received chunk, get the frames (and DATA pieces) it completes.
 * Once it has thrown, the stream is unusable and every later `push` throws the same error.
 *
 * The cost is linear in the bytes received: an incomplete frame is held as a list of chunks and
 * joined once, when enough bytes for the header (then for the whole frame) have arrived. Joining
 * on every push made a frame sent a byte at a time cost quadratic CPU before authentication.
 */
export class FrameDecoder {
  readonly #accept: ReadonlySet<FrameType>;
  #maxControl: number;
  readonly #maxData: number;
  /** Chunks of an incomplete header or control frame, and their total length. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes #pending must reach before parsing can go on: a header, then a whole frame. */
  #need = FRAME_HEADER_BYTES;
  #dataLeft = 0;
  #failed: ProtocolError | undefined;

  constructor(options: FrameDecoderOptions) {
    this.#accept = options.accept;
    this.#maxControl = options.maxControlPayload ?? MAX_CONTROL_PAYLOAD;
    this.#maxData = options.maxDataPayload ?? MAX_DATA_PAYLOAD;
  }

  /** Bytes held for an incomplete header or control frame. */
  get bufferedBytes(): number { return this.#pendingBytes; }

  /** True between frames (nothing partial held). */
  get idle(): boolean { return this.#pendingBytes === 0 && this.#dataLeft === 0; }

  /**
   * Changes the largest control payload accepted from now on: a server keeps it small until the
   * peer has authenticated (HELLO), then raises it.
   */
  setMaxControlPayload(max: number): void {
    this.#maxControl = max;
  }

  push(chunk: Uint8Array): DecodedFrame[] {
    if (this.#failed) throw this.#failed;
    const out: DecodedFrame[] = [];
    let data: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.#pendingBytes > 0) {
      if (this.#pendingBytes + data.length < this.#need) {
        // Copy: the caller may reuse its chunk buffer.
        this.#pending.push(Buffer.from(data));
        this.#pendingBytes += data.length;
        return out;
      }
      data = Buffer.concat([...this.#pending, data], this.#pendingBytes + data.length);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    while (data.length > 0) {
      if (this.#dataLeft > 0) {
        const n = Math.min(this.#dataLeft, data.length);
        out.push({ type: FrameType.DATA, payload: data.subarray(0, n) });
        this.#dataLeft -= n;
        data = data.subarray(n);
        continue;
      }
      if (data.length < FRAME_HEADER_BYTES) {
        this.#hold(data, FRAME_HEADER_BYTES);
        break;
      }
      const len = data.readUInt32BE(0);
      const type = data.readUInt8(4) as FrameType;
      if (!this.#accept.has(type)) throw this.#fail(`unexpected frame type ${frameTypeName(type)}`);
      if (type === FrameType.DATA) {
        if (len > this.#maxData) throw this.#fail(`DATA frame of ${len} bytes exceeds the ${this.#maxData}-byte limit`);
        this.#dataLeft = len;
        data = data.subarray(FRAME_HEADER_BYTES);
        continue;
      }
      if (len > this.#maxControl) throw this.#fail(`${frameTypeName(type)} frame of ${len} bytes exceeds the ${this.#maxControl}-byte limit`);
      if (data.length < FRAME_HEADER_BYTES + len) {
        this.#hold(data, FRAME_HEADER_BYTES + len);
        break;
      }
      out.push({ type, payload: Buffer.from(data.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + len)) });
      data = data.subarray(FRAME_HEADER_BYTES + len);
    }
    return out;
  }

  /** Keeps an incomplete header or frame (copied: the caller may reuse its buffer) until `need` bytes. */
  #hold(data: Buffer, need: number): void {
    this.#pending = [Buffer.from(data)];
    this.#pendingBytes = data.length;
    this.#need = need;
  }

  #fail(message: string): ProtocolError {
    this.#failed = new ProtocolError(message);
    this.#pending = [];
    this.#pendingBytes = 0;
    return this.#failed;
  }
}
