// mountDataset: asks the master how the dataset is mounted (UFS mounts, block size, access mode,
// the Runtime's fuse args), applies the caller's -o overrides, and serves it with fuse-native until
// close() or the caller's signal. Resources are released in reverse order of acquisition.
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import Fuse from 'fuse-native';
import { AbortedError, DEFAULT_BLOCK_SIZE, TimeoutError, UnavailableError, ValidationError, type Logger } from '@eddy/core';
import { createMasterClient, warmMessageCodecs, type MasterRpc } from '@eddy/protocol';
import { parseFuseArgs, type AccessMode, type FuseOptions } from '@eddy/manifest';
import { clientReadMeter } from './client-read-meter.js';
import { createDataChannelFactory } from './data-channel-factory.js';
import { EddyFilesystem } from './eddy-filesystem.js';
import { fuseOps } from './fuse-ops.js';
import { instrumentFuseOps } from './instrument-fuse-ops.js';
import { ListedLocations } from './listed-locations.js';
import { EddyFuse, libfuseOptionList } from './libfuse-options.js';
import { MasterMetadata } from './master-metadata.js';
import { MetadataCache } from './metadata-cache.js';
import { NativeFastAttrs } from './native-fast-attrs.js';
import { NativeFastReads } from './native-fast-reads.js';
import { resolveMountOptions, type MountDatasetOptions, type ResolvedMountOptions } from './mount-options.js';
import { DatasetBlockSource } from './read-path/block-source.js';
import { ChannelPool } from './read-path/channel-pool.js';
import { DirReadAhead, type DirReadAheadStats } from './read-path/dir-read-ahead.js';
import { onThisHost } from './read-path/holders.js';
import { FastReads } from './read-path/fast-reads.js';
import { ReadaheadBudget } from './read-path/readahead-budget.js';
import type { ReadMeter, ReadStats } from './read-path/sources.js';
import { MountedUfs } from './read-path/ufs-source.js';
import { WorkerTierRoots } from './read-path/worker-tier-roots.js';
import { NoDirectUfs } from './read-path/no-direct-ufs.js';
import { ReadReporter } from './read-reporter.js';
import { lazyUnmount, recoverStaleMount } from './stale-mount.js';
import { VersionLeases } from './version-leases.js';

export interface MountHandle {
  readonly mountpoint: string;
  readonly dataset: string;
  /** The effective options, after the Runtime's args and the overrides. */
  readonly fuseOptions: FuseOptions;
  /** The exact option list handed to libfuse. */
  readonly libfuseOptions: string[];
  readonly readStats: ReadStats;
  readonly calls: { stat: number; list: number; listWorkers: number };
  /** What directory read-ahead did (all 0 when it is off). */
  readonly readAhead: DirReadAheadStats;
  /** Unmounts and releases everything; safe to call more than once (aborting the mount's signal does the same). */
  close(): Promise<void>;
}

