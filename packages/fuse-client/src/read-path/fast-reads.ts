// The JavaScript half of the fast read path. A kernel read of a block that this mount has pinned
// in a local tier file can be answered in the libfuse thread that received it, in C, by a pread
// into libfuse's buffer (patches/fuse-native+2.2.6.patch): Node's event loop is not woken, and
// every libfuse thread serves reads at once, as s3fs's do (docs/performance.md).
//
// Every decision stays here, in JavaScript; the C table only mirrors it. A handle's block is
// entered once JS itself has served a read of it from a pinned file of the handle's own version
// (the short-circuit, counted as a local hit), so the version checks, snapshot-per-open and the
// FETCH accounting do not move. An entry leaves the table when its handle closes or its file
// leaves the pinned files (idle, evicted, worker failed, a short read), always before the file is
// closed and its pin released: nothing in the table outlives its pin, and the C side's lock makes
// the removal wait for a pread in flight.

/** The native table: the patched fuse-native's fast read table of one mount (NativeFastReads). */
export interface FastReadTable {
  /**
   * From now on, reads by handle `fh` that lie inside block `index` are preads of `fd`, where the
   * block's `length` bytes start at `fileOffset`. False when refused (not mounted, or another block size).
   */
  add(fh: number, index: number, fd: number, fileOffset: number, length: number, blockSize: number): boolean;
  /** Forgets that entry if it still names `fd`; returns once no pread of it is in flight. */
  remove(fh: number, index: number, fd: number): void;
  /** Forgets every entry of handle `fh`. */
  removeHandle(fh: number): void;
}

/** A pinned, open block file entries may name (a LocalFile of block-files.ts). */
export interface FastFile {
  readonly fd: number;
  readonly fastEntries: Set<FastEntry>;
  readonly disposed: boolean;
}

interface FastEntry { readonly handle: FastHandle; readonly index: number; readonly file: FastFile }

/** The fast-path state of one open handle: its FUSE fh and the blocks entered for it. */
export class FastHandle {
  readonly fh: number;
  readonly blocks = new Map<number, FastEntry>();
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

  constructor(table: FastReadTable) {
    this.#table = table;
  }

  /** Reads by `handle` inside block `index` (`length` bytes, at 0 in `file`) are answered in C from now on. */
  enter(handle: FastHandle, index: number, file: FastFile, length: number, blockSize: number): void {
    if (handle.closed || file.disposed) return;
    const old = handle.blocks.get(index);
    if (old?.file === file) return;
    // Another file for the same block (pinned again): add() replaces the C entry.
    if (old) old.file.fastEntries.delete(old);
    handle.blocks.delete(index);
    if (!this.#table.add(handle.fh, index, file.fd, 0, length, blockSize)) return;
    const entry: FastEntry = { handle, index, file };
    handle.blocks.set(index, entry);
    file.fastEntries.add(entry);
  }

  /** `file` is about to be closed: no libfuse thread reads it after this returns. Idempotent. */
  dropFile(file: FastFile): void {
    for (const e of file.fastEntries) {
      this.#table.remove(e.handle.fh, e.index, file.fd);
      if (e.handle.blocks.get(e.index) === e) e.handle.blocks.delete(e.index);
    }
    file.fastEntries.clear();
  }

  /** `handle` closed: none of its entries stays. Idempotent. */
  dropHandle(handle: FastHandle): void {
    if (handle.closed) return;
    handle.closed = true;
    this.#table.removeHandle(handle.fh);
    for (const e of handle.blocks.values()) e.file.fastEntries.delete(e);
    handle.blocks.clear();
  }
}
