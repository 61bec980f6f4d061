// The cluster of the observability tests: an EddyCluster whose master, worker and mount serve
// /metrics (and the master its status page) on loopback, a worker on the mount's host (so cached
// reads short-circuit), and a real Prometheus scraping all three every second.
import { join } from 'node:path';
import { EddyCluster } from '@eddy/test-cluster';
import { freePort, startPrometheus, type PrometheusServer } from '@eddy/testkit';

export const JOBS = ['eddy-master', 'eddy-worker', 'eddy-mount'] as const;

export interface ObservedCluster {
  c: EddyCluster;
  prom: PrometheusServer;
  mnt: string;
  ports: { master: number; page: number; worker: number; mount: number };
  /** Waits until every job was scraped after now. */
  scraped(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `prepare` puts the data in place (objects in the cluster's bucket, or files in a directory) and
 * returns the manifests of dataset `models` and its Runtime.
 */
export async function startObservedCluster(prefix: string, prepare: (c: EddyCluster) => Promise<string>): Promise<ObservedCluster> {
  const ports = { master: await freePort(), page: await freePort(), worker: await freePort(), mount: await freePort() };
  const c = await EddyCluster.start(prefix, {
    // A 10-minute hit-ratio window covers a whole test, so Dataset status compares with Prometheus' all-time figures.
    masterArgs: ['--metrics-listen', `127.0.0.1:${ports.master}`, '--http-listen', `127.0.0.1:${ports.page}`, '--hit-ratio-window', '600000',
      // Not a fault test: a worker busy with thousands of blocks on a loaded machine must not be declared lost.
      '--worker-timeout', '15000'],
  });
  let prom: PrometheusServer | undefined;
  try {
    await c.apply(await prepare(c));
    await c.refresh();
    await c.startWorker({ id: 'w1', hostId: 'client-host', args: ['--metrics-listen', `127.0.0.1:${ports.worker}`] });
    const mnt = join(c.root, 'mnt');
    await c.mount(mnt, [], ['--metrics-listen', `127.0.0.1:${ports.mount}`]);
    prom = await startPrometheus([
      { job: 'eddy-master', address: `127.0.0.1:${ports.master}`, token: c.token },
      { job: 'eddy-worker', address: `127.0.0.1:${ports.worker}`, token: c.token },
      { job: 'eddy-mount', address: `127.0.0.1:${ports.mount}`, token: c.token },
    ]);
    const p = prom;
    return {
      c, prom: p, mnt, ports,
      scraped: async () => {
        const now = Date.now();
        await Promise.all(JOBS.map((job) => p.waitForScrape(job, now)));
      },
      close: async () => {
        await p.close();
        await c.close();
      },
    };
  } catch (err) {
    await prom?.close();
    await c.close();
    throw err;
  }
}

/** Sum of a counter in Prometheus, 0 when it has no series yet. */
export async function total(prom: PrometheusServer, selector: string, time?: number): Promise<number> {
  return (await prom.scalar(`sum(${selector}) or vector(0)`, time)) ?? 0;
}
