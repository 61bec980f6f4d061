// An in-memory DataLoadContext for the DataLoad executor and scheduler tests: an object store
// (the UFS), the namespace cache refreshed from it, workers with block sets, a placement view
// and a journal. Workers can be taken down and brought up; waiters for a live worker are woken
// by that, not by polling.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { blockCount, blockKey, NotFoundError } from '@eddy/core';
import { parseManifests, type DataLoadManifest } from '@eddy/manifest';
import type { proto } from '@eddy/protocol';
import type {
  DataLoadContext, DataLoadDatasets, DataLoadFile, DataLoadJournal, DataLoadPlacement, DataLoadWorkerRpc, StaleBlock,
} from '../src/dataload/dataload-context.js';

export const DATASET = 'demo';
export const RUNTIME = 'demo';
export const BLOCK = 1024;

interface UfsObject { size: number; version: string }
interface BlockMeta { dataset: string; path: string; version: string }

export class FakeCluster implements DataLoadContext, DataLoadDatasets, DataLoadPlacement, DataLoadWorkerRpc {
  readonly datasets: DataLoadDatasets = this;
  readonly placement: DataLoadPlacement = this;
  readonly workers: DataLoadWorkerRpc = this;
  /** The journal's contents. */
  readonly saved = new Map<string, unknown>();
  readonly journal: DataLoadJournal = {
    get: (key) => structuredClone(this.saved.get(key)),
    put: (key, value) => { this.saved.set(key, structuredClone(value)); return Promise.resolve(); },
    delete: (key) => Promise.resolve(this.saved.delete(key)),
  };
  /** What the object store holds now. */
  readonly ufs = new Map<string, UfsObject>();
  /** What the namespace cache holds (updated by refresh). */
  readonly namespace = new Map<string, UfsObject>();
  readonly nodes = new Map<string, { live: boolean; blocks: Set<string> }>();
  readonly blockMeta = new Map<string, BlockMeta>();
  /** Paths whose reads fail on the worker (an unreadable object). */
  readonly unreadable = new Set<string>();
  /** LoadBlocks calls wait for this (and abort with the signal). */
  loadGate: Promise<void> = Promise.resolve();
  loadCalls: Array<{ workerId: string; keys: string[]; paths: string[] }> = [];
  freeCalls: Array<{ workerId: string; keys: string[] }> = [];
  refreshes = 0;
  inFlight = 0;
  maxInFlight = 0;
  expired: string[] = [];
  /** Set by the test: what expire() deletes through (the scheduler's onDelete). */
  onExpire: ((name: string) => Promise<void>) | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(workerIds: string[]) {
    for (const w of workerIds) this.nodes.set(w, { live: true, blocks: new Set() });
  }

  putObject(path: string, size: number, version: string): void {
    this.ufs.set(path, { size, version });
  }

  /** Put into the UFS and the namespace cache at once. */
  putSynced(path: string, size: number, version: string): void {
    this.putObject(path, size, version);
    this.namespace.set(path, { size, version });
  }

