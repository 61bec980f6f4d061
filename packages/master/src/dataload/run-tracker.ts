// Turns LoadBlocks results into a run's progress: a block counts as done once every worker it
// was sent to has it, a file once all its blocks are done; the first failed block of a file
// names the file in failedFiles (and the file never counts as done).
import type { DataLoadPlan } from './dataload-planner.js';
import type { DataLoadStatus } from './dataload-status.js';

interface BlockState {
  path: string;
  length: number;
  pending: number;
  failed: boolean;
}

export class RunTracker {
  readonly #status: DataLoadStatus;
  readonly #blocks = new Map<string, BlockState>();
  readonly #blocksLeft: Map<string, number>;
  readonly #failedPaths = new Set<string>();

  /** Counts what the plan found already held as done. */
  constructor(plan: DataLoadPlan, status: DataLoadStatus) {
    this.#status = status;
    this.#blocksLeft = new Map(plan.blocksLeft);
    for (const [key, b] of plan.blocks) this.#blocks.set(key, { path: b.path, length: b.length, pending: b.copies, failed: false });
    status.progress.bytesDone += plan.bytesHeld;
    for (const left of this.#blocksLeft.values()) if (left === 0) status.progress.filesDone += 1;
  }

  /** One worker confirmed holding the block; `bytesFetched` is what it read from the UFS. */
  loaded(key: string, bytesFetched: number): void {
    this.#status.progress.bytesFetched += bytesFetched;
    const b = this.#blocks.get(key);
    if (b === undefined || b.failed) return;
    b.pending -= 1;
    if (b.pending > 0) return;
    this.#status.progress.bytesDone += b.length;
    const left = (this.#blocksLeft.get(b.path) ?? 1) - 1;
    this.#blocksLeft.set(b.path, left);
    if (left === 0 && !this.#failedPaths.has(b.path)) this.#status.progress.filesDone += 1;
  }

  /** The block could not be loaded; its file is reported once, with the first reason. */
  failed(key: string, message: string): void {
    const b = this.#blocks.get(key);
    if (b === undefined || b.failed) return;
    b.failed = true;
    if (this.#failedPaths.has(b.path)) return;
    this.#failedPaths.add(b.path);
    this.#status.failedFiles.push({ path: b.path, message });
  }
}
