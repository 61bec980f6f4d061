// Counter increments gathered by label set and added to their prom-client counter when it is
// collected (a scrape, or any read of the metric): prom-client builds and hashes the label set of
// every inc(), which on a warm small file's open (a read and a FUSE operation counted per file)
// cost more than the rest of the metering. What a collection returns is every increment made
// before it, as with an inc() each.
import type { Counter } from 'prom-client';

export class PendingCounts<L extends string> {
  readonly #counter: Counter<L>;
  readonly #pending = new Map<string, { labels: Partial<Record<L, string>>; value: number }>();

  constructor(counter: Counter<L>) {
    this.#counter = counter;
  }

  /** Adds `value` to the series `key` names; `labels` builds its labels (called once per key until the next flush). */
  add(key: string, labels: () => Partial<Record<L, string>>, value = 1): void {
    const p = this.#pending.get(key);
    if (p) p.value += value;
    else this.#pending.set(key, { labels: labels(), value });
  }

  /** Adds what is pending to the counter (its collect hook). */
  flush(): void {
    for (const { labels, value } of this.#pending.values()) this.#counter.inc(labels, value);
    this.#pending.clear();
  }
}
