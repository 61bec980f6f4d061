// The worker's session with the master: registration with a full block report, then heartbeats
// carrying block deltas, tier usage and counters. Commands in heartbeat replies (free,
// reregister) are carried out here; loads come as LoadBlocks calls to the worker's gRPC service.
// When the master is down the link retries with backoff and the worker keeps serving reads;
// deltas of failed heartbeats are sent again later.
import { setTimeout as sleep } from 'node:timers/promises';
import { EddyError, retryWithBackoff, silentLogger, type Logger } from '@eddy/core';
import { type MasterRpc, type proto } from '@eddy/protocol';
import type { BlockService } from '../blocks/block-service.js';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

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
  /** Called after each heartbeat the master answered (the worker's heartbeat metric). */
  onHeartbeat?: () => void;
  /** The data-channel verifiers of each register and heartbeat answer (credential rotation reaches the worker this way). */
  onVerifiers?: (verifiers: proto.CredentialVerifier__Output[]) => void;
}

export class MasterLink {
  readonly #options: MasterLinkOptions;
  readonly #logger: Logger;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #registered = false;
  #interval: number;
  #client: MasterLinkClient | undefined;
  /** Completed heartbeats (tests and stats). */
  heartbeats = 0;

  constructor(options: MasterLinkOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger();
    this.#interval = options.heartbeatIntervalMs ?? WORKER_DEFAULTS.heartbeatIntervalMs;
  }

  get registered(): boolean { return this.#registered; }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops heartbeats and closes the client. Idempotent. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#client?.close();
    this.#client = undefined;
  }

  #master(): MasterLinkClient {
    this.#client ??= this.#options.connect();
    return this.#client;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        await retryWithBackoff(() => (this.#registered ? this.#beat() : this.#register()), {
          attempts: Infinity,
          baseDelayMs: this.#interval,
          maxDelayMs: this.#options.maxBackoffMs ?? WORKER_DEFAULTS.masterMaxBackoffMs,
          isRetryable: () => true,
          signal,
          onRetry: (err) => this.#failed(err, ++failures),
        });
        if (failures > 0) this.#logger.info({ failures }, 'master reachable again');
        failures = 0;
        // A reregister answer registers again at once.
        if (this.#registered) await sleep(this.#interval, undefined, { signal });
      } catch (err) {
        // Only the stop signal ends the retries (or the pause between heartbeats).
        if (!signal.aborted) throw err;
      }
    }
  }

  #failed(err: unknown, failures: number): void {
    const code = err instanceof EddyError ? err.code : 'INTERNAL';
    if (failures === 1 || failures % 10 === 0) this.#logger.warn({ failures, code, err }, 'master unreachable; still serving reads, retrying');
    if (failures >= 2) {
      this.#client?.close();
      this.#client = undefined;
    }
  }

  async #register(): Promise<void> {
    const { blocks } = this.#options;
    const keys = blocks.store.keys();
    // The full report supersedes any pending delta.
    blocks.store.drainDelta();
    const res = await this.#master().registerWorker({
      workerId: this.#options.workerId, runtime: this.#options.runtime, address: this.#options.address,
      tiers: blocks.store.tierInfo(), blockKeys: keys,
    }, { signal: this.#stop.signal, timeoutMs: WORKER_DEFAULTS.registerTimeoutMs });
    this.#registered = true;
    // A new registration starts with no pins at the master too; its heartbeat replies pin again.
    blocks.store.clearPins();
    this.#options.onVerifiers?.(res.verifiers);
    if (this.#options.heartbeatIntervalMs === undefined && res.heartbeatIntervalMs > 0) this.#interval = res.heartbeatIntervalMs;
    this.#logger.info({ workerId: this.#options.workerId, blocks: keys.length }, 'registered with the master');
  }

  async #beat(): Promise<void> {
    const { blocks } = this.#options;
    const delta = blocks.store.drainDelta();
    let res: proto.HeartbeatResponse__Output;
    try {
      res = await this.#master().heartbeat({
        workerId: this.#options.workerId, added: delta.added, removed: delta.removed,
        tiers: blocks.store.tierInfo(), counters: { ...blocks.counters },
      }, { signal: this.#stop.signal, timeoutMs: WORKER_DEFAULTS.heartbeatTimeoutMs });
    } catch (err) {
      blocks.store.restoreDelta(delta);
      throw err;
    }
    this.heartbeats++;
    this.#options.onHeartbeat?.();
    this.#options.onVerifiers?.(res.verifiers);
    if (res.reregister) {
      this.#logger.info('master asked for a full report; registering again');
      this.#registered = false;
      return;
    }
    for (const key of res.free ?? []) await blocks.store.remove(key);
    blocks.store.unpin(res.unpin ?? []);
    blocks.store.pin(res.pin ?? []);
  }
}
