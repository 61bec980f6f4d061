// One data-channel client per worker data address, shared by every open file, plus a short
// memory of workers that just failed so concurrent and following reads skip them at once
// instead of each waiting for its own timeout.
import type { DataChannel, DataChannelFactory } from './sources.js';

export class ChannelPool {
  readonly #factory: DataChannelFactory;
  readonly #clients = new Map<string, DataChannel>();
  readonly #failedUntil = new Map<string, number>();
  readonly #cooldownMs: number;

  /** `cooldownMs`: how long a failed worker is skipped (MOUNT_DEFAULTS.workerCooldownMs). */
  constructor(factory: DataChannelFactory, cooldownMs: number) {
    this.#factory = factory;
    this.#cooldownMs = cooldownMs;
  }

  get(address: string): DataChannel {
    let c = this.#clients.get(address);
    if (!c) {
      c = this.#factory(address);
      this.#clients.set(address, c);
    }
    return c;
  }

  isSuspect(address: string): boolean {
    const until = this.#failedUntil.get(address);
    if (until === undefined) return false;
    if (Date.now() >= until) {
      this.#failedUntil.delete(address);
      return false;
    }
    return true;
  }

  /** The worker failed (connection refused/reset, timeout): skip it for a while and drop its client. */
  markFailed(address: string): void {
    this.#failedUntil.set(address, Date.now() + this.#cooldownMs);
    const c = this.#clients.get(address);
    this.#clients.delete(address);
    if (c) void Promise.resolve().then(() => c.close()).catch(() => undefined);
  }

  async close(): Promise<void> {
    const all = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.allSettled(all.map(async (c) => c.close()));
  }
}
