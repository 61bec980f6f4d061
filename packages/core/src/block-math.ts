// Files are split into fixed-size blocks; a block key names (dataset, path, version, index)
// so a changed object gets new keys and stale bytes can never be served for a new version.
import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';

export const DEFAULT_BLOCK_SIZE = 16 * 1024 * 1024;

export interface BlockSlice {
  /** Block index within the file. */
  index: number;
  /** Offset of the slice inside the block. */
  offsetInBlock: number;
  /** Bytes of the slice. */
  length: number;
  /** Offset of the slice inside the file. */
  fileOffset: number;
}

function checkNonNegInt(v: number, field: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new ValidationError(`${field} must be a non-negative integer, got ${v}`, field);
}

/** Number of blocks of a file of `size` bytes (0 for an empty file). */
export function blockCount(size: number, blockSize: number): number {
  checkNonNegInt(size, 'size');
  if (!Number.isSafeInteger(blockSize) || blockSize <= 0) throw new ValidationError(`blockSize must be a positive integer, got ${blockSize}`, 'blockSize');
  return Math.ceil(size / blockSize);
}

/** Length of block `index` of a file of `size` bytes. */
export function blockLength(size: number, blockSize: number, index: number): number {
  const n = blockCount(size, blockSize);
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) throw new ValidationError(`block index ${index} out of range [0, ${n})`, 'index');
  return Math.min(blockSize, size - index * blockSize);
}

/**
 * The block slices that cover [offset, offset+length) of a file of `size` bytes.
 * Reads past EOF are clipped; a read starting at or past EOF yields no slices.
 */
export function blockSlices(offset: number, length: number, size: number, blockSize: number): BlockSlice[] {
  checkNonNegInt(offset, 'offset');
  checkNonNegInt(length, 'length');
  blockCount(size, blockSize);
  const end = Math.min(size, offset + length);
  const out: BlockSlice[] = [];
  let pos = offset;
  while (pos < end) {
    const index = Math.floor(pos / blockSize);
    const blockEnd = Math.min((index + 1) * blockSize, end);
    out.push({ index, offsetInBlock: pos - index * blockSize, length: blockEnd - pos, fileOffset: pos });
    pos = blockEnd;
  }
  return out;
}

/**
 * Stable key of a block: hex SHA-256 of the identity tuple, so it is safe as a file name
 * whatever characters the path holds, and equal on every host.
 */
export function blockKey(dataset: string, path: string, version: string, index: number, blockSize: number = DEFAULT_BLOCK_SIZE): string {
  checkNonNegInt(index, 'index');
  return createHash('sha256').update(JSON.stringify([dataset, path, version, blockSize, index])).digest('hex');
}
