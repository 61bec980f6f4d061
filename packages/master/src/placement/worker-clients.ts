// The master's calls to workers (Worker.LoadBlocks / FreeBlocks): one gRPC client per live
// worker, reopened when its address changes and closed when it is lost. Each answer is recorded
// in the placement map at once, so holders are right before the worker's next heartbeat. Each
// worker is called with the worker token it registered with (it knows only its own): with
// per-worker tokens (`workers=`) and while a token is rotated, that is the one it accepts.
import { NotFoundError } from '@eddy/core';
import { createWorkerClient, type RpcSecurity, type WorkerRpc, type proto } from '@eddy/protocol';
import type { DataLoadWorkerRpc } from '../dataload/dataload-context.js';
import type { WorkerRegistry } from './worker-registry.js';

export interface WorkerClientsOptions {
  registry: WorkerRegistry;
  /** TLS of calls to workers. */
  security: RpcSecurity;
  /** The worker credential presented to a worker whose registration token is not known. */
  workerToken: (runtime: string, workerId: string) => string;
  loadBlocksTimeoutMs: number;
  freeBlocksTimeoutMs: number;
}

export class WorkerClients implements DataLoadWorkerRpc {
  readonly #options: WorkerClientsOptions;
  readonly #clients = new Map<string, { address: string; token: string; client: WorkerRpc }>();
  /** The token each worker registered with (memory only, like the credential files' tokens). */
  readonly #tokens = new Map<string, string>();

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

  /** Remembers the token worker `workerId` registered with: the master presents it when it calls the worker. */
  registeredWith(workerId: string, token: string): void {
    if (token) this.#tokens.set(workerId, token);
  }

  /** Closes the client of a worker (it was lost); the next call opens a new one. */
  drop(workerId: string): void {
    this.#clients.get(workerId)?.client.close();
    this.#clients.delete(workerId);
    this.#tokens.delete(workerId);
  }

  close(): void {
    for (const id of [...this.#clients.keys()]) this.drop(id);
  }

  #client(workerId: string): WorkerRpc {
    const w = this.#options.registry.get(workerId);
    if (!w?.live) throw new NotFoundError(`worker ${workerId} is not live`);
    const address = w.address.grpcAddress;
    if (!address) throw new NotFoundError(`worker ${workerId} registered no gRPC address`);
    const token = this.#tokens.get(workerId) ?? this.#options.workerToken(w.runtime, workerId);
    const have = this.#clients.get(workerId);
    if (have && have.address === address && have.token === token) return have.client;
    have?.client.close();
    const client = createWorkerClient(address, { ...this.#options.security, token });
    this.#clients.set(workerId, { address, token, client });
    return client;
  }
}
