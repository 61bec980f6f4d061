// The fast read table of one mount over the patched fuse-native (fuse-native.c, "the fast read
// path"), and the reads its libfuse threads answered there. Those reads never reach JavaScript,
// so the C side counts them and drain() books them where every other read is booked: the read
// stats, the read meter (local bytes, and the misses of a FETCHed block's first reads: the
// dataset's hit ratio) and the FUSE-operation counter.
import type Fuse from 'fuse-native';
import type { FastReadTable, FastRemoved } from './read-path/fast-reads.js';
import type { ReadMeter, ReadStats } from './read-path/sources.js';

/** Where drain() books the reads answered in C. */
export interface FastReadSink {
  stats: ReadStats;
  /** Bytes of file entries only: those of memory entries were metered when JS read them. */
  meter: ReadMeter;
  /** `ops` FUSE reads answered (all succeeded). */
  fuseReads(ops: number): void;
}

/**
 * The counters fastReadTake() fills, as native doubles, in this order (a binary before misses
 * writes the first three): file reads of hits only and their bytes, reads from memory entries, file
 * reads that returned miss bytes and those bytes, and those of them that returned hits too, with those hit bytes.
 */
const TAKEN = ['ops', 'bytes', 'memoryOps', 'missOps', 'missBytes', 'mixedOps', 'mixedHitBytes'] as const;

export class NativeFastReads implements FastReadTable {
  readonly memoryEntries: boolean;
  readonly countsMisses: boolean;
  #fuse: Fuse | undefined;
  readonly #taken = Buffer.alloc(TAKEN.length * 8);
  readonly #counts = new Float64Array(this.#taken.buffer, this.#taken.byteOffset, TAKEN.length);
  /** Filled by a removal: the entry's reads (memory entries) and its miss bytes C did not count. */
  readonly #removedOut = Buffer.alloc(16);
  readonly #removed = new Float64Array(this.#removedOut.buffer, this.#removedOut.byteOffset, 2);

  /**
   * `memoryEntries`: the loaded binary has them (Fuse.SUPPORTS_FAST_READ_MEMORY); `countsMisses`: it
   * counts a FETCHed block's first bytes as misses (Fuse.SUPPORTS_FAST_READ_MISSES).
   */
  constructor(memoryEntries: boolean, countsMisses = false) {
    this.memoryEntries = memoryEntries;
    this.countsMisses = countsMisses;
  }

  /** The mount, once created; until then nothing is added and every read goes to JS. */
  attach(fuse: Fuse): void {
    this.#fuse = fuse;
  }

  add(fh: number, index: number, fd: number, fileOffset: number, length: number, blockSize: number, missBytes: number): boolean {
    if (missBytes > 0 && !this.countsMisses) return false;
    return this.#fuse?.fastReadAdd(fh, index, fd, fileOffset, length, blockSize, missBytes) ?? false;
  }

  addMemory(fh: number, data: Buffer, blockSize: number): boolean {
    return (this.memoryEntries && this.#fuse?.fastReadAddMemory?.(fh, data, blockSize)) ?? false;
  }

  remove(fh: number, index: number, fd: number): FastRemoved {
    if (!this.#fuse) return { reads: -1, missesLeft: 0 };
    this.#removed.fill(0);
    const reads = this.#fuse.fastReadRemove(fh, index, fd, this.#removedOut) ?? -1;
    return { reads, missesLeft: this.countsMisses ? this.#removed[1]! : 0 };
  }

  spendMisses(fh: number, index: number, fd: number, n: number): number {
    return (this.countsMisses && this.#fuse?.fastReadSpendMisses?.(fh, index, fd, n)) || 0;
  }

  /** Books the reads answered in C since the last call (see the top of this file). */
  drain(sink: FastReadSink): void {
    if (!this.#fuse) return;
    this.#counts.fill(0);
    this.#fuse.fastReadTake(this.#taken);
    const [ops = 0, bytes = 0, memoryOps = 0, missOps = 0, missBytes = 0, mixedOps = 0, mixedHitBytes = 0] = this.#counts;
    // A read with miss bytes is a FETCHed block's (fetchedLocal, as when JS answers it); a mixed
    // one returned both the last misses and the first hits, and is booked under both, as JS does.
    sink.stats.local += ops;
    sink.stats.fetchedLocal += missOps;
    sink.stats.fastLocal += ops + missOps;
    if (bytes + mixedHitBytes > 0) sink.meter.read('local', bytes + mixedHitBytes, ops + mixedOps);
    if (missBytes > 0) sink.meter.read('ufs', missBytes, missOps);
    sink.stats.fastMemory += memoryOps;
    if (ops + missOps + memoryOps > 0) sink.fuseReads(ops + missOps + memoryOps);
  }
}
