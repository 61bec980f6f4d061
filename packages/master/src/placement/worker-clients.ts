// The master's calls to workers (Worker.LoadBlocks / FreeBlocks): one gRPC client per live
// worker, reopened when its address changes and closed when it is lost. Each answer is recorded
// in the placement map at once, so holders are right before the worker's next heartbeat.
import { NotFoundError } from '@eddy/core';
import { createWorkerClient, type RpcSecurity, type WorkerRpc, type proto } from '@eddy/protocol';
import type { DataLoadWorkerRpc } from '../dataload/dataload-context.js';
import type { WorkerRegistry } from './worker-registry.js';

export interface WorkerClientsOptions {
  registry: WorkerRegistry;
  /** TLS of calls to workers. */
  security: RpcSecurity;
  /** The worker credential presented to a worker of `runtime`. */
  workerToken: (runtime: string) => string;
  loadBlocksTimeoutMs: number;
  freeBlocksTimeoutMs: number;
}

export class WorkerClients implements DataLoadWorkerRpc {
  readonly #options: WorkerClientsOptions;
  readonly #clients = new Map<string, { address: string; client: WorkerRpc }>();

  constructor(options: WorkerClientsOptions) {
    this.#options = options;
  }

  async loadBlocks(workerId: string, refs: proto.BlockRef[], options: { signal: AbortSignal }): Promise<proto.BlockResult__Output[]> {
    const client = this.#client(workerId);
    const started = Date.now();
    const res = await client.loadBlocks({ blocks: refs }, { signal: options.signal, timeoutMs: this.#options.loadBlocksTimeoutMs });
    this.#options.registry.recordHeld(workerId, res.results.filter((r) => r.ok).map((r) => r.key), started);
    return res.results;
  }

  async freeBlocks(workerId: string, keys: string[], options: { signal: AbortSignal }): Promise<number> {
    const client = this.#client(workerId);
    const res = await client.freeBlocks({ keys }, { signal: options.signal, timeoutMs: this.#options.freeBlocksTimeoutMs });
    this.#options.registry.recordFreed(workerId, keys);
    return res.freed;
  }

  /** Closes the client of a worker (it was lost); the next call opens a new one. */
  drop(workerId: string): void {
    this.#clients.get(workerId)?.client.close();
    this.#clients.delete(workerId);
  }

  close(): void {
    for (const id of [...this.#clients.keys()]) this.drop(id);
  }

  #client(workerId: string): WorkerRpc {
    const w = this.#options.registry.get(workerId);
    if (!w?.live) throw new NotFoundError(`worker ${workerId} is not live`);
    const address = w.address.grpcAddress;
    if (!address) throw new NotFoundError(`worker ${workerId} registered no gRPC address`);
    const have = this.#clients.get(workerId);
    if (have && have.address === address) return have.client;
    have?.client.close();
    const client = createWorkerClient(address, { ...this.#options.security, token: this.#options.workerToken(w.runtime) });
    this.#clients.set(workerId, { address, client });
    return client;
  }
}
