// A small in-test Master gRPC server: serves getMounts/stat/list/getBlockLocations/listWorkers
// straight from one UFS mount (file:// or s3://), with block holders chosen by the test, and
// records the versions mounts hold (HoldVersions). It lets the FUSE client be tested for real
// (kernel mount, real gRPC, real UFS) without master/workers.
import { Authenticator, bindServer, createRpcServer, loadEddyProto, wrapService, MASTER_RPC_ROLES, type proto } from '@eddy/protocol';
import { blockCount, blockKey, blockLength, NotFoundError, silentLogger } from '@eddy/core';
import { createUfs, type UnderFileSystem } from '@eddy/ufs';

export interface FakeMasterOptions {
  dataset: string;
  url: string;
  ufsOptions?: Record<string, string>;
  blockSize: number;
  accessMode?: 'ReadOnlyMany' | 'ReadWriteMany';
  fuseArgs?: string[];
  token?: string;
  /** Holders/preferred worker per block; default none (reads fall back to the UFS). */
  locate?: (path: string, index: number, key: string) => { holders: proto.WorkerAddress[]; preferred?: proto.WorkerAddress };
  tiers?: proto.TierInfo[];
  /** Answer a List that asks for block locations (locate_blocks) as the master does; default false (an older master: none). */
  locateInList?: boolean;
  /** What ListWorkers answers (the workers' tier directories bound short-circuit reads); default one worker with `tiers`. */
  workers?: proto.WorkerStatus[];
}

export interface FakeMaster {
  address: string;
  token: string;
  ufs: UnderFileSystem;
  calls: Record<string, number>;
  /** The versions each mount (client id) holds now, as `path@version`. */
  held: Map<string, string[]>;
  close(): Promise<void>;
}

function trim(p: string): string { return p.replace(/^\/+/, '').replace(/\/+$/, ''); }

