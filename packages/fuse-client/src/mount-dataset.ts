// mountDataset: asks the master how the dataset is mounted (UFS mounts, block size, access mode,
// the Runtime's fuse args), applies the caller's -o overrides, and serves it with fuse-native.
import { hostname } from 'node:os';
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createMasterClient, type RpcSecurity } from '@eddy/protocol';
import { parseFuseArgs, type AccessMode, type FuseOptions } from '@eddy/manifest';
import { silentLogger, ValidationError, UnavailableError, DEFAULT_BLOCK_SIZE, type Logger } from '@eddy/core';
import { EddyFilesystem } from './eddy-filesystem.js';
import { EddyFuse, libfuseOptionList } from './libfuse-options.js';
import { MetadataCache } from './metadata-cache.js';
import { BlockReader, type ReadStats } from './read-path/block-reader.js';
import { ChannelPool } from './read-path/channel-pool.js';
import { DEFAULT_READAHEAD, type ReadaheadOptions } from './read-path/file-reader.js';
import { ReadaheadBudget } from './read-path/readahead-budget.js';
import type { DataChannelFactory } from './read-path/sources.js';
import { MountedUfs } from './read-path/ufs-source.js';
import { lazyUnmount, recoverStaleMount } from './stale-mount.js';
import { createDataChannelFactory } from './data-channel-factory.js';

export interface MountDatasetOptions {
  /** host:port of the master's gRPC endpoint. */
  masterAddress: string;
  dataset: string;
  mountpoint: string;
  /** The cluster token (never logged). */
  token: string;
  tls?: RpcSecurity['tls'];
  logger?: Logger;
  /** `-o` overrides on top of the Runtime's fuse args, e.g. ['attr_timeout=5', 'ro'] or ['-oro']. */
  fuseOptions?: string[];
  /** Identity of this host; workers with the same id share our filesystem. Default: os.hostname(). */
  hostId?: string;
  /** Readahead window shape. Default 1 MiB chunks, window 1 → 16 MiB. */
  readahead?: Partial<ReadaheadOptions>;
  /** Bytes all open files may hold in readahead together. Default 256 MiB. */
  readaheadTotalBytes?: number;
  /** Entries per List call to the master. Default 1000. */
  listPageSize?: number;
  /** Creates the data-channel client of a worker; default: DataChannelClient from @eddy/common. */
  dataChannelFactory?: DataChannelFactory;
  /** Deadline of a mount/unmount step. Default 30 s. */
  timeoutMs?: number;
}

export interface MountHandle {
  readonly mountpoint: string;
  readonly dataset: string;
  /** The effective options, after the Runtime's args and the overrides. */
  readonly fuseOptions: FuseOptions;
  /** The exact option list handed to libfuse. */
  readonly libfuseOptions: string[];
  readonly readStats: ReadStats;
  readonly calls: { stat: number; list: number; listWorkers: number };
  /** Unmounts and releases everything; safe to call more than once. */
  close(): Promise<void>;
}

function validate(o: MountDatasetOptions): void {
  if (typeof o.masterAddress !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(o.masterAddress)) {
    throw new ValidationError(`master address must be HOST:PORT, got ${JSON.stringify(o.masterAddress)}`, 'masterAddress');
  }
  if (typeof o.dataset !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.dataset)) {
    throw new ValidationError(`dataset must be a lowercase DNS-1123 name, got ${JSON.stringify(o.dataset)}`, 'dataset');
  }
  if (typeof o.mountpoint !== 'string' || o.mountpoint === '') throw new ValidationError('mountpoint is required', 'mountpoint');
  if (typeof o.token !== 'string') throw new ValidationError('token must be a string', 'token');
}

/** `['attr_timeout=5', '-oro', '-o', 'x']` → the `-o…` argv parseFuseArgs takes. */
function overrideArgs(list: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!.trim();
    if (s === '-o') {
      out.push(s, list[i + 1] ?? '');
      i++;
    } else out.push(s.startsWith('-o') ? s : `-o${s}`);
  }
  return out;
}

