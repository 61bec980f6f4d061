// `eddy://HOST:PORT/DATASET[/prefix]`: another Eddy cluster as the bucket behind a mount, so a
// region reads through a nearer region's cache and an update crosses the central link once.
// Listing, stat and versions come from the upstream master (its versions are the bucket's ETags,
// so block keys and version checks agree across regions); bytes come from the upstream's workers
// over the data channel, where a miss reads through once however many downstream workers ask.
// An answer that does not fit what was asked (another version, a block key that does not name
// the pinned version, fewer or more bytes) is refused, so it can never be cached downstream.
import { Readable } from 'node:stream';
import {
  blockKey, blockSlices, CorruptBlockError, NotFoundError, ProtocolError, silentLogger, UnavailableError, ValidationError,
  VersionMismatchError, type BlockSlice, type Logger,
} from '@eddy/core';
import { createMasterClient, DataChannelClient, type MasterRpc, type proto } from '@eddy/protocol';
import type { UfsListEntry, UfsListOptions, UfsMountConfig, UfsObjectInfo, UfsReadOptions } from '../under-file-system.js';
import { normalizeReadRange, normalizeUfsPath } from '../normalize-ufs-path.js';
import { EDDY_DEFAULTS, parseEddyMount, type EddyMountSettings } from './eddy-mount-settings.js';
import { isUpstreamDown, upstreamError } from './upstream-errors.js';
import type { ProbedUfs } from './failover-ufs.js';

const LIST_PAGE = 1000;

interface PinnedFile {
  path: string;
  size: number;
  version: string;
  blockSize: number;
  blocks: Map<number, proto.BlockLocation__Output>;
}

export class EddyUfs implements ProbedUfs {
  readonly description: string;
  readonly settings: EddyMountSettings;
  /** Without a fallback there is one source. */
  readonly source = 'upstream' as const;

  get probeIntervalMs(): number { return this.settings.probeIntervalMs; }
  readonly #logger: Logger;
  readonly #master: MasterRpc;
  readonly #channels = new Map<string, DataChannelClient>();
  #closed = false;

