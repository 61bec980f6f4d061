// Sends the mount's bytes-by-source totals to the master (ReportReads) every interval while they
// change, and once more on close, so Dataset status carries hit ratios over every read path
// (short-circuit reads included, which no worker sees). Totals are cumulative: a lost report costs
// nothing but delay, and the master takes differences per client id.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@eddy/core';
import type { MasterRpc } from '@eddy/protocol';
import type { ReadBytesBySource } from '@eddy/metrics';

export interface ReadReporterOptions {
  master: Pick<MasterRpc, 'reportReads'>;
  /** Cumulative totals per dataset (ClientMetrics.readTotals). */
  totals(): Map<string, ReadBytesBySource>;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
}

export class ReadReporter {
  /** Unique per mount: host, pid and a random part (a restarted mount is a new client). */
  readonly clientId = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  readonly #o: ReadReporterOptions;
  readonly #timer: NodeJS.Timeout;
  #lastSent = '';
  #inFlight: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ReadReporterOptions) {
    this.#o = options;
    this.#timer = setInterval(() => { void this.flush(); }, options.intervalMs);
    this.#timer.unref();
  }

  /** Sends the totals if they changed since the last report that got through. */
  async flush(): Promise<void> {
    if (this.#inFlight) return await this.#inFlight;
    const reads = [...this.#o.totals()].map(([dataset, t]) => ({ dataset, localBytes: t.local, remoteBytes: t.remote, ufsBytes: t.ufs }));
    const body = JSON.stringify(reads);
    if (reads.length === 0 || body === this.#lastSent) return;
    this.#inFlight = this.#o.master.reportReads({ clientId: this.clientId, reads }, { timeoutMs: this.#o.timeoutMs })
      .then(() => { this.#lastSent = body; }, (err: unknown) => { this.#o.logger.debug({ err }, 'read report failed; sending again later'); })
      .finally(() => { this.#inFlight = undefined; });
    await this.#inFlight;
  }

  /** Stops reporting after a last report. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.flush();
    })();
    return this.#closing;
  }
}
