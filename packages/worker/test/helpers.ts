// Shared pieces of the worker tests: temp tiers, a counting UFS wrapper, and assembling reads.
import { mkdtemp, readFile, rm, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { UnderFileSystem, UfsReadOptions } from '@eddy/ufs';
import type { BlockRead } from '../src/index.js';

export async function tempDir(prefix = 'eddy-worker-'): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random bytes for a seed. */
export function bytesFor(seed: string, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = 2166136261;
  for (const c of seed) x = Math.imul(x ^ c.charCodeAt(0), 16777619);
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Wraps a UFS to count `read` calls and optionally slow down or break streams. */
export class CountingUfs implements UnderFileSystem {
  reads = 0;
  constructor(private readonly inner: UnderFileSystem, private readonly hooks: { delayMs?: number; failAfterBytes?: number } = {}) {}
  get description(): string { return this.inner.description; }
  stat(path: string, o?: { signal?: AbortSignal }): ReturnType<UnderFileSystem['stat']> { return this.inner.stat(path, o); }
  list(prefix: string, o?: Parameters<UnderFileSystem['list']>[1]): ReturnType<UnderFileSystem['list']> { return this.inner.list(prefix, o); }
  async read(path: string, options?: UfsReadOptions): Promise<Readable> {
    this.reads++;
    if (this.hooks.delayMs) await new Promise((r) => setTimeout(r, this.hooks.delayMs));
    const s = await this.inner.read(path, options);
    const failAfter = this.hooks.failAfterBytes;
    if (failAfter === undefined) return s;
    let seen = 0;
    s.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen >= failAfter) s.destroy(new Error('injected UFS failure'));
    });
    return s;
  }
  close() { return this.inner.close(); }
}

/** Collects the bytes of a BlockRead (and releases its handle). */
export async function collect(read: BlockRead): Promise<Buffer> {
  if (read.kind === 'stream') {
    const parts: Buffer[] = [];
    for await (const c of read.chunks) parts.push(c);
    return Buffer.concat(parts);
  }
  try {
    const fh = await open(read.handle.path, 'r');
    try {
      const buf = Buffer.alloc(read.length);
      await fh.read(buf, 0, read.length, read.offset);
      return buf;
    } finally { await fh.close(); }
  } finally {
    read.handle.release();
  }
}

/** Every file under `dir` (recursively) with its size. */
export async function walk(dir: string): Promise<Array<{ path: string; name: string; size: number }>> {
  const out: Array<{ path: string; name: string; size: number }> = [];
  let entries: string[];
  try { entries = await readdir(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    const st = await stat(p);
    if (st.isDirectory()) out.push(...(await walk(p)));
    else out.push({ path: p, name, size: st.size });
  }
  return out;
}

export { readFile };

import { DEFAULT_BLOCK_SIZE, blockKey, blockCount, silentLogger } from '@eddy/core';
import { createUfs } from '@eddy/ufs';
import { Authenticator, bindServer, createRpcServer, loadEddyProto, wrapService, MASTER_RPC_ROLES, type proto } from '@eddy/protocol';
import { BlockStore, BlockService, ReadThrough, StaticMountResolver, UfsLocator, type ReadThroughOptions, type TierConfig } from '../src/index.js';

export interface TestNode {
  store: BlockStore;
  service: BlockService;
  readThrough: ReadThrough;
  locator: UfsLocator;
  ufs: CountingUfs | undefined;
  close(): Promise<void>;
}

/** A worker's block path without the process around it: store + read-through over one mount. */
export async function makeNode(options: {
  tiers: TierConfig[];
  mount: { url: string; options?: Record<string, string> };
  wrap?: (ufs: UnderFileSystem) => CountingUfs;
  blockSize?: number;
  /** Read-through caps and how a block is split into ranged GETs. */
  readThrough?: Pick<ReadThroughOptions, 'maxConcurrentFetches' | 'fetchWindowBytes' | 'fetchPartBytes' | 'fetchPartsInFlight' | 'smallBlockBytes'>;
}): Promise<TestNode> {
  const store = await BlockStore.open({ runtime: 'rt', tiers: options.tiers, fsync: false });
  let ufs: CountingUfs | undefined;
  const locator = new UfsLocator({
    resolver: new StaticMountResolver({ ds: { mounts: [{ url: options.mount.url, path: '/', options: options.mount.options ?? {} }], ...(options.blockSize ? { blockSize: options.blockSize } : {}) } }),
    ufsFactory: (c) => {
      const inner = createUfs(c);
      if (!options.wrap) return inner;
      ufs = options.wrap(inner);
      return ufs;
    },
  });
  const readThrough = new ReadThrough({ store, locator, ...options.readThrough });
  const service = new BlockService(store, readThrough);
  return {
    store, service, readThrough, locator,
    get ufs() { return ufs; },
    async close() { readThrough.close(); await locator.close(); await store.close(); },
  };
}

/** BlockRefs of every block of dataset `ds` file `path`. */
export function refsFor(path: string, version: string, fileSize: number, blockSize: number): proto.BlockRef__Output[] {
  return Array.from({ length: blockCount(fileSize, blockSize) }, (_, index) => ({
    key: blockKey('ds', path, version, index, blockSize), dataset: 'ds', path, version, index, blockSize, fileSize, versionId: '',
  }));
}

export const FAKE_MASTER_TOKEN = 'proc-token';

/** A master that speaks the real Master gRPC service and records what workers tell it. */
export interface FakeMaster {
  address: string;
  registers: proto.RegisterWorkerRequest__Output[];
  heartbeats: proto.HeartbeatRequest__Output[];
  /** Replies of the next heartbeats, in order (then: nothing to do). */
  next: Partial<proto.HeartbeatResponse>[];
  runtime: proto.RuntimeSpec | null;
  stop(): Promise<void>;
}

export async function fakeMaster(
  port: number, options: { mounts?: proto.MountSpec[]; runtime?: proto.RuntimeSpec; blockSize?: number; heartbeatIntervalMs?: number } = {},
): Promise<FakeMaster> {
  const { master } = loadEddyProto();
  const server = createRpcServer();
  const state: FakeMaster = {
    address: `127.0.0.1:${port}`, registers: [], heartbeats: [], next: [], runtime: options.runtime ?? null,
    stop: async () => { server.forceShutdown(); },
  };
  const security = { token: FAKE_MASTER_TOKEN };
  server.addService(master.eddy.v1.Master.service, wrapService({
    registerWorker: async (req: proto.RegisterWorkerRequest__Output) => {
      state.registers.push(req);
      return { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100, runtime: state.runtime };
    },
    heartbeat: async (req: proto.HeartbeatRequest__Output) => {
      state.heartbeats.push(req);
      return { reregister: false, free: [], ...(state.next.shift() ?? {}) };
    },
    getMounts: async () => ({ mounts: options.mounts ?? [], blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE, runtime: 'demo' }),
  }, { authenticator: Authenticator.fromCredentials({ admin: [{ token: security.token }] }), roles: MASTER_RPC_ROLES }, silentLogger()));
  await bindServer(server, state.address, security);
  return state;
}