/** Cleanup steps, run once, newest first; a failing step is logged and the rest still run. */
class Resources {
  readonly #steps: Array<() => Promise<void> | void> = [];
  readonly #logger: Logger;
  constructor(logger: Logger) { this.#logger = logger; }
  add(step: () => Promise<void> | void): void { this.#steps.push(step); }
  async release(): Promise<void> {
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      await Promise.resolve().then(step).catch((err: unknown) => this.#logger.warn({ err }, 'cleanup step failed'));
    }
  }
}

export async function mountDataset(options: MountDatasetOptions): Promise<MountHandle> {
  const o = resolveMountOptions(options);
  const { logger, mountpoint, signal } = o;
  if (signal?.aborted) throw new AbortedError(`mount of ${mountpoint} aborted`);
  if (!Fuse.SUPPORTS_OPEN_FLAGS) {
    // Without per-handle direct_io / keep_cache the page cache could serve one version's pages to another's reader.
    throw new UnavailableError('fuse-native is not the patched build (patches/fuse-native+2.2.6.patch): run scripts/setup.sh');
  }
  const master = createMasterClient(o.masterAddress, o.security);
  const resources = new Resources(logger);
  resources.add(() => master.close());
  // The codecs built while the mount starts (waiting on the master meanwhile), not by its first List (warm-codecs.ts).
  const warmed = warmMessageCodecs('Master', { exerciseList: true, ...(signal ? { signal } : {}) })
    .catch((err: unknown) => logger.warn({ err }, 'warming the message codecs failed'));
  let served: Served;
  try {
    served = await serveDataset(o, master, resources);
    await recoverStaleMount(mountpoint, logger, o.timeoutMs);
    await mkdir(mountpoint, { recursive: true });
    if (!(await stat(mountpoint)).isDirectory()) throw new ValidationError(`mountpoint ${mountpoint} is not a directory`, 'mountpoint');
    const ops = instrumentFuseOps(fuseOps(served.fs, logger), (op) => o.metrics.client.startFuseOp(o.dataset, op));
    const fuse = new EddyFuse(mountpoint, ops, served.libfuseOptions, o.fuseOpTimeoutMs);
    served.fast?.attach(fuse);
    served.fastAttrs?.attach(fuse);
    await warmed;
    await kernelMount(fuse, o, resources);
    if (served.fast && Fuse.SUPPORTS_RELEASE_QUEUE === true) queueReleases(fuse, served.fs, o, resources);
  } catch (err) {
    await resources.release();
    throw err;
  }
  logger.info({ mountpoint, options: served.libfuseOptions.join(','), blockSize: served.blockSize }, 'dataset mounted');

  let closing: Promise<void> | undefined;
  const onAbort = (): void => {
    logger.info({ mountpoint }, 'mount signal aborted; unmounting');
    void close();
  };
  const close = async (): Promise<void> => {
    closing ??= (async () => {
      signal?.removeEventListener('abort', onAbort);
      await resources.release();
      logger.info({ mountpoint, reads: served.source.stats, readAhead: served.dirReadAhead?.stats }, 'dataset unmounted');
    })();
    await closing;
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    mountpoint, dataset: o.dataset, fuseOptions: served.fuseOptions, libfuseOptions: served.libfuseOptions,
    get readStats() {
      served.drainFast();
      return served.source.stats;
    },
    calls: served.metadata.calls, close,
    readAhead: served.dirReadAhead?.stats ?? { triggers: 0, fetched: 0, hits: 0, failed: 0 },
  };
}

interface Served {
  fs: EddyFilesystem;
  dirReadAhead?: DirReadAhead;
  source: DatasetBlockSource;
  metadata: MasterMetadata;
  fuseOptions: FuseOptions;
  libfuseOptions: string[];
  blockSize: number;
  /** The fast read table, when reads of local blocks are answered in libfuse's threads (NativeFastReads). */
  fast: NativeFastReads | undefined;
  /** The fast attr table, when getattr of cached paths is answered in libfuse's threads (fast-attrs.ts). */
  fastAttrs: NativeFastAttrs | undefined;
  /** Books the reads (and getattrs) answered there since the last call (stats, read meter, FUSE-op counter). */
  drainFast(): void;
}

/** The dataset's mount spec from the master, and the filesystem that serves it (not mounted yet). */
async function serveDataset(o: ResolvedMountOptions, master: MasterRpc, resources: Resources): Promise<Served> {
  // Cloud credentials come only with --direct-ufs (and a credential granted it); else workers read the bucket for us.
  const spec = await master.getMounts({ dataset: o.dataset, withCredentials: o.directUfs }, { timeoutMs: o.timeoutMs, signal: o.signal });
  const accessMode: AccessMode = spec.accessMode === 'ReadWriteMany' ? 'ReadWriteMany' : 'ReadOnlyMany';
  const fuseOptions = parseFuseArgs(o.fuseOptions, accessMode, parseFuseArgs(spec.fuseArgs, accessMode));
  const blockSize = Number(spec.blockSize) || DEFAULT_BLOCK_SIZE;
  if (spec.mounts.length === 0) throw new ValidationError(`dataset ${o.dataset} has no mounts`, 'dataset');
  const libfuseOptions = libfuseOptionList(fuseOptions, { fsname: `eddy:${o.dataset}`, subtype: 'eddy' });

  const ufs = o.directUfs
    ? new MountedUfs(spec.mounts.map((m) => ({ url: m.url, path: m.path || '/', options: { ...m.options } })), o.logger)
    : new NoDirectUfs(o.dataset);
  resources.add(() => ufs.close());
  const factory = o.dataChannelFactory ?? createDataChannelFactory(o.security, o.logger, o.dataChannelConnections);
  const channels = new ChannelPool(factory, o.workerCooldownMs);
  resources.add(() => channels.close());
  const client = o.metrics.client;
  // Reads of pinned local blocks answered in C by libfuse's threads (read-path/fast-reads.ts).
  const fast = o.fastRead && Fuse.SUPPORTS_FAST_READ
    ? new NativeFastReads(Fuse.SUPPORTS_FAST_READ_MEMORY === true, Fuse.SUPPORTS_FAST_READ_MISSES === true)
    : undefined;
  // A fuse-native built before the patch had the fast path still mounts, with every read in
  // JavaScript (several times slower on warm reads): say so once instead of leaving it silent.
  if (o.fastRead && !Fuse.SUPPORTS_FAST_READ) {
    o.logger.warn('fuse-native was built without the fast read path: every read goes through JavaScript (rerun scripts/setup.sh)');
  }
  // getattr of cached paths answered in C (fast-attrs.ts); with attr_timeout=0 nothing is cached, so nothing to answer.
  const fastAttrs = o.fastAttr && Fuse.SUPPORTS_FAST_ATTR === true ? new NativeFastAttrs() : undefined;
  const drainFast = (): void => {
    fast?.drain({ stats: source.stats, meter, fuseReads: (n) => client.fuseOpsAnswered(o.dataset, 'read', n) });
    fastAttrs?.drain((n) => client.fuseOpsAnswered(o.dataset, 'getattr', n));
  };
  // The reporter drains them before each report (every readReportIntervalMs, and at close), which
  // also keeps the mount's Prometheus counters that fresh.
  const reporter = new ReadReporter({
    master, totals: () => {
      drainFast();
      return client.readTotals();
    },
    intervalMs: o.readReportIntervalMs, timeoutMs: o.masterTimeoutMs, logger: o.logger,
  });
  resources.add(() => reporter.close());
  const meter = clientReadMeter(client, o.dataset);
  const cache = new MetadataCache({
    attrTimeoutSec: fuseOptions.attrTimeout, entryTimeoutSec: fuseOptions.entryTimeout, negativeTimeoutSec: fuseOptions.negativeTimeout,
    maxEntries: o.metadataCacheEntries,
  });
  // Block locations ride on the listings, so opening a small file of a listed directory asks the master nothing.
  const located = o.listLocateBlocks > 0 && o.listedLocationsMs > 0
    ? new ListedLocations({
        master, dataset: o.dataset, locateBlocks: o.listLocateBlocks, maxAgeMs: o.listedLocationsMs, maxEntries: o.rememberedLocations,
        listPageSize: o.listPageSize, masterTimeoutMs: o.masterTimeoutMs, dirSize: (dir) => cache.getListing(dir)?.names.length,
      })
    : undefined;
  const dirReadAhead = located && o.dirReadAheadFiles > 0 ? readAheadOf(o, blockSize, channels, cache, located, meter) : undefined;
  const tierRoots = new WorkerTierRoots({ master, runtime: spec.runtime, timeoutMs: o.masterTimeoutMs, logger: o.logger });
  const source = new DatasetBlockSource({
    ...o, channels, ufs, meter, tierRoots, runtime: spec.runtime, budget: new ReadaheadBudget(o.readaheadTotalBytes),
    liveWorkers: (options) => tierRoots.liveAddresses(options),
    ...(dirReadAhead ? { dirReadAhead } : {}), fast: fast ? new FastReads(fast, o.openReadBytes) : undefined,
    // A warm small file's tier file read and checked in one native call (small-block-files.ts).
    readBlockFile: fast && Fuse.SUPPORTS_READ_BLOCK_FILE === true ? Fuse.readBlockFile : undefined,
  });
  resources.add(() => source.close());
  const metadata = new MasterMetadata({ ...o, master, runtime: spec.runtime, cache, ...(located ? { located } : {}) });
  const leases = new VersionLeases({
    hold: async (req, opts) => await master.holdVersions(req, opts),
    dataset: o.dataset, clientId: `${o.hostId}:${process.pid}:${randomBytes(6).toString('hex')}`, timeoutMs: o.masterTimeoutMs,
    initialRenewMs: o.versionLeaseRenewMs, retryMs: o.versionLeaseRetryMs, batchMs: o.versionLeaseBatchMs, logger: o.logger,
  });
  resources.add(() => leases.close());
  const fs = new EddyFilesystem({
    ...o, metadata, source, locator: master, ...(located ? { listed: located } : {}), blockSize, readOnly: fuseOptions.readOnly,
    keepCacheAcrossOpens: fuseOptions.kernelCache || fuseOptions.autoCache, leases,
    ...(fastAttrs ? { fastAttrs: { table: fastAttrs, cache } } : {}),
  });
  resources.add(() => fs.closeAll());
  return {
    fs, source, metadata, fuseOptions, libfuseOptions, blockSize, fast, fastAttrs, drainFast, ...(dirReadAhead ? { dirReadAhead } : {}),
  };
}

/**
 * Releases answered in libfuse's threads (the patched fuse-native's release queue): nobody waits for
 * the answer to a FUSE release, so it need not cost a JS round trip; the handles are released here
 * in batches, and counted as answered releases. Turned off before the unmount: the handles still
 * queued then are closed with every other one (EddyFilesystem.closeAll).
 */
function queueReleases(fuse: EddyFuse, fs: EddyFilesystem, o: ResolvedMountOptions, resources: Resources): void {
  const on = fuse.releaseQueue?.((handles) => {
    for (const fd of handles) {
      try {
        fs.release(fd);
      } catch (err) {
        o.logger.warn({ err, fd }, 'fuse operation failed');
      }
    }
    o.metrics.client.fuseOpsAnswered(o.dataset, 'release', handles.length);
  }) === true;
  if (on) resources.add(() => { fuse.releaseQueue?.(null); });
}

/** The mount's directory read-ahead: siblings from the cached listings, workers from the listed locations. */
function readAheadOf(
  o: ResolvedMountOptions, blockSize: number, channels: ChannelPool, cache: MetadataCache, located: ListedLocations, meter: ReadMeter,
): DirReadAhead {
  const view = { hostId: o.hostId, isSuspect: (address: string) => channels.isSuspect(address) };
  return new DirReadAhead({
    channels, listing: (dir) => cache.getListing(dir)?.attrs, located: (path) => located.peek(path), onHost: (w) => onThisHost(w, view),
    meter, logger: o.logger, dataset: o.dataset, blockSize, maxFileBytes: Math.min(o.dirReadAheadMaxFileBytes, o.shortCircuitMinBytes),
    files: o.dirReadAheadFiles, concurrency: o.dirReadAheadConcurrency, maxBytes: o.dirReadAheadBytes, holdMs: o.dirReadAheadHoldMs,
    workerTimeoutMs: o.workerTimeoutMs,
  });
}

/**
 * Mounts `fuse` within the deadline and the signal, and registers its unmount. A mount that
 * completes after we gave up on it is undone at once.
 */
async function kernelMount(fuse: EddyFuse, o: ResolvedMountOptions, resources: Resources): Promise<void> {
  const { mountpoint, logger } = o;
  let state: 'mounting' | 'mounted' | 'abandoned' = 'mounting';
  const unmount = async (): Promise<void> => {
    try {
      await step(new Promise<void>((res, rej) => fuse.unmount((err) => (err ? rej(err) : res()))), o.timeoutMs, `unmount ${mountpoint}`);
    } catch (err) {
      logger.warn({ err, mountpoint }, 'unmount failed; detaching lazily');
      await lazyUnmount(mountpoint, o.timeoutMs).catch((e: unknown) => logger.warn({ err: e, mountpoint }, 'lazy unmount failed'));
    }
  };
  const mounted = new Promise<void>((res, rej) => fuse.mount((err) => {
    if (err) {
      rej(new UnavailableError(`cannot mount ${mountpoint}: ${err.message}`, { cause: err }));
      return;
    }
    if (state === 'abandoned') void unmount();
    else state = 'mounted';
    res();
  }));
  resources.add(async () => {
    if (state === 'mounted') await unmount();
    state = 'abandoned';
  });
  await step(mounted, o.timeoutMs, `mount ${mountpoint}`, o.signal);
}

/** `p`, or a TimeoutError after `ms`, or an AbortedError when `signal` aborts; no timer or listener is left behind. */
async function step<T>(p: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new TimeoutError(`${what}: timed out after ${ms} ms`)), ms);
        if (!signal) return;
        onAbort = () => rej(new AbortedError(`${what}: aborted`));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
