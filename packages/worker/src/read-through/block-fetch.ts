// One in-flight fetch of one block from its UFS, shared by every reader of that block. Two modes:
// - file: the fetch writes the block file (its ranges in parallel, straight from the UFS streams)
//   and readers read what is written from that file, as the written prefix grows. Nothing of the
//   block is held in memory here: the tier file is the buffer.
// - memory (no tier had room for the block): the bytes pass through a window of received chunks
//   (at most `windowBytes` ahead of the slowest reader) to the readers, without a copy; the UFS
//   stream pauses while the window is full. Nothing is stored.
//   With `retain` (the one-step fetch of a small block, which holds the whole block anyway and
//   writes its file only at the end), every chunk stays until the fetch ends, so a reader that
//   arrives after the others consumed the bytes still joins instead of starting a second GET.
import type { FileHandle } from 'node:fs/promises';
import { AbortedError, UnavailableError, type EddyError } from '@eddy/core';
import type { ValidBlockRef } from '../blocks/block-ref.js';

/** Where one reader is: the block offset of its next byte. */
interface Cursor {
  pos: number;
}

/** What the fetch's producer (the UFS streams, writing the block file or not) drives. */
export interface BlockFetchControl {
  /** Memory mode: appends UFS bytes; resolves once the window has room for more (backpressure). */
  push(chunk: Buffer, signal: AbortSignal): Promise<void>;
  /** File mode: a handle to the block file being written, through which readers get its bytes. */
  attachFile(file: FileHandle): void;
  /** File mode: bytes [0, end) are in the block file (readable through the attached handle). */
  fileWritten(end: number): void;
  /** The block file will get no more bytes (committed, or its write failed). */
  fileClosed(): void;
}

/** Bytes read from the block file per step, by a reader of a fetch in file mode. */
const READ_BACK_BYTES = 256 * 1024;

export class BlockFetch {
  readonly ref: ValidBlockRef;
  readonly #windowBytes: number;
  /** Memory mode's window: the chunks received and still held, the first at block offset #base. */
  readonly #chunks: Buffer[] = [];
  #base = 0;
  #received = 0;
  readonly #cursors = new Set<Cursor>();
  #file: FileHandle | undefined;
  #fileEnd = 0;
  #fileOpen = false;
  #finished = false;
  #retain: boolean;
  #failure: EddyError | undefined;
  #wake: Array<() => void> = [];
  /** Resolves when the fetch ends: bytes read from the UFS, whether the block was stored. */
  readonly done: Promise<{ bytes: number; stored: boolean }>;

