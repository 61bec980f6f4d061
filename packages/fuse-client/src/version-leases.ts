// Tells the master which versions this mount has open (HoldVersions), so that the blocks of a
// version replaced in the bucket stay cached, pinned on their workers, while a handle reads it.
// The whole set is sent each time (level-triggered): at once when it changes, and as a renewal
// every third of the lease the master grants; a mount that dies stops renewing and its lease
// expires. At most one call is in flight; changes made meanwhile go in the next one.
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
    this.#flush();
  }

  #flush(): void {
    if (this.#inFlight || this.#closed) return;
    this.#dirty = false;
    const files = [...this.#held.values()].map((h) => ({ ...h.file, isDir: false }));
    const { dataset, clientId, timeoutMs } = this.#o;
    this.#inFlight = this.#o.hold({ dataset, clientId, files }, { timeoutMs, signal: this.#abort.signal }).then(
      (res) => {
        this.#failures = 0;
        this.#masterHolds = files.length > 0;
        if (res.leaseMs > 0) this.#renewMs = Math.max(100, Math.floor(res.leaseMs / 3));
      },
      (err: unknown) => {
        // The master keeps the previous set until its lease runs out; try again soon.
        this.#dirty = true;
        if (this.#failures++ === 0) this.#o.logger.warn({ err }, 'could not tell the master which versions are open; retrying');
      },
    ).finally(() => {
      this.#inFlight = undefined;
      this.#schedule();
    });
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    if (this.#dirty && this.#failures === 0) {
      this.#flush();
      return;
    }
    if (!this.#dirty && this.#held.size === 0 && !this.#masterHolds) return;
    const wait = this.#failures > 0 ? this.#o.retryMs : this.#renewMs;
    this.#timer = setTimeout(() => this.#flush(), wait);
    this.#timer.unref();
  }
}
