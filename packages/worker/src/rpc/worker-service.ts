// The Worker gRPC service: LoadBlocks (fetch into the store, bounded concurrency, one result per
// block), FreeBlocks and GetStats. Wrapped by the common gRPC edge (token check, typed errors).
import { EddyError } from '@eddy/core';
import { type proto, type UnaryHandler } from '@eddy/protocol';
import type { BlockService } from '../blocks/block-service.js';
import { mapConcurrent } from '../util/map-concurrent.js';

export const MAX_BLOCKS_PER_LOAD = 10_000;

export function createWorkerService(blocks: BlockService, options: { loadConcurrency?: number } = {}) {
  const concurrency = options.loadConcurrency ?? 4;
  const loadBlocks: UnaryHandler<proto.LoadBlocksRequest__Output, proto.LoadBlocksResponse> = async (req) => {
    const refs = req.blocks ?? [];
    if (refs.length > MAX_BLOCKS_PER_LOAD) throw new EddyError('INVALID_ARGUMENT', `at most ${MAX_BLOCKS_PER_LOAD} blocks per LoadBlocks call`);
    const results = await mapConcurrent(refs, concurrency, async (ref): Promise<proto.BlockResult> => {
      try {
        const bytesFetched = await blocks.load(ref);
        return { key: ref.key, ok: true, bytesFetched };
      } catch (err) {
        const e = err instanceof EddyError ? err : new EddyError('INTERNAL', String(err));
        return { key: ref.key, ok: false, errorCode: e.code, errorMessage: e.message, bytesFetched: 0 };
      }
    });
    return { results };
  };
  const freeBlocks: UnaryHandler<proto.FreeBlocksRequest__Output, proto.FreeBlocksResponse> = async (req) => {
    let freed = 0;
    for (const key of req.keys ?? []) if (await blocks.store.remove(key)) freed++;
    return { freed };
  };
  const getStats: UnaryHandler<proto.GetStatsRequest__Output, proto.GetStatsResponse> = async () => ({
    tiers: blocks.store.tierInfo(),
    blockCount: blocks.store.blockCount,
    counters: { ...blocks.counters },
  });
  return { loadBlocks, freeBlocks, getStats };
}