export async function mountDataset(options: MountDatasetOptions): Promise<MountHandle> {
  validate(options);
  const logger = (options.logger ?? silentLogger()).child({ component: 'fuse-client', dataset: options.dataset });
  const mountpoint = resolve(options.mountpoint);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const security: RpcSecurity = { token: options.token, ...(options.tls ? { tls: options.tls } : {}) };
  const master = createMasterClient(options.masterAddress, security);
  const cleanups: Array<() => Promise<void> | void> = [() => master.close()];
  const runCleanups = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch((err: unknown) => logger.warn({ err }, 'cleanup step failed'));
  };
  try {
    const spec = await master.getMounts({ dataset: options.dataset }, { timeoutMs });
    const accessMode: AccessMode = spec.accessMode === 'ReadWriteMany' ? 'ReadWriteMany' : 'ReadOnlyMany';
    const base = parseFuseArgs(spec.fuseArgs, accessMode);
    const fuseOptions = parseFuseArgs(overrideArgs(options.fuseOptions ?? []), accessMode, base);
    const blockSize = Number(spec.blockSize) || DEFAULT_BLOCK_SIZE;
    if (spec.mounts.length === 0) throw new ValidationError(`dataset ${options.dataset} has no mounts`, 'dataset');

    const ufs = new MountedUfs(spec.mounts.map((m) => ({ url: m.url, path: m.path || '/', options: { ...m.options } })), logger);
    cleanups.push(() => ufs.close());
    const channels = new ChannelPool(options.dataChannelFactory ?? createDataChannelFactory(security, logger));
    cleanups.push(() => channels.close());
    const blockReader = new BlockReader({ channels, ufs, hostId: options.hostId ?? hostname(), logger });
    cleanups.push(() => blockReader.close());
    const cache = new MetadataCache({
      attrTimeoutSec: fuseOptions.attrTimeout, entryTimeoutSec: fuseOptions.entryTimeout, negativeTimeoutSec: fuseOptions.negativeTimeout,
    });
    const fs = new EddyFilesystem({
      master, dataset: options.dataset, runtime: spec.runtime, blockSize, readOnly: fuseOptions.readOnly, cache, blockReader,
      budget: new ReadaheadBudget(options.readaheadTotalBytes ?? 256 << 20),
      readahead: { ...DEFAULT_READAHEAD, ...options.readahead }, logger, attrTimeoutMs: fuseOptions.attrTimeout * 1000,
      ...(options.listPageSize !== undefined ? { listPageSize: options.listPageSize } : {}),
    });
    cleanups.push(() => fs.closeAll());

    await recoverStaleMount(mountpoint, logger);
    await mkdir(mountpoint, { recursive: true });
    const st = await stat(mountpoint);
    if (!st.isDirectory()) throw new ValidationError(`mountpoint ${mountpoint} is not a directory`, 'mountpoint');

    const libfuseOptions = libfuseOptionList(fuseOptions, { fsname: `eddy:${options.dataset}`, subtype: 'eddy' });
    // Reads may fall back through several sources; fuse-native's own per-op timeout (15 s default)
    // would answer ETIMEDOUT while a fallback is still making progress.
    const fuse = new EddyFuse(mountpoint, fs.ops(), libfuseOptions, 120_000);
    await withTimeout(new Promise<void>((res, rej) => fuse.mount((err) => (err ? rej(new UnavailableError(`cannot mount ${mountpoint}: ${err.message}`)) : res()))), timeoutMs, `mount ${mountpoint}`);
    logger.info({ mountpoint, options: libfuseOptions.join(','), blockSize }, 'dataset mounted');

    let closing: Promise<void> | undefined;
    return {
      mountpoint, dataset: options.dataset, fuseOptions, libfuseOptions,
      readStats: blockReader.stats, calls: fs.calls,
      close: async () => {
        closing ??= (async () => {
          try {
            await withTimeout(new Promise<void>((res, rej) => fuse.unmount((err) => (err ? rej(err) : res()))), timeoutMs, `unmount ${mountpoint}`);
          } catch (err) {
            logger.warn({ err, mountpoint }, 'unmount failed; detaching lazily');
            await lazyUnmount(mountpoint).catch(() => undefined);
          }
          await runCleanups();
          logger.info({ mountpoint, reads: blockReader.stats }, 'dataset unmounted');
        })();
        await closing;
      },
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new UnavailableError(`${what}: timed out after ${ms} ms`)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
