// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// a candidate takes the Lease when it is free or its holder stopped renewing for leaseDuration, the
// leader renews it every retryPeriod, and every write is a compare-and-swap on resourceVersion so two
// candidates can never both win. A leader that cannot renew within renewDeadline steps down.
import type { Logger } from '@eddy/core';
import { isConflict, type KubeApi, type Lease } from './kube-api.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  /** How long a Lease stays valid without renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** A leader that has not renewed for this long gives up. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between tries (candidates) and renewals (leader). Default 2 s. */
  retryPeriodMs?: number;
}

type LeaseApi = Pick<KubeApi, 'readLease' | 'createLease' | 'replaceLease'>;

/** MicroTime: RFC 3339 with six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The Lease's spec with its times as MicroTime strings again (they come back as Dates). */
function specOf(lease: Lease): NonNullable<Lease['spec']> {
  const spec = { ...lease.spec };
  if (spec.acquireTime !== undefined) spec.acquireTime = microTime(new Date(spec.acquireTime).getTime());
  if (spec.renewTime !== undefined) spec.renewTime = microTime(new Date(spec.renewTime).getTime());
  return spec;
}

export class LeaderElector {
  readonly #api: LeaseApi;
  readonly #logger: Logger;
  readonly #o: Required<LeaderElectionOptions>;
  #lastRenewMs = 0;

  constructor(api: LeaseApi, logger: Logger, options: LeaderElectionOptions) {
    this.#api = api;
    this.#logger = logger;
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
  }

  /**
   * Runs `lead` while this candidate holds the Lease: resolves when `signal` aborts (the Lease is
   * then released so a successor need not wait) or rejects when leadership is lost. `lead` gets a
   * signal that aborts on either.
   */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted && !(await this.#tryAcquireOrRenew())) await sleep(this.#o.retryPeriodMs, signal);
    if (signal.aborted) return;
    this.#logger.info({ lease: `${this.#o.namespace}/${this.#o.name}`, identity: this.#o.identity }, 'became leader');
    const leading = new AbortController();
    const onAbort = (): void => leading.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let lost: Error | undefined;
    const renewing = (async () => {
      while (!leading.signal.aborted) {
        await sleep(this.#o.retryPeriodMs, leading.signal);
        if (leading.signal.aborted) break;
        const ok = await this.#tryAcquireOrRenew();
        if (!ok && Date.now() - this.#lastRenewMs > this.#o.renewDeadlineMs) {
          lost = new Error(`lost the leader Lease ${this.#o.namespace}/${this.#o.name}`);
          leading.abort();
        }
      }
    })();
    try {
      await lead(leading.signal);
    } finally {
      leading.abort();
      signal.removeEventListener('abort', onAbort);
      await renewing;
    }
    if (lost) throw lost;
    await this.#release();
  }

  /** One attempt; true when this candidate holds the Lease afterwards. Never throws. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = Date.now();
    try {
      const lease = await this.#api.readLease(this.#o.namespace, this.#o.name);
      const spec = {
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
        renewTime: microTime(now),
      };
      if (!lease) {
        await this.#api.createLease(this.#o.namespace, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          metadata: { name: this.#o.name, namespace: this.#o.namespace },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        this.#lastRenewMs = now;
        return true;
      }
      const holder = lease.spec?.holderIdentity;
      const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
      const duration = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
      const mine = holder === this.#o.identity;
      if (!mine && holder && now < renewed + duration) return false;
      const next: Lease = {
        ...lease,
        spec: {
          ...specOf(lease),
          ...spec,
          ...(mine ? {} : { acquireTime: microTime(now), leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 }),
        },
      };
      await this.#api.replaceLease(this.#o.namespace, next);
      this.#lastRenewMs = now;
      return true;
    } catch (err) {
      if (!isConflict(err)) this.#logger.warn({ err }, 'leader election: cannot read or write the Lease');
      return false;
    }
  }

  /** Gives the Lease up (holder cleared) so another replica takes over at once. */
  async #release(): Promise<void> {
    try {
      const lease = await this.#api.readLease(this.#o.namespace, this.#o.name);
      if (!lease || lease.spec?.holderIdentity !== this.#o.identity) return;
      await this.#api.replaceLease(this.#o.namespace, { ...lease, spec: { ...specOf(lease), holderIdentity: '', leaseDurationSeconds: 1 } });
    } catch (err) {
      this.#logger.warn({ err }, 'leader election: could not release the Lease');
    }
  }
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
