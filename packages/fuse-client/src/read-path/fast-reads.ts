// The JavaScript half of the fast read path. A kernel read of a block that this mount has pinned
// in a local tier file can be answered in the libfuse thread that received it, in C, by a pread
// into libfuse's buffer (patches/fuse-native+2.2.6.patch): Node's event loop is not woken, and
// every libfuse thread serves reads at once, as s3fs's do (docs/performance.md).
//
// Every decision stays here, in JavaScript; the C table only mirrors it. A handle's block is
// entered once JS itself has served a read of it from a pinned file of the handle's own version
// (the short-circuit), so the version checks and snapshot-per-open do not move. A block a local
// worker FETCHed for us enters at its first read too: its bytes are misses (the bucket's) until
// they were all returned once, so the entry takes the FETCH's remaining miss bytes (MissBudget)
// and C counts its first reads as misses, then hits. Bytes of that block that JS returns meanwhile
// (another handle, a read across the block's end, a readahead chunk) spend the entry's budget too
// (spendMisses), and what is left goes back when the entry leaves: each byte the worker read from
// the bucket is metered as a miss once, exactly, whoever returned it. An entry leaves the table when its handle closes or its file
// leaves the pinned files (idle, evicted, worker failed, a short read), always before the file is
// closed and its pin released: nothing in the table outlives its pin, and the C side's lock makes
// the removal wait for a pread in flight.
//
// Memory entries: a small file (one block, streamed rather than pinned) is read whole by JS at its
// open, through the handle's own pinned version like any first read, and handed to C as a buffer,
// so none of the handle's reads reaches JS (a warm small file otherwise cost a JS round trip for
// its read). The buffer stays referenced here until C has let go of it at close; all such buffers
// together stay within a byte budget (openReadBytes).
import { ReadaheadBudget } from './readahead-budget.js';

/**
 * The bytes of a FETCHed block still to be metered as misses (short-circuit.ts's FETCH memory,
 * shared by every handle reading the block): an entry takes them all, and gives back what C did not count.
 */
export interface MissBudget {
  ufsLeft: number;
  /** The C entry that holds the rest of them (set and cleared by FastReads only). */
  heldBy?: object | undefined;
}

/** What remove() learnt of the entry it removed. */
export interface FastRemoved {
  /** Reads a memory entry answered (-1: no entry, or a file entry, or the binary does not say). */
  reads: number;
  /** Miss bytes given to add() that C did not count (0: none, or no entry). */
  missesLeft: number;
}

/** The native table: the patched fuse-native's fast read table of one mount (NativeFastReads). */
export interface FastReadTable {
  /**
   * From now on, reads by handle `fh` that lie inside block `index` are preads of `fd`, where the
   * block's `length` bytes start at `fileOffset`; the first `missBytes` bytes they return are counted
   * as misses. False when refused (not mounted, another block size, or misses the binary cannot count).
   */
  add(fh: number, index: number, fd: number, fileOffset: number, length: number, blockSize: number, missBytes: number): boolean;
  /** Whether add() can take miss bytes (the loaded binary counts misses). */
  readonly countsMisses: boolean;
  /**
   * Reads by handle `fh` inside block 0 are answered from `data` (the whole file, shorter than a
   * block) until remove(fh, 0, -1). False when refused (not mounted, a binary without memory entries).
   */
  addMemory(fh: number, data: Buffer, blockSize: number): boolean;
  /** Whether addMemory() can take anything (the loaded binary has memory entries). */
  readonly memoryEntries: boolean;
  /** Forgets that entry if it still names `fd` (-1: the memory entry); returns once no pread of it is in flight. */
  remove(fh: number, index: number, fd: number): FastRemoved;
  /** Takes up to `n` bytes of that entry's miss bytes (if it still names `fd`): how many it took. */
  spendMisses(fh: number, index: number, fd: number, n: number): number;
}

/** A pinned, open block file entries may name (a LocalFile of block-files.ts). */
export interface FastFile {
  readonly fd: number;
  readonly fastEntries: Set<FastEntry>;
  readonly disposed: boolean;
}

interface FastEntry {
  readonly handle: FastHandle;
  readonly index: number;
  readonly file: FastFile;
  /** Where the miss bytes C did not count go back to (a FETCHed block's entry that took some). */
  readonly misses: MissBudget | undefined;
}

/** The fast-path state of one open handle: its FUSE fh and the blocks entered for it. */
export class FastHandle {
  readonly fh: number;
  readonly blocks = new Map<number, FastEntry>();
  /** The whole file, answered from memory by C (block 0), and its bytes of the budget. */
  memory: Buffer | undefined = undefined;
  /** Reads C answered from `memory`, known once the handle closed (-1: not known). */
  memoryReads = -1;
  closed = false;

  constructor(fh: number) {
    this.fh = fh;
  }

  /**
   * The kernel read at `offset` continues a sequential read the libfuse threads served: it is at
   * the start of the block after one of ours. JS saw none of those reads, so its readahead cannot tell.
   */
  follows(offset: number, blockSize: number): boolean {
    const index = Math.floor(offset / blockSize);
    return index > 0 && offset - index * blockSize < FOLLOW_BYTES && this.blocks.has(index - 1);
  }
}