export async function startFakeMaster(o: FakeMasterOptions): Promise<FakeMaster> {
  const token = o.token ?? 'test-token';
  const ufs = createUfs({ url: o.url, options: o.ufsOptions ?? {} }, { logger: silentLogger() });
  const calls: Record<string, number> = {};
  const held = new Map<string, string[]>();
  const seen = new Map<string, proto.FileInfo>();
  const count = (m: string): void => { calls[m] = (calls[m] ?? 0) + 1; };
  const checkDataset = (d: string): void => { if (d !== o.dataset) throw new NotFoundError(`no dataset ${d}`); };

  async function listDir(path: string): Promise<proto.FileInfo[]> {
    const prefix = trim(path);
    const out: proto.FileInfo[] = [];
    for await (const e of ufs.list(prefix, { recursive: false })) {
      const rel = trim(e.path);
      out.push({
        path: `/${rel}`, size: e.size, version: e.version, mtimeMs: Math.floor(e.mtimeMs), isDir: e.isDirectory === true,
        versionId: e.versionId ?? '',
      });
    }
    out.sort((a, b) => (a.path! < b.path! ? -1 : 1));
    return out;
  }

  async function statPath(path: string): Promise<proto.FileInfo> {
    const key = trim(path);
    if (key === '') return { path: '/', isDir: true };
    try {
      const s = await ufs.stat(key);
      return {
        path: `/${key}`, size: s.size, version: s.version, mtimeMs: Math.floor(s.mtimeMs), isDir: false, versionId: s.versionId ?? '',
      };
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      for await (const _ of ufs.list(key, { recursive: false })) return { path: `/${key}`, isDir: true };
      throw err;
    }
  }

  const { master } = loadEddyProto();
  const server = createRpcServer();
  const security = { token };
  server.addService(master.eddy.v1.Master.service, wrapService({
    getMounts: async (req: proto.GetMountsRequest__Output): Promise<proto.GetMountsResponse> => {
      count('getMounts');
      checkDataset(req.dataset);
      return {
        mounts: [{ url: o.url, path: '/', options: o.ufsOptions ?? {} }], runtime: o.dataset, blockSize: o.blockSize,
        accessMode: o.accessMode ?? 'ReadOnlyMany', fuseArgs: o.fuseArgs ?? [],
      };
    },
    stat: async (req: proto.StatRequest__Output): Promise<proto.StatResponse> => {
      count('stat');
      count(`stat ${req.path}`);
      checkDataset(req.dataset);
      const info = await statPath(req.path);
      seen.set(req.path, info);
      return { info };
    },
    list: async (req: proto.ListRequest__Output): Promise<proto.ListResponse> => {
      count('list');
      count(`list ${req.path}`);
      checkDataset(req.dataset);
      const all = await listDir(req.path);
      const start = req.pageToken ? Number(req.pageToken) : 0;
      const size = req.pageSize || 1000;
      const end = Math.min(all.length, start + size);
      const entries = all.slice(start, end);
      const res: proto.ListResponse = { entries, nextPageToken: end < all.length ? String(end) : '' };
      if (!o.locateInList || req.locateBlocks === 0) return res;
      res.blockSize = o.blockSize;
      res.located = entries.filter((e) => !e.isDir).map((e) => ({
        path: e.path!,
        blocks: Array.from({ length: Math.min(req.locateBlocks, blockCount(Number(e.size), o.blockSize)) }, (_, i) => {
          const key = blockKey(req.dataset, e.path!, e.version!, i, o.blockSize);
          const where = o.locate?.(e.path!, i, key) ?? { holders: [] };
          const length = blockLength(Number(e.size), o.blockSize, i);
          return { index: i, key, length, holders: where.holders, ...(where.preferred ? { preferred: where.preferred } : {}) };
        }),
      }));
      return res;
    },
    getBlockLocations: async (req: proto.GetBlockLocationsRequest__Output): Promise<proto.GetBlockLocationsResponse> => {
      count('getBlockLocations');
      checkDataset(req.dataset);
      // Like the real master's namespace cache, remember what was seen when the bucket lost it.
      const info = await statPath(req.path).then((i) => { seen.set(req.path, i); return i; }, (err: unknown) => {
        const known = seen.get(req.path);
        if (!known) throw err;
        return known;
      });
      const version = req.version || info.version!;
      // A pinned version that is no longer current is located by the size its handle gives, as the master does.
      const size = version !== info.version && Number(req.size) > 0 ? Number(req.size) : Number(info.size ?? 0);
      const n = blockCount(size, o.blockSize);
      const first = Math.floor(Number(req.offset) / o.blockSize);
      const last = req.length ? Math.min(n - 1, Math.floor((Number(req.offset) + Number(req.length) - 1) / o.blockSize)) : n - 1;
      const blocks: proto.BlockLocation[] = [];
      for (let i = first; i <= last; i++) {
        const key = blockKey(req.dataset, req.path, version, i, o.blockSize);
        const where = o.locate?.(req.path, i, key) ?? { holders: [] };
        blocks.push({ index: i, key, length: blockLength(size, o.blockSize, i), holders: where.holders,
          ...(where.preferred ? { preferred: where.preferred } : {}) });
      }
      return { info, blockSize: o.blockSize, blocks };
    },
    holdVersions: async (req: proto.HoldVersionsRequest__Output): Promise<proto.HoldVersionsResponse> => {
      count('holdVersions');
      held.set(req.clientId, req.files.map((f) => `${f.path}@${f.version}`).sort());
      return { leaseMs: 30_000 };
    },
    listWorkers: async (): Promise<proto.ListWorkersResponse> => {
      count('listWorkers');
      return { workers: o.workers ?? [{ address: { workerId: 'w1', dataAddress: '127.0.0.1:1', hostId: 'h' }, runtime: o.dataset, live: true, tiers: o.tiers ?? [] }] };
    },
  }, { authenticator: Authenticator.fromCredentials({ admin: [{ token: security.token }] }), roles: MASTER_RPC_ROLES }, silentLogger()));
  const port = await bindServer(server, '127.0.0.1:0', security);
  return {
    address: `127.0.0.1:${port}`, token, ufs, calls, held,
    close: async () => {
      await new Promise<void>((res) => server.tryShutdown(() => res()));
      await ufs.close();
    },
  };
}
