// A frame reader for sockets in `onread` mode: it tells the socket how many bytes to read next
// (a header, a control payload, or the rest of a DATA frame) and where to put them, so DATA bytes
// land straight in the caller's destination buffer (no intermediate chunk, no copy). Same checks
// as FrameDecoder; used by DataChannelClient on plain TCP (TLS sockets use FrameDecoder).
import { ProtocolError } from '@eddy/core';
import { checkFrameHeader, FRAME_HEADER_BYTES, FrameType, type DecodedFrame, type FrameDecoderOptions } from './frame-codec.js';

export interface ExactFrameReaderOptions extends FrameDecoderOptions {
  /** Receives each control frame, and each piece of DATA (`inPlace`: already in the sink's buffer). */
  onFrame(frame: DecodedFrame, inPlace: boolean): void;
  /** Where the DATA bytes being received should go next (the free tail of a buffer), if anywhere. */
  dataSink(): Buffer | undefined;
}

const SCRATCH_BYTES = 64 * 1024;

export class ExactFrameReader {
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  private control: Buffer | undefined;
  private controlType: FrameType = FrameType.END;
  private controlFilled = 0;
  private dataLeft = 0;
  private scratch: Buffer | undefined;
  private failed: ProtocolError | undefined;
  /** Whether the buffer handed out last (the one the next onRead reports) is the caller's sink. */
  private lastFromSink = false;

  constructor(private readonly options: ExactFrameReaderOptions) {}

  /** The buffer the next socket read should fill (never empty). */
  nextBuffer(): Buffer {
    this.lastFromSink = false;
    if (this.control) return this.control.subarray(this.controlFilled);
    if (this.dataLeft > 0) {
      const sink = this.options.dataSink();
      if (sink && sink.length > 0) {
        this.lastFromSink = true;
        return sink.length > this.dataLeft ? sink.subarray(0, this.dataLeft) : sink;
      }
      this.scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
      return this.scratch.subarray(0, Math.min(SCRATCH_BYTES, this.dataLeft));
    }
    return this.header.subarray(this.headerFilled);
  }

  /** Accounts for `n` bytes just read into `buf` (the buffer `nextBuffer` returned). */
  onRead(n: number, buf: Buffer): void {
    if (this.failed) throw this.failed;
    if (n <= 0) return;
    if (this.control) {
      this.controlFilled += n;
      if (this.controlFilled === this.control.length) {
        const payload = this.control;
        this.control = undefined;
        this.options.onFrame({ type: this.controlType, payload }, false);
      }
      return;
    }
    if (this.dataLeft > 0) {
      this.dataLeft -= n;
      this.options.onFrame({ type: FrameType.DATA, payload: buf.subarray(0, n) }, this.lastFromSink);
      return;
    }
    this.headerFilled += n;
    if (this.headerFilled < FRAME_HEADER_BYTES) return;
    this.headerFilled = 0;
    const len = this.header.readUInt32BE(0);
    const type = this.header.readUInt8(4) as FrameType;
    try {
      checkFrameHeader(type, len, this.options);
    } catch (err) {
      this.failed = err as ProtocolError;
      throw err;
    }
    if (type === FrameType.DATA) { this.dataLeft = len; return; }
    if (len === 0) { this.options.onFrame({ type, payload: Buffer.alloc(0) }, false); return; }
    this.control = Buffer.allocUnsafe(len);
    this.controlType = type;
    this.controlFilled = 0;
  }
}
