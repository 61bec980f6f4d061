// The worker's session with the master: registration with a full block report, then heartbeats
// carrying block deltas, tier usage and counters. Commands in heartbeat replies (free,
// reregister) are carried out here; loads come as LoadBlocks calls to the worker's gRPC service. When the master is down the link retries with backoff and
// the worker keeps serving reads; deltas of failed heartbeats are sent again later.
import { EddyError, silentLogger, type Logger } from '@eddy/core';
import { type MasterRpc, type proto } from '@eddy/protocol';
import type { BlockService } from '../blocks/block-service.js';

export type MasterLinkClient = Pick<MasterRpc, 'registerWorker' | 'heartbeat' | 'close'>;

export interface MasterLinkOptions {
  /**
   * Opens a client to the master. The link reopens it after failed calls: a gRPC channel that
   * failed for a while backs off its reconnects, which would keep a restarted master waiting.
   */
  connect: () => MasterLinkClient;
  workerId: string;
  runtime: string;
  address: proto.WorkerAddress;
  blocks: BlockService;
  logger?: Logger;
  /** Overrides the interval the master asks for. */
  heartbeatIntervalMs?: number;
  /** Cap on the retry delay while the master is unreachable. Default 2 s (a restarted master waits for workers only briefly). */
  maxBackoffMs?: number;
}

export class MasterLink {
  private readonly logger: Logger;
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private registeredFlag = false;
  private interval: number;
  private client: MasterLinkClient | undefined;
  /** Completed heartbeats (tests and stats). */
  heartbeats = 0;

  constructor(private readonly options: MasterLinkOptions) {
    this.logger = options.logger ?? silentLogger();
    this.interval = options.heartbeatIntervalMs ?? 3_000;
  }

  get registered(): boolean { return this.registeredFlag; }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
    this.client?.close();
    this.client = undefined;
  }

  private master(): MasterLinkClient {
    this.client ??= this.options.connect();
    return this.client;
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stop.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void { clearTimeout(t); resolve(); }
      this.stop.signal.addEventListener('abort', done, { once: true });
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stop.signal.aborted) {
      try {
        if (!this.registeredFlag) await this.register();
        else await this.beat();
        if (failures > 0) this.logger.info({ failures }, 'master reachable again');
        failures = 0;
        if (this.registeredFlag) await this.sleep(this.interval);
      } catch (err) {
        if (this.stop.signal.aborted) break;
        failures++;
        const code = err instanceof EddyError ? err.code : 'INTERNAL';
        if (failures === 1 || failures % 10 === 0) this.logger.warn({ failures, code, err: (err as Error).message }, 'master unreachable; still serving reads, retrying');
        if (failures >= 2) {
          this.client?.close();
          this.client = undefined;
        }
        const cap = this.options.maxBackoffMs ?? 2_000;
        const base = Math.min(cap, this.interval * 2 ** Math.min(failures - 1, 6));
        await this.sleep(base / 2 + Math.random() * base / 2);
      }
    }
  }

  private async register(): Promise<void> {
    const { blocks } = this.options;
    const keys = blocks.store.keys();
    // The full report supersedes any pending delta.
    blocks.store.drainDelta();
    const res = await this.master().registerWorker({
      workerId: this.options.workerId, runtime: this.options.runtime, address: this.options.address,
      tiers: blocks.store.tierInfo(), blockKeys: keys,
    }, { signal: this.stop.signal, timeoutMs: 15_000 });
    this.registeredFlag = true;
    if (this.options.heartbeatIntervalMs === undefined && res.heartbeatIntervalMs > 0) this.interval = res.heartbeatIntervalMs;
    this.logger.info({ workerId: this.options.workerId, blocks: keys.length }, 'registered with the master');
  }

  private async beat(): Promise<void> {
    const { blocks } = this.options;
    const delta = blocks.store.drainDelta();
    let res: proto.HeartbeatResponse__Output;
    try {
      res = await this.master().heartbeat({
        workerId: this.options.workerId, added: delta.added, removed: delta.removed,
        tiers: blocks.store.tierInfo(), counters: { ...blocks.counters },
      }, { signal: this.stop.signal, timeoutMs: 10_000 });
    } catch (err) {
      blocks.store.restoreDelta(delta);
      throw err;
    }
    this.heartbeats++;
    if (res.reregister) {
      this.logger.info('master asked for a full report; registering again');
      this.registeredFlag = false;
      return;
    }
    for (const key of res.free ?? []) await blocks.store.remove(key);
  }
}
