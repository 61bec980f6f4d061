// Bytes clients read, by source, per dataset, as they report them (ReportReads), and Fluid's
// ratios over a stated window. Every read path counts: a mount counts each byte it returns under
// the source that had it (local short-circuit, remote worker, or the bucket), so a short-circuit
// read is a hit like any other and a cold read through a local FETCH is a miss.
//
// Clients report cumulative totals; the master keeps each client's last report to take the
// difference (a smaller total means the client restarted: the new total is all new). Per dataset
// it keeps the running sum and a sample of it at most every second, so a ratio over the last W
// seconds is (sum now − sum at the last sample ≥ W old) — what PromQL's `x - x offset W` gives on
// eddy_master_read_bytes_total.

export interface ReadTotals { local: number; remote: number; ufs: number }

export interface ReadRatios {
  /** (local + remote) / all bytes read in the hit-ratio window; null when nothing was read in it. */
  cacheHitRatio: number | null;
  localHitRatio: number | null;
  remoteHitRatio: number | null;
  /** The same ratios over the (shorter) throughput window: what the cache serves right now. */
  cacheThroughputRatio: number | null;
  localThroughputRatio: number | null;
  remoteThroughputRatio: number | null;
  hitRatioWindowSeconds: number;
  throughputWindowSeconds: number;
  /** Since the master started. */
  totals: ReadTotals;
}

export interface DatasetReadStatsOptions {
  /** Window of the hit ratios. Default 60 s (Fluid's "last minute"). */
  hitRatioWindowMs?: number;
  /** Window of the throughput ratios. Default 10 s. */
  throughputWindowMs?: number;
  /** A client silent this long is forgotten (its next report counts from zero). Default 10 min. */
  clientTtlMs?: number;
  /** Clients remembered at most (the least recently reporting go first). Default 10,000. */
  maxClients?: number;
}

interface Sample { atMs: number; totals: ReadTotals }

const ZERO: ReadTotals = Object.freeze({ local: 0, remote: 0, ufs: 0 });
const SAMPLE_EVERY_MS = 1000;

function add(a: ReadTotals, b: ReadTotals): ReadTotals {
  return { local: a.local + b.local, remote: a.remote + b.remote, ufs: a.ufs + b.ufs };
}

function ratios(now: ReadTotals, base: ReadTotals): { cache: number | null; local: number | null; remote: number | null } {
  const local = now.local - base.local;
  const remote = now.remote - base.remote;
  const all = local + remote + (now.ufs - base.ufs);
  if (all <= 0) return { cache: null, local: null, remote: null };
  return { cache: (local + remote) / all, local: local / all, remote: remote / all };
}

export class DatasetReadStats {
  readonly #hitWindowMs: number;
  readonly #throughputWindowMs: number;
  readonly #clientTtlMs: number;
  readonly #maxClients: number;
  /** `clientId\0dataset` → last cumulative report; Map order = least recently reported first. */
  readonly #clients = new Map<string, { atMs: number; totals: ReadTotals }>();
  readonly #datasets = new Map<string, { totals: ReadTotals; samples: Sample[] }>();

  constructor(o: DatasetReadStatsOptions = {}) {
    this.#hitWindowMs = o.hitRatioWindowMs ?? 60_000;
    this.#throughputWindowMs = o.throughputWindowMs ?? 10_000;
    this.#clientTtlMs = o.clientTtlMs ?? 600_000;
    this.#maxClients = o.maxClients ?? 10_000;
  }

  /** Takes a client's cumulative totals for a dataset; returns what is new since its last report. */
  report(clientId: string, dataset: string, cumulative: ReadTotals, atMs = Date.now()): ReadTotals {
    const key = `${clientId}\0${dataset}`;
    const prev = this.#clients.get(key);
    const restarted = prev !== undefined
      && (cumulative.local < prev.totals.local || cumulative.remote < prev.totals.remote || cumulative.ufs < prev.totals.ufs);
    const base = prev && !restarted ? prev.totals : ZERO;
    const delta = { local: cumulative.local - base.local, remote: cumulative.remote - base.remote, ufs: cumulative.ufs - base.ufs };
    this.#clients.delete(key);
    this.#clients.set(key, { atMs, totals: { ...cumulative } });
    this.#expireClients(atMs);
    const d = this.#datasets.get(dataset) ?? { totals: { ...ZERO }, samples: [] };
    this.#datasets.set(dataset, d);
    d.totals = add(d.totals, delta);
    this.#sample(d, atMs);
    return delta;
  }

  ratios(dataset: string, atMs = Date.now()): ReadRatios {
    const d = this.#datasets.get(dataset);
    const totals = d ? { ...d.totals } : { ...ZERO };
    const hit = ratios(totals, d ? this.#at(d.samples, atMs - this.#hitWindowMs) : ZERO);
    const tp = ratios(totals, d ? this.#at(d.samples, atMs - this.#throughputWindowMs) : ZERO);
    return {
      cacheHitRatio: hit.cache, localHitRatio: hit.local, remoteHitRatio: hit.remote,
      cacheThroughputRatio: tp.cache, localThroughputRatio: tp.local, remoteThroughputRatio: tp.remote,
      hitRatioWindowSeconds: this.#hitWindowMs / 1000, throughputWindowSeconds: this.#throughputWindowMs / 1000,
      totals,
    };
  }

  /** Drops a deleted dataset. */
  forget(dataset: string): void {
    this.#datasets.delete(dataset);
    for (const key of [...this.#clients.keys()]) if (key.endsWith(`\0${dataset}`)) this.#clients.delete(key);
  }

  /** Totals at the last sample taken at or before `t` (zero if reading began after it). */
  #at(samples: Sample[], t: number): ReadTotals {
    let found: ReadTotals = ZERO;
    for (const s of samples) {
      if (s.atMs > t) break;
      found = s.totals;
    }
    return found;
  }

  #sample(d: { totals: ReadTotals; samples: Sample[] }, atMs: number): void {
    const last = d.samples.at(-1);
    // One sample per second at most: a later report in the same second replaces it.
    if (last && atMs - last.atMs < SAMPLE_EVERY_MS) last.totals = { ...d.totals };
    else d.samples.push({ atMs, totals: { ...d.totals } });
    // Keep the newest sample older than the longest window (the base of a full window), drop the rest.
    const horizon = atMs - Math.max(this.#hitWindowMs, this.#throughputWindowMs);
    let keepFrom = 0;
    for (let i = 0; i < d.samples.length; i++) if (d.samples[i]!.atMs <= horizon) keepFrom = i;
    if (keepFrom > 0) d.samples.splice(0, keepFrom);
  }

  #expireClients(atMs: number): void {
    for (const [key, c] of this.#clients) {
      if (this.#clients.size <= this.#maxClients && atMs - c.atMs < this.#clientTtlMs) break;
      this.#clients.delete(key);
    }
  }
}
