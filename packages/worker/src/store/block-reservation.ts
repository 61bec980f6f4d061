// Room reserved in a tier for one block that arrives whole in memory (the one-step read of a
// small block, read-through/small-block-fetch.ts). No file exists until `commit`, which writes the
// bytes in one call, checksums them, and hands the file to the store to rename into place and
// index: no temp file is held open during the GET and nothing is read back. A failure at any point
// leaves no file behind and gives the reservation back.
import { closeSync, mkdirSync, openSync, writeSync, writevSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { EddyError, ValidationError } from '@eddy/core';
import { shardDir, tempFilePath, type TierState } from './block-file.js';
import type { BlockCommitter } from './block-writer.js';

export class BlockReservation {
  readonly key: string;
  readonly size: number;
  readonly #committer: BlockCommitter;
  readonly #tier: TierState;
  #done = false;

  constructor(committer: BlockCommitter, key: string, size: number, tier: TierState) {
    this.#committer = committer;
    this.key = key;
    this.size = size;
    this.#tier = tier;
  }

  get tierIndex(): number { return this.#tier.index; }

  /** Writes the block (`chunks`, in order, exactly `size` bytes) and makes it the key's current block. */
  async commit(chunks: readonly Buffer[]): Promise<void> {
    if (this.#done) throw new EddyError('INTERNAL', 'block reservation already used');
    this.#done = true;
    let total = 0;
    let crc = 0;
    for (const c of chunks) {
      total += c.length;
      crc = crc32c(c, crc);
    }
    if (total !== this.size) {
      this.#committer.cancel(this.#tier, this.size);
      throw new ValidationError(`block ${this.key} has ${total} of its ${this.size} bytes`, 'size');
    }
    const tmp = tempFilePath(this.#tier.dir, this.key);
    try {
      if (this.#tier.cfg.medium === 'MEM') this.#writeInline(tmp, chunks);
      else await this.#write(tmp, chunks);
    } catch (err) {
      this.#committer.cancel(this.#tier, this.size);
      // Best effort: the file may never have been created (its directory could not be made).
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new EddyError('INTERNAL', `cannot write block file: ${(err as Error).message}`, { cause: err });
    }
    await this.#committer.install(this.key, this.#tier, this.size, crc >>> 0, tmp);
  }

  /** Gives the room back (nothing was written). Safe after commit (no-op) and twice. */
  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#committer.cancel(this.#tier, this.size);
  }

  /**
   * A MEM tier (tmpfs) never waits on a device: creating, writing and closing the file inline
   * costs a few system calls, where the thread pool would cost a round trip each.
   */
  #writeInline(tmp: string, chunks: readonly Buffer[]): void {
    mkdirSync(shardDir(this.#tier.dir, this.key), { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      const written = chunks.length === 0 ? 0 : writevSync(fd, chunks as Buffer[], 0);
      if (written < this.size) {
        // A short vectored write (rare): the rest one piece at a time.
        const rest = Buffer.concat(chunks as Buffer[]).subarray(written);
        for (let off = 0; off < rest.length;) off += writeSync(fd, rest, off, rest.length - off, written + off);
      }
    } finally {
      closeSync(fd);
    }
  }

  async #write(tmp: string, chunks: readonly Buffer[]): Promise<void> {
    await mkdir(shardDir(this.#tier.dir, this.key), { recursive: true, mode: 0o700 });
    const fh = await open(tmp, 'wx', 0o600);
    try {
      // One vectored write of the chunks as they are: no copy of the block into one buffer first.
      const { bytesWritten } = chunks.length === 0 ? { bytesWritten: 0 } : await fh.writev(chunks as Buffer[], 0);
      if (bytesWritten < this.size) {
        // A short vectored write (rare): the rest one piece at a time.
        const rest = Buffer.concat(chunks as Buffer[]).subarray(bytesWritten);
        for (let off = 0; off < rest.length;) off += (await fh.write(rest, off, rest.length - off, bytesWritten + off)).bytesWritten;
      }
      if (this.#committer.shouldFsync(this.#tier)) await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
