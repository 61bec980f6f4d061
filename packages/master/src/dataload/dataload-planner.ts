// Plans one DataLoad run, purely: target files × live workers × current holders → the blocks
// that still lack replicas, which workers should fetch each one (consistent-hash order first,
// so loads land where readers look), and per-worker batches interleaved across workers.
// Already-held blocks cost nothing, so a run after a small change moves only the changed bytes.
import { blockCount, blockKey, blockLength } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import type { DataLoadFile } from './dataload-context.js';

/** A file to load and how many distinct live workers should hold each of its blocks. */
export interface TargetFile {
  file: DataLoadFile;
  replicas: number;
}

export interface PlanInput {
  dataset: string;
  blockSize: number;
  files: TargetFile[];
  /** Ids of the runtime's live workers. */
  liveWorkers: string[];
  /** Ids of the workers holding `key` now. */
  holders(key: string): string[];
  /** Up to `n` workers in consistent-hash order for `key`. */
  preferredWorkers(key: string, n: number): string[];
  /** Blocks per LoadBlocks call. */
  batchBlocks: number;
}

/** A block that needs loading on `copies` more workers. */
export interface PlannedBlock {
  path: string;
  length: number;
  copies: number;
}

export type PlannedRef = proto.BlockRef & { key: string };

export interface PlannedBatch {
  workerId: string;
  refs: PlannedRef[];
}

export interface DataLoadPlan {
  /** Every worker's first batch, then every second one, …: no worker waits behind another's backlog. */
  batches: PlannedBatch[];
  /** Blocks that need loading, by key. */
  blocks: Map<string, PlannedBlock>;
  /** Per target file (path), how many of its blocks still need loading; 0 = already complete. */
  blocksLeft: Map<string, number>;
  /** Bytes of blocks already held by enough live workers. */
  bytesHeld: number;
  /** The highest replica count any file wants (it may exceed the live workers). */
  wantedReplicas: number;
}

/** Merges the files of several targets: a file under two targets wants the larger replica count. */
export function mergeTargets(listings: Array<{ replicas: number; files: DataLoadFile[] }>): TargetFile[] {
  const byPath = new Map<string, TargetFile>();
  for (const { replicas, files } of listings) {
    for (const file of files) {
      const seen = byPath.get(file.path);
      if (seen === undefined || seen.replicas < replicas) byPath.set(file.path, { file, replicas });
    }
  }
  return [...byPath.values()];
}

/** Live workers that should fetch `key`, `need` of them, none already holding it. */
function chooseWorkers(input: PlanInput, live: Set<string>, key: string, held: Set<string>, need: number): string[] {
  const chosen: string[] = [];
  for (const w of [...input.preferredWorkers(key, live.size), ...live]) {
    if (chosen.length >= need) break;
    if (live.has(w) && !held.has(w) && !chosen.includes(w)) chosen.push(w);
  }
  return chosen;
}

function interleave(perWorker: Map<string, PlannedRef[]>, batchBlocks: number): PlannedBatch[] {
  const queues = [...perWorker].map(([workerId, refs]) => {
    const batches: PlannedRef[][] = [];
    for (let i = 0; i < refs.length; i += batchBlocks) batches.push(refs.slice(i, i + batchBlocks));
    return { workerId, batches };
  });
  const out: PlannedBatch[] = [];
  for (let round = 0; queues.some((q) => q.batches.length > round); round++) {
    for (const q of queues) {
      const refs = q.batches[round];
      if (refs !== undefined) out.push({ workerId: q.workerId, refs });
    }
  }
  return out;
}

export function planDataLoad(input: PlanInput): DataLoadPlan {
  const { dataset, blockSize } = input;
  const live = new Set(input.liveWorkers);
  const blocks = new Map<string, PlannedBlock>();
  const blocksLeft = new Map<string, number>();
  const perWorker = new Map<string, PlannedRef[]>();
  let bytesHeld = 0;
  let wantedReplicas = 0;
  for (const { file, replicas } of input.files) {
    wantedReplicas = Math.max(wantedReplicas, replicas);
    const want = Math.min(replicas, live.size);
    const n = blockCount(file.size, blockSize);
    let left = 0;
    for (let index = 0; index < n; index++) {
      const key = blockKey(dataset, file.path, file.version, index, blockSize);
      const length = blockLength(file.size, blockSize, index);
      const held = new Set(input.holders(key).filter((w) => live.has(w)));
      if (held.size >= want) {
        bytesHeld += length;
        continue;
      }
      const chosen = chooseWorkers(input, live, key, held, want - held.size);
      blocks.set(key, { path: file.path, length, copies: chosen.length });
      left += 1;
      const ref: PlannedRef = {
        key, dataset, path: file.path, version: file.version, index, blockSize, fileSize: file.size,
        ...(file.versionId ? { versionId: file.versionId } : {}),
      };
      for (const w of chosen) {
        const list = perWorker.get(w);
        if (list === undefined) perWorker.set(w, [ref]);
        else list.push(ref);
      }
    }
    blocksLeft.set(file.path, left);
  }
  return { batches: interleave(perWorker, input.batchBlocks), blocks, blocksLeft, bytesHeld, wantedReplicas };
}
