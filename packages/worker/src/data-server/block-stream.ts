// Answers one READ on a data channel connection: READ_HEADER, DATA frames with backpressure, then
// END (or ERROR if the source fails midway). Cached bytes are read from the block file in pooled
// chunks; read-through bytes are forwarded as they arrive from the UFS.
import type { Socket } from 'node:net';
import { crc32c } from '@node-rs/crc32';
import { open } from 'node:fs/promises';
import { openSync, readSync, closeSync } from 'node:fs';
import { CorruptBlockError, UnavailableError, type BufferPool, type Logger } from '@eddy/core';
import { FrameType, encodeFrameHeader, encodeMessage } from '@eddy/protocol';
import type { BlockCounters, BlockRead } from '../blocks/block-service.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

export interface BlockStreamContext {
  pool: BufferPool;
  /** Bytes per chunk (per file read, and per DATA frame of a read-through). */
  frameBytes: number;
  /** Size of the large DATA frames of cached reads (a whole number of chunks). */
  fileFrameBytes: number;
  counters: BlockCounters;
  logger: Logger;
  /** Sends an ERROR frame for `err` (typed) on the connection. */
  sendError: (err: unknown) => void;
}

/**
 * Writes DATA to one socket. Backpressure is a window of chunks not yet handed to the kernel
 * (write callbacks), not 'drain': a socket's 16 KiB high-water mark would make every chunk wait
 * for an empty queue, leaving the connection idle between chunks.
 */
class FrameSender {
  readonly #socket: Socket;
  readonly #ctx: BlockStreamContext;
  #inFlight = 0;
  #wake: (() => void) | undefined;
  readonly #onClose = (): void => { this.#wake?.(); };
  /**
   * Bytes of the current large frame not written yet. Cached bytes go in large DATA frames of
   * several chunks (fewer headers, and the client reads them in large pieces); read-through bytes
   * one frame per chunk, so an ERROR can follow any chunk. While bytes are owed, an error can only
   * be signalled by closing the connection.
   */
  owed = 0;
  /** CRC32C of the bytes sent so far, when the reader asked for one (READ `verify`). */
  crc: number | undefined;

  constructor(socket: Socket, ctx: BlockStreamContext, checksum: boolean) {
    this.#socket = socket;
    this.#ctx = ctx;
    if (checksum) this.crc = 0;
    socket.once('close', this.#onClose);
  }

  /** Sends `buf` (returning `pooled` to the pool once written), as its own frame or as part of one of `frameLength`. */
  async send(buf: Buffer, pooled?: Buffer, frameLength?: number): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) {
      if (pooled) this.#ctx.pool.give(pooled);
      throw new UnavailableError('client went away');
    }
    // Before the write: a pooled buffer is reused once the kernel has it.
    if (this.crc !== undefined) this.crc = crc32c(buf, this.crc);
    this.#inFlight++;
    socket.cork();
    if (frameLength === undefined) {
      socket.write(encodeFrameHeader(FrameType.DATA, buf.length));
    } else {
      if (this.owed === 0) {
        this.owed = frameLength;
        socket.write(encodeFrameHeader(FrameType.DATA, this.owed));
      }
      this.owed -= buf.length;
    }
    socket.write(buf, () => {
      this.#inFlight--;
      if (pooled) this.#ctx.pool.give(pooled);
      const w = this.#wake;
      this.#wake = undefined;
      w?.();
    });
    socket.uncork();
    this.#ctx.counters.bytesServed += buf.length;
    while (this.#inFlight >= WORKER_DEFAULTS.writeWindowChunks && !socket.destroyed) {
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
  }

  dispose(): void { this.#socket.off('close', this.#onClose); }
}

/** Streams `read` to `socket`; releases its block handle. Never throws. `checksum`: END carries the CRC32C of the bytes. */
export async function streamBlock(socket: Socket, read: BlockRead, ctx: BlockStreamContext, checksum = false): Promise<void> {
  socket.write(encodeMessage(FrameType.READ_HEADER, { length: read.length, source: read.kind === 'file' ? 'cache' : 'ufs' }));
  const sender = new FrameSender(socket, ctx, checksum);
  try {
    if (read.kind === 'file' && read.handle.medium === 'MEM') await sendMemFile(read, sender, ctx);
    else if (read.kind === 'file') await sendDiskFile(read, sender, ctx);
    else {
      for await (const chunk of read.chunks) {
        for (let off = 0; off < chunk.length; off += ctx.frameBytes) await sender.send(chunk.subarray(off, off + ctx.frameBytes));
      }
    }
    if (!socket.destroyed) socket.write(encodeMessage(FrameType.END, sender.crc === undefined ? {} : { crc32c: sender.crc }));
  } catch (err) {
    if (socket.destroyed) return;
    if (sender.owed > 0) {
      ctx.logger.warn({ key: read.ref.key, err }, 'cached block read failed mid-frame; closing the connection');
      socket.destroy();
      return;
    }
    ctx.sendError(err);
  } finally {
    sender.dispose();
    if (read.kind === 'file') read.handle.release();
  }
}

type FileRead = Extract<BlockRead, { kind: 'file' }>;

/**
 * tmpfs never waits on a device: reading inline is a memory copy, and skipping the thread-pool
 * round trip per chunk is worth more than the overlap it would buy.
 */
async function sendMemFile(read: FileRead, sender: FrameSender, ctx: BlockStreamContext): Promise<void> {
  const fd = openSync(read.handle.path, 'r');
  try {
    let pos = read.offset;
    let left = read.length;
    while (left > 0) {
      const pooled = ctx.pool.take();
      const want = Math.min(ctx.frameBytes, left);
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, pooled, 0, want, pos);
      } catch (err) {
        ctx.pool.give(pooled);
        throw err;
      }
      if (bytesRead !== want) { ctx.pool.give(pooled); throw new CorruptBlockError(`block ${read.ref.key} file is shorter than expected`); }
      const frameLength = Math.min(left, ctx.fileFrameBytes);
      pos += bytesRead;
      left -= bytesRead;
      await sender.send(pooled.subarray(0, bytesRead), pooled, frameLength);
    }
  } finally {
    closeSync(fd);
  }
}

/** Disk tiers: the next chunk is read from the file while the current one drains to the socket. */
async function sendDiskFile(read: FileRead, sender: FrameSender, ctx: BlockStreamContext): Promise<void> {
  const fh = await open(read.handle.path, 'r');
  const readAt = async (pos: number, n: number): Promise<{ pooled: Buffer; bytes: Buffer }> => {
    const pooled = ctx.pool.take();
    try {
      const { bytesRead } = await fh.read(pooled, 0, n, pos);
      if (bytesRead !== n) throw new CorruptBlockError(`block ${read.ref.key} file is shorter than expected`);
      return { pooled, bytes: pooled.subarray(0, bytesRead) };
    } catch (err) {
      ctx.pool.give(pooled);
      throw err;
    }
  };
  let pending: Promise<{ pooled: Buffer; bytes: Buffer }> | undefined;
  try {
    let pos = read.offset;
    let left = read.length;
    if (left > 0) pending = readAt(pos, Math.min(ctx.frameBytes, left));
    while (pending) {
      const { pooled, bytes } = await pending;
      pending = undefined;
      const frameLength = Math.min(left, ctx.fileFrameBytes);
      pos += bytes.length;
      left -= bytes.length;
      if (left > 0) pending = readAt(pos, Math.min(ctx.frameBytes, left));
      await sender.send(bytes, pooled, frameLength);
    }
  } finally {
    await pending?.then((p) => ctx.pool.give(p.pooled), () => undefined);
    await fh.close();
  }
}
