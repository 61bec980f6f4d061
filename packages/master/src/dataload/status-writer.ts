// Writes one DataLoad's status to the journal: on every phase change and at most every
// `minIntervalMs` during a run, so a watcher (or a restarted master) sees a run alive and its
// duration growing. Writes are serialised, newest last; after stop() queued writes are dropped
// (the DataLoad was deleted and its key is about to be removed).
import type { Logger } from 'pino';
import type { DataLoadJournal } from './dataload-context.js';
import { dataLoadJournalKey, type DataLoadStatus } from './dataload-status.js';

export class StatusWriter {
  readonly #key: string;
  readonly #journal: DataLoadJournal;
  readonly #log: Logger;
  readonly #minIntervalMs: number;
  #chain: Promise<void> = Promise.resolve();
  #lastWriteMs = 0;
  #stopped = false;

  constructor(name: string, journal: DataLoadJournal, log: Logger, minIntervalMs: number) {
    this.#key = dataLoadJournalKey(name);
    this.#journal = journal;
    this.#log = log;
    this.#minIntervalMs = minIntervalMs;
  }

  /** Queues a write of `status` as it is now; resolves when it (and every earlier one) settled. */
  write(status: DataLoadStatus): Promise<void> {
    if (this.#stopped) return this.#chain;
    this.#lastWriteMs = Date.now();
    const snapshot = structuredClone(status);
    this.#chain = this.#chain
      .then(() => (this.#stopped ? undefined : this.#journal.put(this.#key, snapshot)))
      .catch((err: unknown) => {
        this.#log.error({ err }, 'could not persist DataLoad status');
      });
    return this.#chain;
  }

  /** Writes unless the last write is younger than the minimum interval. */
  writeThrottled(status: DataLoadStatus): void {
    if (Date.now() - this.#lastWriteMs >= this.#minIntervalMs) void this.write(status);
  }

  /** No further writes; resolves when the ones in flight settled. */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#chain;
  }

  /** Resolves when every queued write settled. */
  settled(): Promise<void> {
    return this.#chain;
  }
}
