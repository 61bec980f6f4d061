// Writes one block into a reserved temp file, checksumming as it goes; `commit` hands the file to
// the store, which renames it into place and indexes it.
import { writeSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { EddyError, ValidationError } from '@eddy/core';
import type { TierState } from './block-file.js';

/** What a writer needs from its store (kept off the store's public surface). */
export interface BlockCommitter {
  /** Renames the finished temp file into place and makes it the key's current block. */
  install(key: string, tier: TierState, size: number, crc: number, tmp: string): Promise<void>;
  /** Releases the reservation of a writer that produced no file. */
  cancel(tier: TierState, size: number): void;
  shouldFsync(tier: TierState): boolean;
}

export class BlockWriter {
  readonly key: string;
  readonly size: number;
  readonly #committer: BlockCommitter;
  readonly #tier: TierState;
  readonly #tmp: string;
  readonly #fh: FileHandle;
  #written = 0;
  #crc = 0;
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

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new EddyError('INTERNAL', 'block writer already finished');
    if (this.#written + chunk.length > this.size) {
      throw new ValidationError(`block ${this.key} is longer than its declared ${this.size} bytes`, 'size');
    }
    let off = 0;
    // A MEM tier (tmpfs) write is a memory copy that cannot wait on a device: done inline it
    // costs half of what the thread-pool round trip per chunk does (the cold read path writes
    // every byte it fetches here).
    const inline = this.#tier.cfg.medium === 'MEM';
    while (off < chunk.length) {
      const bytesWritten = inline
        ? writeSync(this.#fh.fd, chunk, off, chunk.length - off, this.#written + off)
        : (await this.#fh.write(chunk, off, chunk.length - off, this.#written + off)).bytesWritten;
      off += bytesWritten;
    }
    this.#crc = crc32c(chunk, this.#crc);
    this.#written += chunk.length;
  }

  async commit(): Promise<void> {
    if (this.#done) throw new EddyError('INTERNAL', 'block writer already finished');
    if (this.#written !== this.size) throw new ValidationError(`block ${this.key} has ${this.#written} of ${this.size} bytes`, 'size');
    this.#done = true;
    try {
      if (this.#committer.shouldFsync(this.#tier)) await this.#fh.sync();
      await this.#fh.close();
    } catch (err) {
      await rm(this.#tmp, { force: true });
      this.#committer.cancel(this.#tier, this.size);
      throw new EddyError('INTERNAL', `cannot write block file: ${(err as Error).message}`, { cause: err });
    }
    await this.#committer.install(this.key, this.#tier, this.size, this.#crc >>> 0, this.#tmp);
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
