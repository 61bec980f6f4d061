// One region of the region-tree bench (and the cluster of the remote-workers bench): an Eddy
// cluster (master, workers with a MEM tier, FUSE mount), each a child process of the `eddy` CLI,
// optionally inside a network namespace (the mount optionally in another one). The processes
// enter only the namespace's network (`nsenter --net`), not a mount namespace, so the region's
// FUSE mount is visible on the host while its traffic stays on the region's side of its link.
// Credentials by role, as a deployment has them: the CLI uses the admin token, workers the worker
// token, the mount a client token, and another region a client token scoped to `bench`.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@eddy/testkit';
import { Daemon, run, sleep, unmount, waitMounted } from '../exec.js';
import { EDDY_BIN } from '../targets/eddy-target.js';
import { runDataLoad, type DataLoadOutcome, type RunDataLoadOptions } from '../run-dataload.js';

/** bench/lib/dataload-child.js: runDataLoad inside a region's network namespace. */
const DATALOAD_CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dataload-child.js');

export interface RegionOptions {
  name: string;
  /** Network namespace to run in; undefined = the host's. */
  netns?: string;
  /** Network namespace of the FUSE mount when it differs from the cluster's (another host). */
  mountNetns?: string;
  /** --host-id of the workers and of the mount (equal ids let the mount read block files directly). */
  workerHostId?: string;
  mountHostId?: string;
  /** Address the master and workers listen on (others regions reach them there). */
  host: string;
  workers: number;
  quotaBytes: number;
  /** The region's manifests (Secret(s), Dataset `bench`, JindoRuntime `bench`). */
  manifests: () => string;
  dataLoadTimeoutMs: number;
  /** Extra arguments of worker `i`'s and of the mount's command lines (e.g. --metrics-listen). */
  workerArgs?: (i: number) => string[];
  mountArgs?: string[];
}

export class RegionCluster {
  readonly root: string;
  /** The admin token (the CLI's). */
  readonly token = randomBytes(24).toString('hex');
  /** A client credential scoped to the Dataset `bench`: what a downstream region's `fs.eddy.token` holds. */
  readonly scopedClientToken = randomBytes(24).toString('hex');
  readonly #workerToken = randomBytes(24).toString('hex');
  readonly #clientToken = randomBytes(24).toString('hex');
  masterAddress = '';
  readonly #o: RegionOptions;
  readonly #dir: string;
  readonly #daemons: Daemon[] = [];
  #mount: Daemon | undefined;
  #loads = 0;

