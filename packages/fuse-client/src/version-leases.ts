// Tells the master which versions this mount has open (HoldVersions), so that the blocks of a
// version replaced in the bucket stay cached, pinned on their workers, while a handle reads it.
// The whole set is sent each time (level-triggered): when it changes, and as a renewal every third
// of the lease the master grants; a mount that dies stops renewing and its lease expires. At most
// one call is in flight; changes made meanwhile go in the next one.
//
// A change after a quiet spell is sent at once; changes that follow within `batchMs` of a call wait
// for one call at the end of that window, so a reader opening many small files costs the master a
// few calls a second, not two per file, and a file opened and closed inside the window costs none.
// Never on an open's path: the master keeps a replaced version's blocks for a grace period longer
// than the window anyway (replaced-version-grace.ts); the lease is what keeps them past it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@eddy/core';

export interface LeasedFile {
  path: string;
  version: string;
  size: number;
  versionId: string;
  mtimeMs: number;
}

/** The master call, as narrow as the leases need it. */
export type HoldVersionsCall = (
  request: { dataset: string; clientId: string; files: Array<LeasedFile & { isDir: boolean }> },
  options: { timeoutMs: number; signal?: AbortSignal },
) => Promise<{ leaseMs: number }>;

export interface VersionLeasesOptions {
  hold: HoldVersionsCall;
  dataset: string;
  /** Unique per mount process. */
  clientId: string;
  timeoutMs: number;
  /** Renewal period until the master has said how long its lease is. */
  initialRenewMs: number;
  /** Wait after a failed call before the next try. */
  retryMs: number;
  /** Least time between the starts of two calls sent for changes (0: each change as soon as none is in flight). */
  batchMs: number;
  logger: Logger;
}

export class VersionLeases {
  readonly #o: VersionLeasesOptions;
  /** path\0version → the file and how many handles have it open. */
  readonly #held = new Map<string, { file: LeasedFile; handles: number }>();
  #dirty = false;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #renewMs: number;
  /** Whether the master's last view of this mount is non-empty (an empty set needs no renewal). */
  #masterHolds = false;
  #failures = 0;
  /** When the last call started, and the set it sent (so a change that came back to it sends nothing). */
  #lastCallAt = -Infinity;
  #lastSent = '';
  #closed = false;
  readonly #abort = new AbortController();

  constructor(options: VersionLeasesOptions) {
    this.#o = options;
    this.#renewMs = options.initialRenewMs;
  }

  /** Versions held now, for tests and diagnostics. */
  get size(): number {
    return this.#held.size;
  }

  acquire(file: LeasedFile): void {
    const id = `${file.path}\0${file.version}`;
    const h = this.#held.get(id);
    if (h) {
      h.handles++;
      return;
    }
    this.#held.set(id, { file, handles: 1 });
    this.#changed();
  }

  release(file: Pick<LeasedFile, 'path' | 'version'>): void {
    const id = `${file.path}\0${file.version}`;
    const h = this.#held.get(id);
    if (!h || --h.handles > 0) return;
    this.#held.delete(id);
    this.#changed();
  }

  /** Waits for the calls in flight or due (tests; close). */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  /** Stops renewing and releases everything at the master (best effort). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#inFlight;
    if (!this.#masterHolds) return;
    const { dataset, clientId, timeoutMs } = this.#o;
    try {
      await this.#o.hold({ dataset, clientId, files: [] }, { timeoutMs: Math.min(timeoutMs, 2_000) });
    } catch (err) {
      this.#o.logger.debug({ err }, 'could not release held versions at close; the lease expires');
    }
  }

  #changed(): void {
    if (this.#closed) return;
    this.#dirty = true;
    this.#flush(false);
  }

  /** Sends the set: for a change (`renewal` false) not before batchMs after the last call, and only if it differs from it. */
  #flush(renewal: boolean): void {
    if (this.#inFlight || this.#closed) return;
    const wait = renewal ? 0 : this.#lastCallAt + this.#o.batchMs - Date.now();
    // The wait counts as in flight: settled() waits for it, and changes meanwhile join the call.
    const call = wait > 0
      ? sleep(wait, undefined, { signal: this.#abort.signal }).then(async () => await this.#send(renewal))
      : this.#send(renewal);
    this.#inFlight = call.catch(() => undefined).finally(() => {
      this.#inFlight = undefined;
      this.#schedule();
    });
  }

  async #send(renewal: boolean): Promise<void> {
    this.#dirty = false;
    const files = [...this.#held.values()].map((h) => ({ ...h.file, isDir: false }));
    const sent = [...this.#held.keys()].sort().join('\n');
    // Opened and closed again since the last call: the master already has this set.
    if (!renewal && sent === this.#lastSent && this.#failures === 0) return;
    const { dataset, clientId, timeoutMs } = this.#o;
    this.#lastCallAt = Date.now();
    try {
      const res = await this.#o.hold({ dataset, clientId, files }, { timeoutMs, signal: this.#abort.signal });
      this.#failures = 0;
      this.#masterHolds = files.length > 0;
      this.#lastSent = sent;
      if (res.leaseMs > 0) this.#renewMs = Math.max(100, Math.floor(res.leaseMs / 3));
    } catch (err) {
      // The master keeps the previous set until its lease runs out; try again soon.
      this.#dirty = true;
      if (this.#failures++ === 0 && !this.#closed) this.#o.logger.warn({ err }, 'could not tell the master which versions are open; retrying');
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    if (this.#dirty && this.#failures === 0) {
      this.#flush(false);
      return;
    }
    if (!this.#dirty && this.#held.size === 0 && !this.#masterHolds) return;
    const wait = this.#failures > 0 ? this.#o.retryMs : this.#renewMs;
    this.#timer = setTimeout(() => this.#flush(true), wait);
    this.#timer.unref();
  }
}
