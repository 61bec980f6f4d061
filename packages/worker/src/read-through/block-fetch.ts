// One in-flight fetch of one block from its UFS, shared by every reader of that block and by the
// writer of its block file. Memory is bounded: the fetch keeps only a window of the bytes it
// received (at most `windowBytes` ahead of the slowest consumer that needs them in memory), and
// pauses the UFS stream while the window is full. Bytes that left the window and are already in
// the block file are read back from it by readers that fell behind; the writer and live readers
// get the received chunks themselves (no copy).
import type { FileHandle } from 'node:fs/promises';
import { AbortedError, UnavailableError, type EddyError } from '@eddy/core';
import type { ValidBlockRef } from '../blocks/block-ref.js';

/** Where one consumer is: the block offset of its next byte. */
interface Cursor {
  pos: number;
  /** The block file's writer: it never reads back from the file, so it holds the window. */
  writer: boolean;
}

/** What the fetch's producer (the UFS pump, the block writer) drives. */
export interface BlockFetchControl {
  /** Appends UFS bytes; resolves once the window has room for more (the pump's backpressure). */
  push(chunk: Buffer, signal: AbortSignal): Promise<void>;
  /** A handle to the block file being written, for readers that fall behind the window. */
  attachFile(file: FileHandle): void;
  /** Bytes [0, end) are in the block file (and readable through the attached handle). */
  fileWritten(end: number): void;
  /** The block file will get no more bytes (committed, or its write failed). */
  fileClosed(): void;
}

/** Bytes read back from the block file per step, by a reader behind the window. */
const READ_BACK_BYTES = 256 * 1024;

export class BlockFetch {
  readonly ref: ValidBlockRef;
  readonly #windowBytes: number;
  /** The window: the chunks received and still held, the first at block offset #base. */
  readonly #chunks: Buffer[] = [];
  #base = 0;
  #received = 0;
  readonly #cursors = new Set<Cursor>();
  #file: FileHandle | undefined;
  #fileEnd = 0;
  #fileOpen = false;
  #finished = false;
  #failure: EddyError | undefined;
  #wake: Array<() => void> = [];
  /** Resolves when the fetch ends: bytes read from the UFS, whether the block was stored. */
  readonly done: Promise<{ bytes: number; stored: boolean }>;

  constructor(
    ref: ValidBlockRef, windowBytes: number, run: (fetch: BlockFetch, control: BlockFetchControl) => Promise<boolean>, toError: (err: unknown) => EddyError,
  ) {
    this.ref = ref;
    this.#windowBytes = windowBytes;
    const control: BlockFetchControl = {
      push: async (chunk, signal) => await this.#push(chunk, signal),
      attachFile: (file) => { this.#file = file; this.#fileOpen = true; },
      fileWritten: (end) => { this.#fileEnd = end; this.#trim(); },
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

  /** Whether a reader of [offset, …) can still join: the bytes before the window are all in the block file. */
  canServe(offset: number): boolean {
    return !this.#finished && (offset >= this.#base || (this.#file !== undefined && this.#base <= this.#fileEnd));
  }

  /**
   * Bytes [offset, offset+length) of the block, yielded as soon as they arrive. The reader's place
   * is taken now (not at the first `next()`), so the window keeps its bytes from this call on.
   */
  range(offset: number, length: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
    return this.#consume({ pos: offset, writer: false }, offset + length, signal);
  }

  /** The block file writer's view: every byte, from memory. */
  writerRange(signal: AbortSignal): AsyncGenerator<Buffer> {
    return this.#consume({ pos: 0, writer: true }, this.ref.length, signal);
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

  /** A reader behind the window reads its next bytes from the block file (they are all there). */
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

  /**
   * Drops chunks nobody needs in memory any more: below every consumer (the writer counts the bytes
   * it has written, not those it is writing). While the window is over its budget it drops further,
   * up to what is in the block file: readers behind read those bytes back from the file; only the
   * writer, and readers of a fetch without a file, hold the window (and so pause the UFS stream).
   */
  #trim(): void {
    let soft = this.#received;
    let hard = this.#received;
    const inFile = this.#file ? this.#fileEnd : 0;
    for (const c of this.#cursors) {
      soft = Math.min(soft, c.writer ? this.#fileEnd : c.pos);
      hard = Math.min(hard, c.writer ? this.#fileEnd : Math.max(c.pos, inFile));
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