  setLive(workerId: string, live: boolean): void {
    const n = this.nodes.get(workerId);
    assert.ok(n);
    n.live = live;
    if (live) for (const wake of [...this.#waiters]) wake();
  }

  /** Keys of every block of the current namespace version of `path`. */
  currentKeys(path: string): string[] {
    const o = this.namespace.get(path);
    assert.ok(o, `no ${path}`);
    return Array.from({ length: blockCount(o.size, BLOCK) }, (_, i) => blockKey(DATASET, path, o.version, i, BLOCK));
  }

  allHeldKeys(): Set<string> {
    const s = new Set<string>();
    for (const n of this.nodes.values()) for (const k of n.blocks) s.add(k);
    return s;
  }

  // ---- DataLoadDatasets ----

  refresh(dataset: string): Promise<void> {
    assert.equal(dataset, DATASET);
    this.refreshes += 1;
    this.namespace.clear();
    for (const [p, o] of this.ufs) this.namespace.set(p, { ...o });
    return Promise.resolve();
  }

  listFiles(dataset: string, targetPath: string): Promise<DataLoadFile[]> {
    if (dataset !== DATASET) return Promise.reject(new NotFoundError(`dataset ${dataset} not found`));
    const exact = this.namespace.get(targetPath);
    if (exact) return Promise.resolve([{ path: targetPath, ...exact }]);
    const prefix = targetPath.endsWith('/') ? targetPath : `${targetPath}/`;
    const out = [...this.namespace].filter(([p]) => p.startsWith(prefix)).map(([path, o]) => ({ path, ...o }));
    if (out.length === 0 && targetPath !== '/') return Promise.reject(new NotFoundError(`${targetPath} not found`));
    return Promise.resolve(out);
  }

  layout(dataset: string): { runtime: string; blockSize: number } {
    if (dataset !== DATASET) throw new NotFoundError(`no runtime for ${dataset}`);
    return { runtime: RUNTIME, blockSize: BLOCK };
  }

  staleBlocks(dataset: string): StaleBlock[] {
    const out: StaleBlock[] = [];
    for (const [key, meta] of this.blockMeta) {
      if (meta.dataset !== dataset || this.namespace.get(meta.path)?.version === meta.version) continue;
      const workerIds = this.holders(key);
      if (workerIds.length > 0) out.push({ key, workerIds });
    }
    return out;
  }

  // ---- DataLoadPlacement ----

  liveWorkers(): string[] {
    return [...this.nodes].filter(([, n]) => n.live).map(([id]) => id);
  }

  holders(key: string): string[] {
    return [...this.nodes].filter(([, n]) => n.live && n.blocks.has(key)).map(([id]) => id);
  }

  preferredWorkers(key: string, _runtime: string, n: number): string[] {
    const score = (w: string): string => createHash('sha256').update(`${key}/${w}`).digest('hex');
    return this.liveWorkers().sort((a, b) => score(b).localeCompare(score(a))).slice(0, n);
  }

  waitForLiveWorker(_runtime: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<boolean> {
    if (this.liveWorkers().length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (came: boolean): void => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        this.#waiters.delete(wake);
        resolve(came);
      };
      const wake = (): void => done(true);
      const onAbort = (): void => done(false);
      const timer = setTimeout(onAbort, options.timeoutMs);
      options.signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(wake);
    });
  }

  // ---- DataLoadWorkerRpc ----

  async loadBlocks(workerId: string, refs: proto.BlockRef[], options: { signal: AbortSignal }): Promise<proto.BlockResult__Output[]> {
    const node = this.nodes.get(workerId);
    assert.ok(node?.live, `load sent to dead worker ${workerId}`);
    this.loadCalls.push({ workerId, keys: refs.map((r) => r.key ?? ''), paths: refs.map((r) => r.path ?? '') });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(new Error('aborted'));
        options.signal.addEventListener('abort', onAbort, { once: true });
        void this.loadGate.then(resolve).finally(() => options.signal.removeEventListener('abort', onAbort));
      });
      return refs.map((r) => this.#loadOne(node.blocks, r));
    } finally {
      this.inFlight -= 1;
    }
  }

  #loadOne(blocks: Set<string>, r: proto.BlockRef): proto.BlockResult__Output {
    const key = r.key ?? '';
    const path = r.path ?? '';
    const current = this.ufs.get(path);
    const fail = (errorCode: string, errorMessage: string): proto.BlockResult__Output =>
      ({ key, ok: false, errorCode, errorMessage, bytesFetched: 0 });
    if (this.unreadable.has(path)) return fail('ACCESS_DENIED', `read ${path}: access denied`);
    if (!current || current.version !== r.version) return fail('VERSION_MISMATCH', `${path} changed`);
    const length = Math.min(BLOCK, current.size - (r.index ?? 0) * BLOCK);
    const had = blocks.has(key);
    blocks.add(key);
    this.blockMeta.set(key, { dataset: r.dataset ?? '', path, version: r.version ?? '' });
    return { key, ok: true, errorCode: '', errorMessage: '', bytesFetched: had ? 0 : length };
  }

  freeBlocks(workerId: string, keys: string[]): Promise<number> {
    this.freeCalls.push({ workerId, keys });
    const node = this.nodes.get(workerId);
    let n = 0;
    for (const k of keys) if (node?.blocks.delete(k)) n++;
    return Promise.resolve(n);
  }

  async expire(name: string): Promise<void> {
    this.expired.push(name);
    await this.onExpire?.(name);
  }
}

/** A DataLoad manifest for the fake dataset, from the YAML lines of its spec. */
export function dataLoad(yamlSpec: string, name: string): DataLoadManifest {
  const text = `apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata:
  name: ${name}
spec:
  dataset:
    name: ${DATASET}
    namespace: default
${yamlSpec.split('\n').map((l) => `  ${l}`).join('\n')}
`;
  const [m] = parseManifests(text);
  assert.ok(m && m.kind === 'DataLoad');
  return m;
}
