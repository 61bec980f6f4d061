// An eddy:// mount with a fallback: reads go to the upstream Eddy cluster while it answers and
// to the bucket itself (fs.eddy.fallback) when it does not. A call the upstream fails with
// "unreachable / unavailable / timed out" switches over and is answered by the fallback; its
// refusals (not found, version mismatch, access denied) are answers and pass through. While
// failed over, the upstream is probed every probe interval in the background and taken back
// as soon as it answers. Both sources report the bucket's ETags, so versions and block keys do
// not change with the source.
import type { Readable } from 'node:stream';
import { silentLogger, type Logger } from '@eddy/core';
import type { UfsListEntry, UfsListOptions, UfsObjectInfo, UfsReadOptions, UfsSourceKind, UnderFileSystem } from '../under-file-system.js';
import { isUpstreamDown } from './upstream-errors.js';

/** The upstream side: a mount that can be asked, cheaply, whether it answers again. */
export interface ProbedUfs extends UnderFileSystem {
  /** Resolves when the upstream answers; rejects (typed) when it does not. */
  probe(options?: { signal?: AbortSignal }): Promise<void>;
  /** How often a failed-over mount probes. */
  readonly probeIntervalMs: number;
}

export interface FailoverUfsOptions {
  logger?: Logger;
  /** Called when the source in use changes (metrics, status). */
  onSwitch?: (source: UfsSourceKind) => void;
  /** Clock, for tests. */
  now?: () => number;
}

export class FailoverUfs implements UnderFileSystem {
  readonly description: string;
  readonly #upstream: ProbedUfs;
  readonly #fallback: UnderFileSystem;
  readonly #logger: Logger;
  readonly #options: FailoverUfsOptions;
  #source: UfsSourceKind = 'upstream';
  #lastProbe = 0;
  #probing: Promise<void> | undefined;

  constructor(upstream: ProbedUfs, fallback: UnderFileSystem, options: FailoverUfsOptions = {}) {
    this.#upstream = upstream;
    this.#fallback = fallback;
    this.#options = options;
    this.description = `${upstream.description} (fallback ${fallback.description})`;
    this.#logger = (options.logger ?? silentLogger()).child({ ufs: upstream.description });
  }

  get source(): UfsSourceKind { return this.#source; }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<UfsObjectInfo> {
    return await this.#run(async (u) => await u.stat(path, options));
  }

  async read(path: string, options: UfsReadOptions = {}): Promise<Readable> {
    return await this.#run(async (u) => await u.read(path, options));
  }

  async *list(prefix: string, options: UfsListOptions = {}): AsyncIterable<UfsListEntry> {
    if (this.#useFallback()) { yield* this.#fallback.list(prefix, options); return; }
    let yielded = false;
    try {
      for await (const e of this.#upstream.list(prefix, options)) {
        yielded = true;
        yield e;
      }
    } catch (err) {
      // Half a listing from one source and the rest from another could repeat or miss entries.
      if (yielded || !isUpstreamDown(err)) throw err;
      this.#switchTo('fallback', err);
      yield* this.#fallback.list(prefix, options);
    }
  }

  async #run<T>(op: (u: UnderFileSystem) => Promise<T>): Promise<T> {
    if (this.#useFallback()) return await op(this.#fallback);
    try {
      return await op(this.#upstream);
    } catch (err) {
      if (!isUpstreamDown(err)) throw err;
      this.#switchTo('fallback', err);
      return await op(this.#fallback);
    }
  }

  /** True while failed over; starts a background probe of the upstream when one is due. */
  #useFallback(): boolean {
    if (this.#source === 'upstream') return false;
    const now = (this.#options.now ?? Date.now)();
    if (!this.#probing && now - this.#lastProbe >= this.#upstream.probeIntervalMs) {
      this.#lastProbe = now;
      this.#probing = this.#upstream.probe().then(
        () => this.#switchTo('upstream'),
        (err: unknown) => this.#logger.debug({ err }, 'the upstream still does not answer; staying on the fallback'),
      ).finally(() => { this.#probing = undefined; });
    }
    return this.#source === 'fallback';
  }

  #switchTo(source: UfsSourceKind, err?: unknown): void {
    if (this.#source === source) return;
    this.#source = source;
    if (source === 'fallback') {
      this.#lastProbe = (this.#options.now ?? Date.now)();
      this.#logger.warn({ err, fallback: this.#fallback.description }, 'the upstream does not answer; reading from the fallback');
    } else {
      this.#logger.info('the upstream answers again; reading from it');
    }
    this.#options.onSwitch?.(source);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#upstream.close(), this.#fallback.close()]);
  }
}
