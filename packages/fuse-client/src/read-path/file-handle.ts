// What the read path keeps per open file handle: the version it pinned, its readahead, what its
// short-circuit reads remember (with the blocks libfuse's threads answer for it, fast-reads.ts),
// and the operations in flight, which close() aborts.
//
// Each operation gets an AbortController of its own, kept in a set until it settles, rather than
// a listener on one handle-wide signal: a 64 MiB readahead window is 16 chunks in flight, each
// with its slices and RPCs, which would pass Node's listener warning (and setMaxListeners would
// only hide it).
import { AbortedError, type BufferPool } from '@eddy/core';
import type { ReadaheadOptions } from '../mount-options.js';
import { FastHandle, type FastReads } from './fast-reads.js';
import type { PinnedVersion } from './pinned-version.js';
import { Readahead } from './readahead.js';
import type { ReadaheadBudget } from './readahead-budget.js';
import { newLocalCursor, type LocalCursor } from './short-circuit.js';

/** Reads [offset, offset+length) of `pinned`; what the handle's readahead schedules (`into`: see RangeFetch). */
export type PinnedRangeFetch =
  (pinned: PinnedVersion, offset: number, length: number, sequential: boolean, signal: AbortSignal, into?: Buffer) => Promise<Buffer>;

export class FileHandle {
  readonly pinned: PinnedVersion;
  readonly readahead: Readahead;
  readonly cursor: LocalCursor;
  readonly #fast: FastReads | undefined;
  /** Reads of this handle that reached JavaScript (BlockSource.readInto). */
  jsReads = 0;
  readonly #inFlight = new Set<AbortController>();
  /**
   * Aborted at close(), like every controller in #inFlight; see `signal`. Made at the first use:
   * a small file answered in C never asks for it, and a controller plus the AbortedError that
   * aborts it were a tenth of the mount's CPU per warm small file (docs/performance.md).
   */
  #closer: AbortController | undefined;
  #closed = false;

  /**
   * `fast` and `fh` (the handle's FUSE file handle): its local blocks may be read by libfuse's
   * threads. `pool`: the readahead's chunks are read into its reused buffers.
   */
  constructor(
    pinned: PinnedVersion, budget: ReadaheadBudget, readahead: ReadaheadOptions, fetch: PinnedRangeFetch, fast?: FastReads, fh?: number,
    pool?: BufferPool,
  ) {
    this.pinned = pinned;
    this.#fast = fh === undefined ? undefined : fast;
    this.cursor = newLocalCursor(this.#fast ? new FastHandle(fh!) : undefined);
    this.readahead = new Readahead(pinned.size, budget, readahead, async (offset, length, sequential, into) =>
      await this.run(async (signal) => await fetch(pinned, offset, length, sequential, signal, into)), pool);
  }

  get closed(): boolean { return this.#closed; }

  /**
   * After close(): whether any read of this handle reached the mount, in JS or in C from its memory
   * entry (a file entry is only made after a JS read). False: the kernel found every byte it wanted
   * in its page cache, or nothing was read.
   */
  get readsReachedUs(): boolean {
    return this.jsReads > 0 || (this.cursor.fast?.memoryReads ?? 0) > 0;
  }

  /**
   * Aborted at close(). For the short-circuit's kernel reads, which mostly finish without waiting:
   * an AbortController of their own per kernel read was the mount's costliest JS frame after the pread
   * (docs/performance.md). The few that wait on an RPC (a location batch, shared by the block's
   * reads) listen on this signal only while it lasts.
   */
  get signal(): AbortSignal {
    if (!this.#closer) {
      this.#closer = new AbortController();
      if (this.#closed) this.#closer.abort(this.#closedError());
    }
    return this.#closer.signal;
  }

  /** Runs `op` with a signal that close() aborts. */
  async run<T>(op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#closedError();
    const controller = new AbortController();
    this.#inFlight.add(controller);
    try {
      return await op(controller.signal);
    } finally {
      this.#inFlight.delete(controller);
    }
  }

  /** Aborts what is in flight and forgets the readahead; safe to call more than once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // First: no libfuse thread serves this handle once it is closed.
    if (this.cursor.fast) this.#fast?.dropHandle(this.cursor.fast);
    if (this.#closer || this.#inFlight.size > 0) {
      const reason = this.#closedError();
      this.#closer?.abort(reason);
      for (const c of this.#inFlight) c.abort(reason);
      this.#inFlight.clear();
    }
    this.readahead.close();
  }

  #closedError(): AbortedError {
    return new AbortedError(`${this.pinned.path}: file handle closed`);
  }
}
