// The fast read table of one mount over the patched fuse-native (fuse-native.c, "the fast read
// path"), and the reads its libfuse threads answered there. Those reads never reach JavaScript,
// so the C side counts them and drain() books them where every other read is booked: the read
// stats, the read meter (local bytes: the dataset's hit ratio) and the FUSE-operation counter.
import type Fuse from 'fuse-native';
import type { FastReadTable } from './read-path/fast-reads.js';
import type { ReadMeter, ReadStats } from './read-path/sources.js';

/** Where drain() books the reads answered in C. */
export interface FastReadSink {
  stats: ReadStats;
  /** Bytes of file entries only: those of memory entries were metered when JS read them. */
  meter: ReadMeter;
  /** `ops` FUSE reads answered (all succeeded). */
  fuseReads(ops: number): void;
}

export class NativeFastReads implements FastReadTable {
  readonly memoryEntries: boolean;
  #fuse: Fuse | undefined;
  /** Filled by the C side: operations and bytes from files, operations from memory entries (native doubles). */
  readonly #taken = Buffer.alloc(24);
  readonly #counts = new Float64Array(this.#taken.buffer, this.#taken.byteOffset, 3);

  /** `memoryEntries`: the loaded binary has them (Fuse.SUPPORTS_FAST_READ_MEMORY). */
  constructor(memoryEntries: boolean) {
    this.memoryEntries = memoryEntries;
  }

  /** The mount, once created; until then nothing is added and every read goes to JS. */
  attach(fuse: Fuse): void {
    this.#fuse = fuse;
  }

  add(fh: number, index: number, fd: number, fileOffset: number, length: number, blockSize: number): boolean {
    return this.#fuse?.fastReadAdd(fh, index, fd, fileOffset, length, blockSize) ?? false;
  }

  addMemory(fh: number, data: Buffer, blockSize: number): boolean {
    return (this.memoryEntries && this.#fuse?.fastReadAddMemory?.(fh, data, blockSize)) ?? false;
  }

  remove(fh: number, index: number, fd: number): number {
    return this.#fuse?.fastReadRemove(fh, index, fd) ?? -1;
  }

  /** Books the reads answered in C since the last call (see the top of this file). */
  drain(sink: FastReadSink): void {
    if (!this.#fuse) return;
    // A binary before memory entries writes only the first two.
    this.#counts.fill(0);
    this.#fuse.fastReadTake(this.#taken);
    const [ops = 0, bytes = 0, memoryOps = 0] = this.#counts;
    if (ops > 0) {
      sink.stats.local += ops;
      sink.stats.fastLocal += ops;
      sink.meter.read('local', bytes, ops);
    }
    sink.stats.fastMemory += memoryOps;
    if (ops + memoryOps > 0) sink.fuseReads(ops + memoryOps);
  }
}