/** How far into the next block a read still counts as the sequential reader's next one (a few kernel reads). */
const FOLLOW_BYTES = 1 << 20;

export class FastReads {
  readonly #table: FastReadTable;
  readonly #memory: ReadaheadBudget;

  /** `memoryBytes`: what all memory entries may hold together (0: none are made). */
  constructor(table: FastReadTable, memoryBytes = 0) {
    this.#table = table;
    this.#memory = new ReadaheadBudget(memoryBytes);
  }

  /** Takes `bytes` of the memory entries' budget for a read at open; false: do not read it. */
  reserveMemory(bytes: number): boolean {
    return this.#table.memoryEntries && bytes > 0 && this.#memory.tryAcquire(bytes);
  }

  /** Gives back a reservation that did not become an entry. */
  unreserveMemory(bytes: number): void {
    this.#memory.release(bytes);
  }

  get memoryBytes(): number { return this.#memory.used; }

  /**
   * Reads by `handle` inside block 0 are answered in C from `data` (the whole file, its bytes
   * reserved with reserveMemory) from now on. False when refused: the reservation is given back.
   */
  enterMemory(handle: FastHandle, data: Buffer, blockSize: number): boolean {
    if (handle.closed || handle.memory || handle.blocks.size > 0 || !this.#table.addMemory(handle.fh, data, blockSize)) {
      this.#memory.release(data.length);
      return false;
    }
    handle.memory = data;
    return true;
  }

  /**
   * Reads by `handle` inside block `index` (`length` bytes, at 0 in `file`) are answered in C from
   * now on. `misses`: the block was FETCHed for us and some of its bytes are still misses; the entry
   * takes them (C counts them) and gives back what it did not count when it leaves.
   */
  enter(handle: FastHandle, index: number, file: FastFile, length: number, blockSize: number, misses?: MissBudget): void {
    // Block 0 of a handle with a memory entry is answered from memory already.
    if (handle.closed || file.disposed || (index === 0 && handle.memory)) return;
    if ((misses?.ufsLeft ?? 0) > 0 && !this.#table.countsMisses) return;
    const old = handle.blocks.get(index);
    if (old?.file === file) return;
    // Another file for the same block (pinned again): its entry leaves first, giving back its misses.
    if (old) this.#remove(old);
    // Another handle's entry counts this block's misses: this handle's reads of it stay in JS, which
    // spends them from that entry (spendMisses), until it leaves; a second budget-less entry would count them as hits.
    if (misses?.heldBy) return;
    const missBytes = misses?.ufsLeft ?? 0;
    if (!this.#table.add(handle.fh, index, file.fd, 0, length, blockSize, missBytes)) return;
    const entry: FastEntry = { handle, index, file, misses: missBytes > 0 ? misses : undefined };
    if (misses && missBytes > 0) {
      misses.ufsLeft -= missBytes;
      misses.heldBy = entry;
    }
    handle.blocks.set(index, entry);
    file.fastEntries.add(entry);
  }

  /**
   * JS returned `n` bytes of a block whose misses `budget` counts, beyond what is left in JS: takes
   * up to `n` from the C entry that holds the rest; the bytes taken are misses for the caller to meter.
   */
  spendMisses(budget: MissBudget, n: number): number {
    const e = budget.heldBy as FastEntry | undefined;
    return e && n > 0 ? this.#table.spendMisses(e.handle.fh, e.index, e.file.fd, n) : 0;
  }

  /** `file` is about to be closed: no libfuse thread reads it after this returns. Idempotent. */
  dropFile(file: FastFile): void {
    for (const e of [...file.fastEntries]) this.#remove(e);
  }

  /**
   * `handle` closed: none of its entries stays. Idempotent. `blocks` mirrors the handle's C entries
   * exactly (an entry is kept only when add() took it, and leaves both at once), so each is removed
   * by its key (the binary's remove-handle call scans the whole table under the write lock,
   * stalling every pread), and a handle that entered nothing does not reach C at all.
   */
  dropHandle(handle: FastHandle): void {
    if (handle.closed) return;
    handle.closed = true;
    for (const e of [...handle.blocks.values()]) this.#remove(e);
    if (handle.memory) {
      // C has let go of the buffer once remove() returned: only then is it dropped.
      handle.memoryReads = this.#table.remove(handle.fh, 0, -1).reads;
      this.#memory.release(handle.memory.length);
      handle.memory = undefined;
    }
  }

  /** Takes `e` out of C and of both sides' sets; the misses C did not count go back to their FETCH. */
  #remove(e: FastEntry): void {
    const { missesLeft } = this.#table.remove(e.handle.fh, e.index, e.file.fd);
    if (e.misses) {
      e.misses.ufsLeft += missesLeft;
      if (e.misses.heldBy === e) e.misses.heldBy = undefined;
    }
    e.file.fastEntries.delete(e);
    if (e.handle.blocks.get(e.index) === e) e.handle.blocks.delete(e.index);
  }
}
