// A worker made of a master gRPC client: registers with a block report and heartbeats on a
// timer, collecting the commands the master sends back. Enough to test liveness and placement.
import { createMasterClient, type MasterRpc, type proto } from '@eddy/protocol';

export class FakeWorker {
  readonly client: MasterRpc;
  readonly blocks = new Set<string>();
  readonly freed: string[] = [];
  /** Keys the master told this worker to pin (and not yet to unpin). */
  readonly pinned = new Set<string>();
  reregisterCount = 0;
  heartbeats = 0;
  private timer: NodeJS.Timeout | undefined;
  private added: string[] = [];

  constructor(
    readonly id: string,
    readonly runtime: string,
    masterAddress: string,
    token: string,
    readonly quotaBytes = 1024 ** 3,
    /** host:port of a Worker gRPC server standing in for this worker, if any. */
    readonly grpcAddress = '',
  ) {
    this.client = createMasterClient(masterAddress, { token });
  }

  address(): proto.WorkerAddress {
    return { workerId: this.id, dataAddress: `127.0.0.1:1${this.id.length}000`, hostId: 'host-a', grpcAddress: this.grpcAddress || `127.0.0.1:2${this.id.length}000` };
  }

  async register(): Promise<proto.RegisterWorkerResponse__Output> {
    this.added = [];
    this.pinned.clear();
    return await this.client.registerWorker({
      workerId: this.id, runtime: this.runtime, address: this.address(),
      tiers: [{ medium: 'MEM', path: '/dev/shm/x', quotaBytes: this.quotaBytes, usedBytes: 0, high: 0.95, low: 0.7 }],
      blockKeys: [...this.blocks],
    });
  }

  add(key: string): void {
    this.blocks.add(key);
    this.added.push(key);
  }

  async heartbeatOnce(): Promise<proto.HeartbeatResponse__Output> {
    const added = this.added;
    this.added = [];
    const res = await this.client.heartbeat({ workerId: this.id, added, removed: [], tiers: [], counters: { hits: 3, misses: 1, bytesServed: 10,
      ufsBytesRead: 5 } });
    this.heartbeats++;
    for (const k of res.free) { this.blocks.delete(k); this.freed.push(k); }
    for (const k of res.pin) this.pinned.add(k);
    for (const k of res.unpin) this.pinned.delete(k);
    if (res.reregister) {
      this.reregisterCount++;
      await this.register();
    }
    return res;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => { this.heartbeatOnce().catch(() => undefined); }, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.client.close();
  }
}
