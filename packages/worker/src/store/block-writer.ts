// Writes one block into a reserved temp file, checksumming as it goes; `commit` hands the file to
// the store, which renames it into place and indexes it. A block may be written as several parts
// at once (the ranges of a parallel fetch), each sequentially from its own offset: each part keeps
// its own CRC32C and `commit` combines them, so no byte is read back to checksum the block.
import { writeSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { EddyError, ValidationError } from '@eddy/core';
import type { TierState } from './block-file.js';
import { crc32cCombine } from './crc32c-combine.js';

/** What a writer needs from its store (kept off the store's public surface). */
export interface BlockCommitter {
  /** Renames the finished temp file into place and makes it the key's current block. */
  install(key: string, tier: TierState, size: number, crc: number, tmp: string): Promise<void>;
  /** Releases the reservation of a writer that produced no file. */
  cancel(tier: TierState, size: number): void;
  shouldFsync(tier: TierState): boolean;
}

/** One range of the block, written front to back by one stream. */
export interface BlockPart {
  readonly offset: number;
  readonly length: number;
  /** Bytes of the part written so far. */
  readonly written: number;
  /**
   * Appends to the part. A MEM tier's write is done when this returns (undefined: no promise per
   * chunk on the cold path); a disk tier's returns the promise of its write.
   */
  write(chunk: Uint8Array): Promise<void> | undefined;
}

interface PartState { offset: number; length: number; written: number; crc: number }

export class BlockWriter {
  readonly key: string;
  readonly size: number;
  readonly #committer: BlockCommitter;
  readonly #tier: TierState;
  readonly #tmp: string;
  readonly #fh: FileHandle;
  readonly #parts: PartState[] = [];
  /** The part `write` appends to: the whole block, made on the first call. */
  #whole: BlockPart | undefined;
  #done = false;

  constructor(committer: BlockCommitter, key: string, size: number, tier: TierState, tmp: string, fh: FileHandle) {
    this.#committer = committer;
    this.key = key;
    this.size = size;
    this.#tier = tier;
    this.#tmp = tmp;
    this.#fh = fh;
  }

  get tierIndex(): number { return this.#tier.index; }

  /**
   * A read-only handle to the file being written: it stays valid after the commit's rename (and
   * after an abort's unlink), so readers of a fetch can read back bytes already written.
   */
  async openReader(): Promise<FileHandle> {
    return await open(this.#tmp, 'r');
  }

  /** Appends to the block (the whole block as one part); not to be mixed with `part`. */
  async write(chunk: Uint8Array): Promise<void> {
    this.#whole ??= this.part(0, this.size);
    await this.#whole.write(chunk);
  }

  /** Bytes [offset, offset+length) of the block, written by their own stream; parts must not overlap. */
  part(offset: number, length: number): BlockPart {
    if (this.#done) throw new EddyError('INTERNAL', 'block writer already finished');
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new ValidationError(`part [${offset}, +${length}) is outside block ${this.key} of ${this.size} bytes`, 'part');
    }
    if (this.#parts.some((p) => offset < p.offset + p.length && p.offset < offset + length)) {
      throw new ValidationError(`part [${offset}, +${length}) of block ${this.key} overlaps another part`, 'part');
    }
    const state: PartState = { offset, length, written: 0, crc: 0 };
    this.#parts.push(state);
    return {
      offset,
      length,
      get written() { return state.written; },
      write: (chunk) => this.#writePart(state, chunk),
    };
  }

  #writePart(part: PartState, chunk: Uint8Array): Promise<void> | undefined {
    if (this.#done) throw new EddyError('INTERNAL', 'block writer already finished');
    if (part.written + chunk.length > part.length) {
      throw new ValidationError(`block ${this.key} is longer than its declared ${this.size} bytes`, 'size');
    }
    // A MEM tier (tmpfs) write is a memory copy that cannot wait on a device: done inline it
    // costs half of what the thread-pool round trip per chunk does (the cold read path writes
    // every byte it fetches here).
    if (this.#tier.cfg.medium === 'MEM') {
      const at = part.offset + part.written;
      for (let off = 0; off < chunk.length;) off += writeSync(this.#fh.fd, chunk, off, chunk.length - off, at + off);
      this.#written(part, chunk);
      return undefined;
    }
    return this.#writeAsync(part, chunk);
  }

  async #writeAsync(part: PartState, chunk: Uint8Array): Promise<void> {
    const at = part.offset + part.written;
    for (let off = 0; off < chunk.length;) off += (await this.#fh.write(chunk, off, chunk.length - off, at + off)).bytesWritten;
    this.#written(part, chunk);
  }

  #written(part: PartState, chunk: Uint8Array): void {
    part.crc = crc32c(chunk, part.crc);
    part.written += chunk.length;
  }

  /** The block's CRC32C from its parts; throws unless they cover it exactly and are all written. */
  #blockCrc(): number {
    const parts = [...this.#parts].sort((a, b) => a.offset - b.offset);
    let crc = 0;
    let at = 0;
    for (const p of parts) {
      if (p.offset !== at || p.written !== p.length) break;
      crc = crc32cCombine(crc, p.crc, p.length);
      at += p.length;
    }
    if (at !== this.size) throw new ValidationError(`block ${this.key} has ${this.#writtenBytes()} of ${this.size} bytes`, 'size');
    return crc;
  }

  #writtenBytes(): number {
    return this.#parts.reduce((sum, p) => sum + p.written, 0);
  }

  async commit(): Promise<void> {
    if (this.#done) throw new EddyError('INTERNAL', 'block writer already finished');
    const crc = this.#blockCrc();
    this.#done = true;
    try {
      if (this.#committer.shouldFsync(this.#tier)) await this.#fh.sync();
      await this.#fh.close();
    } catch (err) {
      await rm(this.#tmp, { force: true });
      this.#committer.cancel(this.#tier, this.size);
      throw new EddyError('INTERNAL', `cannot write block file: ${(err as Error).message}`, { cause: err });
    }
    await this.#committer.install(this.key, this.#tier, this.size, crc, this.#tmp);
  }

  /** Discards the temp file and the reservation. Safe after commit (no-op) and twice. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#fh.close().catch(() => undefined);
    await rm(this.#tmp, { force: true });
    this.#committer.cancel(this.#tier, this.size);
  }
}