  constructor(workDir: string, o: RegionOptions) {
    this.#o = o;
    this.#dir = join(workDir, `region-${o.name}`);
    this.root = join(this.#dir, 'mnt');
  }

  get name(): string { return this.#o.name; }

  #prefix(netns = this.#o.netns): string[] {
    return netns ? ['nsenter', `--net=/run/netns/${netns}`] : [];
  }

  #spawn(name: string, args: string[], netns = this.#o.netns): Daemon {
    // EDDY_BENCH_CPU_PROF=DIR: each process writes a V8 CPU profile there when it stops (as eddy-target.ts).
    const profDir = process.env['EDDY_BENCH_CPU_PROF'];
    const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${args[0]}-${this.#o.name}-${this.#daemons.length}.cpuprofile`] : [];
    const [cmd, ...rest] = [...this.#prefix(netns), process.execPath, ...prof, EDDY_BIN, ...args];
    const d = new Daemon(`${name} (${this.#o.name})`, cmd!, rest, { env: { ...process.env, EDDY_LOG_LEVEL: 'warn' } });
    this.#daemons.push(d);
    return d;
  }

  /** Runs an eddy CLI command against this region's master (from inside its namespace). */
  async eddy(args: string[], timeoutMs = 60_000): Promise<string> {
    const [cmd, ...rest] = [...this.#prefix(), process.execPath, EDDY_BIN, '--master', this.masterAddress, '--token-file', join(this.#dir, 'admin-token'), ...args];
    return (await run(cmd!, rest, { timeoutMs, env: { ...process.env, EDDY_LOG_LEVEL: 'warn' } })).stdout;
  }

  async #until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      const dead = this.#daemons.find((d) => d.exited);
      if (dead) throw new Error(`${dead.name} exited while waiting for ${what}: ${dead.output().slice(-1500)}`);
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (err) {
        if ((err as { fatal?: boolean }).fatal) throw err;
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`region ${this.#o.name}: timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
      await sleep(300);
    }
  }

  async start(): Promise<void> {
    const o = this.#o;
    await mkdir(this.#dir, { recursive: true });
    const file = async (name: string, text: string): Promise<string> => {
      await writeFile(join(this.#dir, name), `${text}\n`, { mode: 0o600 });
      return join(this.#dir, name);
    };
    const adminFile = await file('admin-token', this.token);
    const workerFile = await file('worker-token', this.#workerToken);
    const clientFile = await file('client-token', this.#clientToken);
    const clientsFile = await file('master-client-tokens', `${this.#clientToken}\n${this.scopedClientToken} datasets=bench`);
    // Ports in a fresh namespace are free; freePort() checks the host's, which is harmless.
    this.masterAddress = `${o.host}:${await freePort()}`;
    this.#spawn('eddy master', ['master', '--listen', this.masterAddress, '--data-dir', join(this.#dir, 'master'),
      '--admin-token-file', adminFile, '--worker-token-file', workerFile, '--client-token-file', clientsFile,
      // At a load average of 30-40 on 2 cores a worker's heartbeat can be 10 s late (the default
      // timeout): the master then drops it and a DataLoad finds no live worker. A lost worker is not
      // what this bench measures.
      '--worker-timeout', '60000']);
    // Generous deadlines: on the shared 2-core machine a node process can take a minute to start.
    await this.#until('the master', 300_000, async () => { await this.eddy(['get', 'dataset'], 30_000); return true; });
    const manifests = join(this.#dir, 'cluster.yaml');
    await writeFile(manifests, o.manifests(), { mode: 0o600 });
    await this.eddy(['apply', '-f', manifests]);
    for (let i = 0; i < o.workers; i++) {
      const tier = this.#tier(i);
      await mkdir(tier, { recursive: true });
      this.#spawn(`eddy worker ${i}`, ['worker', '--master', this.masterAddress, '--runtime', 'bench', '--listen', `${o.host}:${await freePort()}`,
        '--token-file', workerFile, '--tier', `MEM:${tier}:${o.quotaBytes}:0.99:0.8`, ...(o.workerHostId ? ['--host-id', o.workerHostId] : []),
        ...(o.workerArgs?.(i) ?? [])]);
    }
    await this.#until(`${o.workers} live workers`, 300_000, async () => {
      const items = (JSON.parse(await this.eddy(['get', 'worker', '-o', 'json'], 30_000)) as { items?: { live?: boolean }[] }).items ?? [];
      return items.filter((w) => w.live).length >= o.workers ? true : undefined;
    });
    await mkdir(this.root, { recursive: true });
    this.#mount = this.#spawn('eddy mount', ['mount', '--master', this.masterAddress, '--dataset', 'bench', '--token-file', clientFile,
      ...(o.mountHostId ? ['--host-id', o.mountHostId] : []), ...(o.mountArgs ?? []), this.root], o.mountNetns ?? o.netns);
    await waitMounted(this.root, this.#mount, 300_000);
  }

  #tier(i: number): string {
    return `/dev/shm/eddy-bench-tree-${process.pid}-${this.#o.name}-w${i}`;
  }

  /**
   * A Once DataLoad with a metadata sync; resolves when Complete with the ms it took: the
   * DataLoad's own duration (run-dataload.ts), plus the time of earlier runs if any. A run that
   * fails is applied again (up to 5 runs), as the next tick of a Cron DataLoad would: on a loaded
   * 2-core machine a control call now and then ends with a reset stream.
   */
  async dataLoad(targets: string[], log: (m: string) => void = () => undefined): Promise<number> {
    const t0 = performance.now();
    for (let attempt = 1; ; attempt++) {
      const tAttempt = performance.now();
      try {
        return tAttempt - t0 + await this.#dataLoadOnce(targets);
      } catch (err) {
        if (attempt >= 5) throw err;
        log(`region ${this.#o.name}: ${(err as Error).message}; applying the DataLoad again`);
      }
    }
  }

  async #dataLoadOnce(targets: string[]): Promise<number> {
    const name = `tree-load-${++this.#loads}`;
    const manifest = `apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: ${name}}
spec:
  dataset: {name: bench, namespace: default}
  policy: Once
  loadMetadata: true
  target:
${targets.map((t) => `    - {path: ${JSON.stringify(t)}, replicas: 1}`).join('\n')}
`;
    const options: RunDataLoadOptions = { masterAddress: this.masterAddress, token: this.token, name, manifest, timeoutMs: this.#o.dataLoadTimeoutMs };
    if (this.#o.netns) return (await this.#dataLoadInNetns(options)).durationMs;
    const check = (): void => {
      const dead = this.#daemons.find((d) => d.exited);
      if (dead) throw new Error(`${dead.name} exited while waiting for DataLoad ${name}: ${dead.output().slice(-1500)}`);
    };
    return (await runDataLoad({ ...options, check })).durationMs;
  }

  /**
   * The same from a process inside the region's namespace (dataload-child.ts), whose master may
   * listen on the namespace's loopback: one process per DataLoad; its polls stay off the link.
   */
  async #dataLoadInNetns(options: RunDataLoadOptions): Promise<DataLoadOutcome> {
    const [cmd, ...rest] = [...this.#prefix(), process.execPath, DATALOAD_CHILD];
    const r = await run(cmd!, rest, { input: JSON.stringify(options), timeoutMs: options.timeoutMs + 60_000 });
    return JSON.parse(r.stdout.trim()) as DataLoadOutcome;
  }

  async close(): Promise<void> {
    if (this.#mount) await this.#mount.stop(15_000);
    await unmount(this.root);
    for (const d of [...this.#daemons].reverse()) await d.stop(15_000);
    for (let i = 0; i < this.#o.workers; i++) await rm(this.#tier(i), { recursive: true, force: true });
  }
}
