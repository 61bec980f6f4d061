// The Worker gRPC service: LoadBlocks (fetch into the store, bounded concurrency, one result per
// block), FreeBlocks and GetStats. Wrapped by the gRPC edge of @eddy/protocol (token check, typed errors).
import pLimit from 'p-limit';
import { EddyError, ValidationError } from '@eddy/core';
import { type proto, type UnaryHandler } from '@eddy/protocol';
import type { BlockService } from '../blocks/block-service.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

export const MAX_BLOCKS_PER_LOAD = WORKER_DEFAULTS.maxBlocksPerLoad;

export function createWorkerService(blocks: BlockService, options: { loadConcurrency?: number } = {}) {
  const concurrency = options.loadConcurrency ?? WORKER_DEFAULTS.loadConcurrency;
  const loadBlocks: UnaryHandler<proto.LoadBlocksRequest__Output, proto.LoadBlocksResponse> = async (req) => {
    const refs = req.blocks ?? [];
    if (refs.length > MAX_BLOCKS_PER_LOAD) throw new ValidationError(`at most ${MAX_BLOCKS_PER_LOAD} blocks per LoadBlocks call`, 'blocks');
    const limit = pLimit(concurrency);
    const results = await Promise.all(refs.map((ref) => limit(async (): Promise<proto.BlockResult> => {
      try {
        const bytesFetched = await blocks.load(ref);
        return { key: ref.key, ok: true, bytesFetched };
      } catch (err) {
        const e = err instanceof EddyError ? err : new EddyError('INTERNAL', String(err));
        return { key: ref.key, ok: false, errorCode: e.code, errorMessage: e.message, bytesFetched: 0 };
      }
    })));
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