  constructor(
    ref: ValidBlockRef, windowBytes: number, run: (fetch: BlockFetch, control: BlockFetchControl) => Promise<boolean>, toError: (err: unknown) => EddyError,
    options: { retain?: boolean } = {},
  ) {
    this.ref = ref;
    this.#windowBytes = windowBytes;
    this.#retain = options.retain === true && ref.length <= windowBytes;
    const control: BlockFetchControl = {
      push: async (chunk, signal) => await this.#push(chunk, signal),
      attachFile: (file) => { this.#file = file; this.#fileOpen = true; },
      fileWritten: (end) => this.#fileWritten(end),
      fileClosed: () => { this.#fileOpen = false; this.#trim(); },
    };
    this.done = run(this, control).then(
      (stored) => { this.#finish(); return { bytes: this.#received, stored }; },
      (err: unknown) => {
        const failure = toError(err);
        this.#finish(failure);
        throw failure;
      },
    );
    // Readers observe failures through `range`; nobody has to await `done`.
    this.done.catch(() => undefined);
  }

  /** Bytes held in memory (tests, the RSS bound). */
  get heldBytes(): number { return this.#received - this.#base; }

  /** Whether a reader of [offset, …) can still join: the bytes before the window (if any) are all in the block file. */
  canServe(offset: number): boolean {
    return !this.#finished && (offset >= this.#base || (this.#file !== undefined && this.#base <= this.#fileEnd));
  }

  /**
   * Bytes [offset, offset+length) of the block, yielded as soon as they arrive. The reader's place
   * is taken now (not at the first `next()`), so the window keeps its bytes from this call on.
   */
  range(offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
    return this.#consume({ pos: offset }, offset + length, signal);
  }

  #consume(cursor: Cursor, end: number, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
    this.#cursors.add(cursor);
    const release = (): void => {
      if (!this.#cursors.delete(cursor)) return;
      this.#trim();
      this.#maybeCloseFile();
    };
    // A generator's finally runs only once it has started: an abort releases the place too.
    signal?.addEventListener('abort', release, { once: true });
    return this.#iterate(cursor, end, signal, release);
  }

  async *#iterate(cursor: Cursor, end: number, signal: AbortSignal | undefined, release: () => void): AsyncGenerator<Buffer> {
    try {
      while (cursor.pos < end) {
        if (signal?.aborted) throw new AbortedError('read aborted');
        if (this.#failure) throw this.#failure;
        if (cursor.pos < this.#base) {
          yield await this.#readBack(cursor, Math.min(end, this.#base));
          continue;
        }
        const chunk = this.#slice(cursor.pos, end);
        if (chunk) {
          cursor.pos += chunk.length;
          this.#trim();
          yield chunk;
          continue;
        }
        if (this.#finished) {
          throw this.#failure ?? new UnavailableError(`block ${this.ref.key} ended after ${this.#received} of ${this.ref.length} bytes`);
        }
        await this.#waitForChange(signal);
      }
    } finally {
      signal?.removeEventListener('abort', release);
      release();
    }
  }

  /** The bytes at `pos` (up to `end`) held in the window, without copying; undefined if not received yet. */
  #slice(pos: number, end: number): Buffer | undefined {
    let at = this.#base;
    for (const c of this.#chunks) {
      if (pos < at + c.length) return c.subarray(pos - at, Math.min(c.length, end - at));
      at += c.length;
    }
    return undefined;
  }

  /** A reader behind the window (in file mode: every reader) reads its next bytes from the block file. */
  async #readBack(cursor: Cursor, until: number): Promise<Buffer> {
    const file = this.#file;
    if (!file || cursor.pos + 1 > this.#fileEnd) throw new UnavailableError(`block ${this.ref.key}: the reader fell behind a fetch that has no block file`);
    const n = Math.min(READ_BACK_BYTES, until - cursor.pos, this.#fileEnd - cursor.pos);
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await file.read(buf, 0, n, cursor.pos);
    if (bytesRead !== n) throw new UnavailableError(`block ${this.ref.key}: the block file is shorter than written`);
    cursor.pos += n;
    return buf;
  }

  async #push(chunk: Buffer, signal: AbortSignal): Promise<void> {
    this.#chunks.push(chunk);
    this.#received += chunk.length;
    this.#notify();
    this.#trim();
    while (this.#received - this.#base > this.#windowBytes) {
      signal.throwIfAborted();
      await this.#waitForChange(signal);
    }
  }

  /** File mode: nothing is held in memory; the window is empty and ends where the file does. */
  #fileWritten(end: number): void {
    if (end <= this.#fileEnd) return;
    this.#fileEnd = end;
    this.#received = end;
    this.#base = end;
    this.#notify();
  }

  /**
   * Drops chunks nobody needs in memory any more: below every reader. While the window is over its
   * budget it drops further, up to what is in the block file, if there is one: readers behind read
   * those bytes back from the file; readers of a fetch without a file hold the window (and so
   * pause the UFS stream).
   */
  #trim(): void {
    if (this.#retain) return;
    let soft = this.#received;
    let hard = this.#received;
    const inFile = this.#file ? this.#fileEnd : 0;
    for (const c of this.#cursors) {
      soft = Math.min(soft, c.pos);
      hard = Math.min(hard, Math.max(c.pos, inFile));
    }
    let freed = false;
    while (this.#chunks.length > 0) {
      const end = this.#base + this.#chunks[0]!.length;
      const over = this.#received - this.#base > this.#windowBytes;
      if (end > soft && !(over && end <= hard)) break;
      this.#chunks.shift();
      this.#base = end;
      freed = true;
    }
    if (freed) this.#notify();
  }

  #finish(err?: EddyError): void {
    this.#finished = true;
    this.#failure = err;
    this.#retain = false;
    this.#trim();
    this.#notify();
    this.#maybeCloseFile();
  }

  /** The read-back handle goes once the file is written and no reader can need it any more. */
  #maybeCloseFile(): void {
    if (!this.#file || this.#fileOpen || !this.#finished || this.#cursors.size > 0) return;
    const file = this.#file;
    this.#file = undefined;
    void file.close().catch(() => undefined);
  }

  async #waitForChange(signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => { signal?.removeEventListener('abort', done); resolve(); };
      this.#wake.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = [];
    for (const f of w) f();
  }
}