  constructor(config: UfsMountConfig, options: { logger?: Logger } = {}) {
    this.settings = parseEddyMount(config.url, config.options);
    const s = this.settings;
    this.description = `eddy://${s.address}/${s.dataset}/${s.prefix}`;
    this.#logger = (options.logger ?? silentLogger()).child({ ufs: this.description });
    // grpc-js only reads the CA of a client's TLS settings; a client certificate is not used.
    const tls = s.tlsCA ? { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: s.tlsCA } : undefined;
    this.#master = createMasterClient(s.address, { token: s.token, ...(tls ? { tls } : {}) });
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<UfsObjectInfo> {
    const key = normalizeUfsPath(path);
    const res = await this.#call('stat', options.signal, async (o) => await this.#master.stat({ dataset: this.settings.dataset, path: this.#upstreamPath(key) }, o));
    const info = res.info;
    if (!info || info.isDir) throw new NotFoundError(`${this.description}: ${JSON.stringify(key)} is a directory, not an object`);
    return this.#objectInfo(info, key);
  }

  async *list(prefix: string, options: UfsListOptions = {}): AsyncIterable<UfsListEntry> {
    const base = normalizeUfsPath(prefix, { allowEmpty: true, field: 'prefix' });
    const recursive = options.recursive ?? true;
    // A full listing is a downstream metadata sync: have the upstream list the bucket first, so
    // a downstream DataLoad with loadMetadata sees a new version before the upstream's own sync.
    if (base === '' && recursive) await this.#refreshUpstream(options.signal);
    const dirs = [base];
    for (let dir = dirs.shift(); dir !== undefined; dir = dirs.shift()) {
      for await (const e of this.#listDir(dir, dir === base, options.signal)) {
        if (e.isDirectory && recursive) dirs.push(e.path);
        else yield e;
      }
    }
  }

  /** One directory, all pages; a prefix that is no directory upstream lists as empty (as a bucket does). */
  async *#listDir(dir: string, first: boolean, signal: AbortSignal | undefined): AsyncIterable<UfsListEntry> {
    let pageToken = '';
    do {
      let res: proto.ListResponse__Output;
      try {
        res = await this.#call('list', signal, async (o) => await this.#master.list({
          dataset: this.settings.dataset, path: this.#upstreamPath(dir), pageToken, pageSize: LIST_PAGE,
        }, o));
      } catch (err) {
        if (first && pageToken === '' && (err instanceof NotFoundError || err instanceof ValidationError)) return;
        throw err;
      }
      for (const e of res.entries) {
        const rel = this.#relative(e.path);
        if (rel === undefined) throw new ProtocolError(`${this.description}: the upstream listed ${JSON.stringify(e.path)} outside ${JSON.stringify(dir)}`);
        if (e.isDir) yield { path: rel, size: 0, version: '', mtimeMs: 0, isDirectory: true };
        else yield this.#objectInfo(e, rel);
      }
      pageToken = res.nextPageToken;
    } while (pageToken !== '');
  }

  async read(path: string, options: UfsReadOptions = {}): Promise<Readable> {
    const key = normalizeUfsPath(path);
    const { offset, length } = normalizeReadRange(options.offset, options.length);
    const { signal } = options;
    if (length === 0) {
      // GetBlockLocations reads length 0 as "to EOF": an empty read only checks the version.
      const st = await this.stat(key, signal ? { signal } : {});
      if (options.ifMatch !== undefined && st.version !== options.ifMatch) throw this.#mismatch(key, options.ifMatch);
      return Readable.from([]);
    }
    const file = await this.#locate(key, offset, length, options.ifMatch, signal);
    const slices = blockSlices(offset, length ?? Math.max(0, file.size - offset), file.size, file.blockSize);
    // The first slice is read before resolving, so an upstream that cannot serve rejects read()
    // (as a store's error status does) instead of failing the stream; the next one is read ahead.
    const first = slices[0] ? this.#readSlice(file, slices[0], signal) : undefined;
    if (first) await first;
    return Readable.from(this.#slices(file, slices, first, signal), { objectMode: false });
  }

  /** The slices in order, each one read from the upstream while the previous one is consumed. */
  async *#slices(file: PinnedFile, slices: BlockSlice[], first: Promise<Buffer> | undefined, signal?: AbortSignal): AsyncGenerator<Buffer> {
    let next = first;
    for (let i = 0; i < slices.length && next; i++) {
      const current = next;
      const following = slices[i + 1];
      next = following ? this.#readSlice(file, following, signal) : undefined;
      next?.catch(() => undefined);
      yield await current;
    }
  }

  /** The upstream's block locations of the range, checked against the pinned version. */
  async #locate(key: string, offset: number, length: number | undefined, ifMatch: string | undefined, signal?: AbortSignal): Promise<PinnedFile> {
    const res = await this.#call('locate blocks', signal, async (o) => await this.#master.getBlockLocations({
      dataset: this.settings.dataset, path: this.#upstreamPath(key), version: ifMatch ?? '', offset, length: length ?? 0,
    }, o));
    const info = res.info;
    if (!info || info.isDir) throw new NotFoundError(`${this.description}: ${JSON.stringify(key)} is a directory, not an object`);
    if (ifMatch !== undefined && info.version !== ifMatch) throw this.#mismatch(key, ifMatch);
    const blockSize = Number(res.blockSize);
    const size = Number(info.size);
    if (!Number.isSafeInteger(blockSize) || blockSize <= 0 || !Number.isSafeInteger(size) || info.version === '') {
      throw new ProtocolError(`${this.description}: the upstream answered block locations of ${JSON.stringify(key)} without a size, version or block size`);
    }
    const blocks = new Map<number, proto.BlockLocation__Output>();
    for (const b of res.blocks) {
      // A key that does not name this version would have the upstream serve (and us cache) other bytes.
      if (b.key !== blockKey(this.settings.dataset, info.path, info.version, b.index, blockSize)) {
        throw new ProtocolError(`${this.description}: the upstream's block ${b.index} of ${JSON.stringify(key)} does not belong to version ${info.version}`);
      }
      blocks.set(b.index, b);
    }
    return { path: info.path, size, version: info.version, blockSize, blocks };
  }

  /** One block slice from the upstream's workers: holders first, then its preferred worker. */
  async #readSlice(file: PinnedFile, slice: BlockSlice, signal: AbortSignal | undefined): Promise<Buffer> {
    const loc = file.blocks.get(slice.index);
    if (!loc) throw new ProtocolError(`${this.description}: the upstream gave no location for block ${slice.index} of ${file.path}`);
    const candidates = [...loc.holders, ...(loc.preferred ? [loc.preferred] : [])].map((a) => a.dataAddress).filter((a) => a !== '');
    const addresses = [...new Set(candidates)];
    if (addresses.length === 0) throw new UnavailableError(`${this.description}: the upstream has no live worker for ${file.path}`);
    const ref: proto.BlockRef = {
      key: loc.key, dataset: this.settings.dataset, path: file.path, version: file.version, index: slice.index, blockSize: file.blockSize, fileSize: file.size,
    };
    let last: unknown;
    for (const address of addresses) {
      try {
        const buf = await this.#channel(address).readBlock(ref, slice.offsetInBlock, slice.length, {
          timeoutMs: EDDY_DEFAULTS.blockReadTimeoutMs, verify: true, ...(signal ? { signal } : {}),
        });
        if (buf.length !== slice.length) {
          throw new CorruptBlockError(`${this.description}: upstream worker ${address} sent ${buf.length} of the ${slice.length} bytes of block ${slice.index} of ${file.path}`);
        }
        return buf;
      } catch (err) {
        last = err;
        if (signal?.aborted) break;
        // Another worker may still answer; the upstream's refusals (version, not found) will not change.
        if (!isUpstreamDown(err) && !(err instanceof ProtocolError) && !(err instanceof CorruptBlockError)) break;
        this.#logger.warn({ worker: address, block: slice.index, err }, 'upstream worker failed a block read; trying the next');
      }
    }
    throw upstreamError(last, this.description, `read block ${slice.index} of ${file.path}`, signal);
  }

  #channel(address: string): DataChannelClient {
    if (this.#closed) throw new UnavailableError(`${this.description}: closed`);
    let c = this.#channels.get(address);
    if (!c) {
      const { token, tlsCA, timeoutMs } = this.settings;
      c = new DataChannelClient(address, { token, logger: this.#logger, connectTimeoutMs: timeoutMs, ...(tlsCA ? { tls: { ca: tlsCA } } : {}) });
      this.#channels.set(address, c);
    }
    return c;
  }

  /** Resolves when the upstream master answers for the mount's dataset (the fallback's switch-back check). */
  async probe(options: { signal?: AbortSignal } = {}): Promise<void> {
    const path = this.#upstreamPath('').replace(/\/$/, '') || '/';
    await this.#call('probe', options.signal, async (o) => await this.#master.stat({ dataset: this.settings.dataset, path }, o));
  }

  /**
   * Asks the upstream master to list its bucket now (a client credential may; the upstream answers
   * a listing younger than its on-demand interval instead). One that refuses keeps its listing.
   */
  async #refreshUpstream(signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.#call('refresh', signal, async (o) => await this.#master.refresh({ dataset: this.settings.dataset }, o));
    } catch (err) {
      if (isUpstreamDown(err) || signal?.aborted) throw err;
      this.#logger.info({ err }, 'the upstream did not refresh its listing; listing what it has');
    }
  }

  /** Runs one control call with the mount's deadline and maps its error. */
  async #call<T>(what: string, signal: AbortSignal | undefined, fn: (o: { timeoutMs: number; signal?: AbortSignal }) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw upstreamError(undefined, this.description, what, signal);
    try {
      return await fn({ timeoutMs: this.settings.timeoutMs, ...(signal ? { signal } : {}) });
    } catch (err) {
      throw upstreamError(err, this.description, what, signal);
    }
  }

  #upstreamPath(key: string): string {
    const p = this.settings.prefix + key;
    return `/${p.endsWith('/') ? p.slice(0, -1) : p}`;
  }

  /** An upstream dataset path ('/prefix/a/b') as a key of this mount ('a/b'); undefined if outside. */
  #relative(upstreamPath: string): string | undefined {
    const p = upstreamPath.replace(/^\/+/, '');
    if (!p.startsWith(this.settings.prefix)) return undefined;
    const rel = p.slice(this.settings.prefix.length);
    return rel === '' ? undefined : rel;
  }

  #objectInfo(info: proto.FileInfo__Output, key: string): UfsObjectInfo {
    if (info.version === '') throw new ProtocolError(`${this.description}: the upstream answered ${JSON.stringify(key)} without a version`);
    return { path: key, size: Number(info.size), version: info.version, mtimeMs: Number(info.mtimeMs) };
  }

  #mismatch(key: string, ifMatch: string): VersionMismatchError {
    return new VersionMismatchError(`${this.description}: ${JSON.stringify(key)} is no longer version ${ifMatch}`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#master.close();
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    await Promise.allSettled(channels.map(async (c) => await c.close()));
  }
}
