// A block reference as it arrives from a client, the master or a heartbeat: validated once here
// (types, ranges, and that the key really names the tuple, so nobody can store one object's
// bytes under another object's key).
import { blockCount, blockKey, ValidationError } from '@eddy/core';
import { type proto } from '@eddy/protocol';
import { checkBlockKey } from '../store/block-key.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

/** Largest block size a worker accepts (blocks are single files and single fetches). */
const MAX_BLOCK_SIZE = WORKER_DEFAULTS.maxBlockSize;

export interface ValidBlockRef {
  key: string;
  dataset: string;
  path: string;
  version: string;
  index: number;
  blockSize: number;
  fileSize: number;
  /** The store's id of the version in a bucket that keeps versions ('' otherwise): the UFS is read by it. */
  versionId: string;
  /** Bytes of this block (the last block of a file may be short). */
  length: number;
}

function toInt(v: unknown, field: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'object' && v !== null && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ValidationError(`${field} must be a non-negative integer`, field);
  return n;
}

function toStr(v: unknown, field: string, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v === '') || v.length > 4096) throw new ValidationError(`${field} must be a non-empty string of at most 4096 characters`, field);
  return v;
}

export function validateBlockRef(ref: proto.BlockRef | proto.BlockRef__Output, field = 'ref'): ValidBlockRef {
  if (typeof ref !== 'object' || ref === null) throw new ValidationError(`${field} must be an object`, field);
  const key = checkBlockKey(ref.key, `${field}.key`);
  const dataset = toStr(ref.dataset, `${field}.dataset`);
  const path = toStr(ref.path, `${field}.path`);
  const version = toStr(ref.version, `${field}.version`);
  const index = toInt(ref.index, `${field}.index`);
  const blockSize = toInt(ref.blockSize, `${field}.blockSize`);
  const fileSize = toInt(ref.fileSize, `${field}.fileSize`);
  const versionId = ref.versionId === undefined || ref.versionId === null ? '' : toStr(ref.versionId, `${field}.versionId`, true);
  if (blockSize === 0 || blockSize > MAX_BLOCK_SIZE) throw new ValidationError(`${field}.blockSize must be in [1, ${MAX_BLOCK_SIZE}]`, `${field}.blockSize`);
  const n = blockCount(fileSize, blockSize);
  if (index >= n) throw new ValidationError(`${field}.index ${index} is past the last block (${n} blocks)`, `${field}.index`);
  if (blockKey(dataset, path, version, index, blockSize) !== key) throw new ValidationError(`${field}.key does not match dataset/path/version/index/blockSize`, `${field}.key`);
  return { key, dataset, path, version, index, blockSize, fileSize, versionId, length: Math.min(blockSize, fileSize - index * blockSize) };
}
