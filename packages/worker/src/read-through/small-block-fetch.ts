// The one-step read-through of a small block (by default ≤ 1 MiB: a small object is one such
// block). For a 64 KiB object the block-file path's steps cost more than the bytes do: a temp file
// created before the GET, a read-back handle, the written prefix tracked per chunk, each reader's
// bytes read back from the file, then close, rename, stat (docs/performance.md, "Small files
// (issue 17 item 2)"). Here the GET's chunks go to the readers as they arrive (BlockFetch's memory
// mode: no copy, no file) and are kept; once the last one is in, the block is written to its tier
// file in one call, named by its CRC32C and indexed, and nothing is read back. What correctness
// needs stays: the fetch slot, the tier reservation (made while the UFS is located), exactly the
// ref's version (If-Match, and its versionId where the bucket keeps versions), and the metrics.
import { finished } from 'node:stream/promises';
import { UnavailableError, type Logger } from '@eddy/core';
import type { ValidBlockRef } from '../blocks/block-ref.js';
import type { BlockReservation, BlockStore } from '../store/block-store.js';
import type { BlockFetchControl } from './block-fetch.js';
import type { FetchSlots } from './fetch-slots.js';
import type { UfsLocation, UfsLocator } from './ufs-locator.js';

/** Blocks up to this size are read in one step unless configured otherwise. */
export const SMALL_BLOCK_BYTES = 1024 * 1024;

/** What the one-step fetch shares with the read-through that owns it. */
export interface SmallBlockFetchContext {
  store: BlockStore;
  locator: UfsLocator;
  slots: FetchSlots;
  logger: Logger;
  /** Aborts when the read-through closes. */
  closing: AbortSignal;
  /** Deadline of one fetch, waiting for a slot included. */
  timeoutMs: number;
  onFetched?: (bytes: number) => void;
  onUfsRequest?: (dataset: string, bytes: number, err?: unknown) => void;
}

/**
 * Fetches `ref` (no larger than the fetch's memory window, so a push never waits), handing its
 * bytes to `control` as they arrive; resolves with whether the block was stored. A failed GET
 * throws before anything is written; a failed write of the tier file leaves no file, and the
 * readers, who already have the bytes, are not failed for it: the block is only not cached.
 */
export async function fetchSmallBlock(ctx: SmallBlockFetchContext, ref: ValidBlockRef, control: BlockFetchControl): Promise<boolean> {
  const signal = AbortSignal.any([ctx.closing, AbortSignal.timeout(ctx.timeoutMs)]);
  let release: (() => void) | undefined;
  let reservation: BlockReservation | undefined;
  try {
    release = await ctx.slots.acquire(signal);
    // The reservation (which may have to demote blocks first) overlaps finding the UFS.
    const reserving = reserve(ctx, ref);
    const location = await ctx.locator.locate(ref.dataset, ref.path, { signal }).catch(async (err: unknown) => {
      reservation = await reserving;
      throw err;
    });
    reservation = await reserving;
    const chunks = await getBlock(ctx, ref, location, signal, control);
    ctx.onFetched?.(ref.length);
    const held = reservation;
    reservation = undefined;
    if (held === undefined) return false;
    try {
      await held.commit(chunks);
      return true;
    } catch (err) {
      ctx.logger.warn({ key: ref.key, err }, 'cannot write block file; the block was served uncached');
      return false;
    }
  } catch (err) {
    reservation?.cancel();
    throw err;
  } finally {
    release?.();
  }
}

/** Room for the block, or undefined when no tier has any (the block is then served uncached). */
async function reserve(ctx: SmallBlockFetchContext, ref: ValidBlockRef): Promise<BlockReservation | undefined> {
  try {
    return await ctx.store.reserve(ref.key, ref.length);
  } catch (err) {
    ctx.logger.warn({ key: ref.key, err }, 'cannot cache block; serving it uncached');
    return undefined;
  }
}

/**
 * The block's bytes in one GET of exactly the ref's version, pushed to the readers chunk by chunk
 * and returned. Chunks are taken from 'data' events: no promise per chunk.
 */
async function getBlock(
  ctx: SmallBlockFetchContext, ref: ValidBlockRef, { ufs, ufsPath }: UfsLocation, signal: AbortSignal, control: BlockFetchControl,
): Promise<Buffer[]> {
  const byId = ref.versionId === '' ? {} : { versionId: ref.versionId };
  const chunks: Buffer[] = [];
  let got = 0;
  try {
    const stream = await ufs.read(ufsPath, { offset: ref.index * ref.blockSize, length: ref.length, ifMatch: ref.version, ...byId, signal });
    stream.on('data', (chunk: Buffer | Uint8Array) => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      if (got + buf.length > ref.length) {
        stream.destroy(new UnavailableError(`UFS returned more than the ${ref.length} bytes of block ${ref.index} of ${ref.path}`));
        return;
      }
      got += buf.length;
      chunks.push(buf);
      // Never waits (the block fits the window); it rejects only when the fetch is aborted, which the GET reports.
      control.push(buf, signal).catch(() => undefined);
    });
    await finished(stream);
    if (got !== ref.length) throw new UnavailableError(`UFS returned ${got} of the ${ref.length} bytes of block ${ref.index} of ${ref.path}`);
    ctx.onUfsRequest?.(ref.dataset, got);
    return chunks;
  } catch (err) {
    // Not a request error when the worker is closing.
    if (!ctx.closing.aborted) ctx.onUfsRequest?.(ref.dataset, got, err);
    throw err;
  }
}
