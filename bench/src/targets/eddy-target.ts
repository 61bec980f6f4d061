// Eddy as a bench target: a master, 2 workers with one tier (MEM under /dev/shm, or SSD on the
// disk the peers' caches used to sit on: the `eddy-ssd` variant) and a FUSE mount, each a child
// process of `node packages/cli/bin/eddy.js`, configured with the Fluid manifests a user applies
// (Secret, Dataset on the bench bucket, JindoRuntime) and warmed/refreshed with DataLoads applied
// and followed from this process (run-dataload.ts: the requests `eddy apply` and `eddy get` send,
// without a CLI process per poll). Cold = the whole cluster restarted with empty tiers and an
// empty journal.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, onceDataLoadManifest, s3DatasetManifests } from '@eddy/testkit';
import { Daemon, run, sleep, unmount, waitMounted } from '../exec.js';
import type { FixtureFile } from '../fixture.js';
import { runDataLoad } from '../run-dataload.js';
import type { FsTarget, S3Access } from './target.js';

/** EDDY_BENCH_NO_FAST_READ=1: mounts answer every read in JS (`eddy mount --no-fast-read`), for A/B runs of the fast read path. */
const NO_FAST_READ = process.env['EDDY_BENCH_NO_FAST_READ'] === '1';
/** EDDY_BENCH_NO_FAST_ATTR=1: mounts answer every getattr in JS (`eddy mount --no-fast-attr`), for A/B runs of the fast attr table. */
const NO_FAST_ATTR = process.env['EDDY_BENCH_NO_FAST_ATTR'] === '1';

export const EDDY_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'packages', 'cli', 'bin', 'eddy.js');

export type EddyFactory = (access: S3Access, region: string, tier?: EddyTier) => FsTarget;

/** Where the workers keep blocks: the target's name says which (eddy = MEM, eddy-ssd = SSD). */
export interface EddyTier {
  name: string;
  medium: 'MEM' | 'SSD';
  /** Directory under which each worker's tier directory is made. */
  root: string;
}

export const MEM_TIER: EddyTier = { name: 'eddy', medium: 'MEM', root: '/dev/shm' };

export interface EddyTargetOptions {
  /** MEM tier quota per worker. */
  quotaBytes: number;
  workers: number;
  /** The Runtime's fuse.args. */
  fuseArgs: string[];
  dataLoadTimeoutMs: number;
}

const DATASET = 'bench';

/** Fluid manifests for the bench bucket: Secret, Dataset (s3:// with endpoint options), JindoRuntime. */
export function clusterManifests(access: S3Access, o: EddyTargetOptions): string {
  return s3DatasetManifests(access.bucket, access, {
    dataset: DATASET, replicas: o.workers, blockSize: '16Mi', quota: String(o.quotaBytes), fuseArgs: o.fuseArgs,
  });
}

/** A Once DataLoad of `targets`, with a metadata sync first (picks up changed objects). */
export function dataLoadManifest(name: string, targets: string[]): string {
  return onceDataLoadManifest(name, DATASET, targets, { loadMetadata: true });
}

/** DataLoad targets for a set of files: whole top-level directories when many files, else the files. */
function targetsFor(files: FixtureFile[]): string[] {
  if (files.length <= 8) return files.map((f) => `/${f.path}`);
  return [...new Set(files.map((f) => `/${f.path.split('/')[0]}`))];
}

export class EddyTarget implements FsTarget {
  readonly name: string;
  readonly kind = 'eddy' as const;
  readonly root: string;
  private readonly dir: string;
  private readonly tokenFile: string;
  private master: Daemon | undefined;
  private workers: Daemon[] = [];
  private mount: Daemon | undefined;
  private masterAddress = '';
  /** The master's one token (every role), in `tokenFile` for the CLI and used by the bench's own calls. */
  private token = '';
  private loads = 0;
  private generation = 0;
  private refreshes: RegExpExecArray[] = [];

  constructor(private readonly access: S3Access, workDir: string, private readonly region: string, private readonly o: EddyTargetOptions,
    private readonly tier: EddyTier = MEM_TIER) {
    this.name = tier.name;
    this.dir = join(workDir, `${tier.name}-${region}`);
    this.root = join(this.dir, 'mnt');
    this.tokenFile = join(this.dir, 'token');
  }

  describe(): string {
    return `eddy master + ${this.o.workers} workers (${this.tier.medium} tier under ${this.tier.root}, quota ${(this.o.quotaBytes / 1024 ** 3).toFixed(2)} GiB each, 16 MiB blocks) + eddy mount, separate processes; fuse.args ${this.o.fuseArgs.join(' ')}; warmed with a Once DataLoad (loadMetadata: true)${NO_FAST_READ ? '; eddy mount --no-fast-read (every read answered in JS)' : ''}${NO_FAST_ATTR ? '; eddy mount --no-fast-attr (every getattr answered in JS)' : ''}`;
  }

  private tierPath(i: number): string {
    return join(this.tier.root, `eddy-bench-${process.pid}-${this.tier.name}-${this.region}-g${this.generation}-w${i}`);
  }

  /**
   * How long the master took to list the bucket for the Dataset applied at start() (its own
   * measure, logged as 'namespace refreshed'): the part of a first find + stat that Eddy does
   * before the mount exists. Undefined until that listing finished.
   */
  get listingMs(): number | undefined {
    const m = this.refreshes[0];
    if (!m) return undefined;
    try {
      return (JSON.parse(m.input) as { ms?: number }).ms;
    } catch {
      return undefined;
    }
  }

  /** Runs an eddy CLI command against this cluster's master. */
  async eddy(args: string[], timeoutMs = 60_000): Promise<string> {
    const r = await run(process.execPath, [EDDY_BIN, '--master', this.masterAddress, '--token-file', this.tokenFile, ...args], { timeoutMs, env: { ...process.env, EDDY_LOG_LEVEL: 'warn' } });
    return r.stdout;
  }

  private spawn(name: string, args: string[]): Daemon {
    // EDDY_BENCH_CPU_PROF=DIR: every Eddy process writes a V8 CPU profile there when it stops
    // (open them in Chrome DevTools), to see what stands between Eddy and the ceiling.
    const profDir = process.env['EDDY_BENCH_CPU_PROF'];
    const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', `${args[0]}-${this.region}-${Date.now()}-${process.hrtime.bigint() % 1000000n}.cpuprofile`] : [];
    return new Daemon(`${name} (${this.region})`, process.execPath, [...prof, EDDY_BIN, ...args], { env: { ...process.env, EDDY_LOG_LEVEL: 'warn' } });
  }

  /** Throws if a process of the cluster has exited. */
  private checkAlive(what: string): void {
    for (const d of [this.master, ...this.workers, this.mount]) {
      if (d?.exited) throw new Error(`${d.name} exited while waiting for ${what}: ${d.output().slice(-1500)}`);
    }
  }

  private async waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      this.checkAlive(what);
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (err) {
        if ((err as { fatal?: boolean }).fatal) throw err;
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`eddy (${this.region}): timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
      await sleep(300);
    }
  }

  async start(): Promise<void> {
    this.generation++;
    await mkdir(this.dir, { recursive: true });
    this.token = randomBytes(24).toString('hex');
    await writeFile(this.tokenFile, `${this.token}\n`, { mode: 0o600 });
    const masterPort = await freePort();
    this.masterAddress = `127.0.0.1:${masterPort}`;
    const dataDir = join(this.dir, `master-g${this.generation}`);
    this.master = this.spawn('eddy master', ['master', '--listen', this.masterAddress, '--data-dir', dataDir, '--token-file', this.tokenFile,
      '--log-level', 'info']);
    this.refreshes = this.master.watch(/"msg":"namespace refreshed"/);
    // Generous per-call timeouts: on the shared 2-core machine (load average 20+) a CLI process
    // alone can take 5 s to start.
    await this.waitFor('the master', 90_000, async () => { await this.eddy(['get', 'dataset'], 30_000); return true; });
    const manifests = join(this.dir, 'cluster.yaml');
    await writeFile(manifests, clusterManifests(this.access, this.o), { mode: 0o600 });
    await this.eddy(['apply', '-f', manifests]);
    for (let i = 0; i < this.o.workers; i++) {
      const port = await freePort();
      const tier = this.tierPath(i);
      await mkdir(tier, { recursive: true });
      this.workers.push(this.spawn(`eddy worker ${i}`, [
        'worker', '--master', this.masterAddress, '--runtime', DATASET, '--listen', `127.0.0.1:${port}`,
        '--token-file', this.tokenFile, '--tier', `${this.tier.medium}:${tier}:${this.o.quotaBytes}:0.99:0.8`,
      ]));
    }
    await this.waitFor(`${this.o.workers} live workers`, 90_000, async () => {
      const items = (JSON.parse(await this.eddy(['get', 'worker', '-o', 'json'], 30_000)) as { items?: { live?: boolean }[] }).items ?? [];
      return items.filter((w) => w.live).length >= this.o.workers ? true : undefined;
    });
    await mkdir(this.root, { recursive: true });
    this.mount = this.spawn('eddy mount', ['mount', '--master', this.masterAddress, '--dataset', DATASET, '--token-file', this.tokenFile,
      ...(NO_FAST_READ ? ['--no-fast-read'] : []), ...(NO_FAST_ATTR ? ['--no-fast-attr'] : []), this.root]);
    await waitMounted(this.root, this.mount, 60_000);
    await this.waitFor('the first listing', 60_000, async () => (this.listingMs === undefined ? undefined : true));
  }

  /**
   * Runs a Once DataLoad and waits for it to finish; returns the run's duration as the DataLoad's
   * status gives it (the master's clock, from the apply to Complete), polled in-process.
   */
  async dataLoad(targets: string[]): Promise<number> {
    const name = `bench-load-${++this.loads}`;
    const outcome = await runDataLoad({
      masterAddress: this.masterAddress, token: this.token, name, manifest: dataLoadManifest(name, targets),
      timeoutMs: this.o.dataLoadTimeoutMs, check: () => this.checkAlive(`DataLoad ${name}`),
    });
    return outcome.durationMs;
  }

  async warm(files: FixtureFile[]): Promise<number> {
    return await this.dataLoad(targetsFor(files));
  }

  async refresh(): Promise<void> {
    await this.dataLoad(['/model']);
  }

  async makeCold(): Promise<void> {
    await this.stopAll();
    await this.start();
  }

  private async stopAll(): Promise<void> {
    if (this.mount) { await this.mount.stop(15_000); this.mount = undefined; }
    await unmount(this.root);
    await Promise.all(this.workers.map((w) => w.stop(15_000)));
    this.workers = [];
    if (this.master) { await this.master.stop(15_000); this.master = undefined; }
    for (let i = 0; i < this.o.workers; i++) await rm(this.tierPath(i), { recursive: true, force: true });
    await rm(join(this.dir, `master-g${this.generation}`), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await this.stopAll();
  }
}

async function hasCommand(name: string): Promise<boolean> {
  const r = await run(process.execPath, [EDDY_BIN, name, '--help'], { check: false, timeoutMs: 30_000 }).catch(() => undefined);
  return r !== undefined && r.code === 0;
}

/** A factory for Eddy clusters, or undefined when this checkout cannot run one yet. */
export async function eddyFactory(workDir: string, o: EddyTargetOptions, log: (m: string) => void): Promise<EddyFactory | undefined> {
  for (const cmd of ['master', 'worker', 'mount', 'apply']) {
    if (!(await hasCommand(cmd))) { log(`eddy ${cmd} is not available: Eddy is left out of this run`); return undefined; }
  }
  return (access, region, tier) => new EddyTarget(access, workDir, region, o, tier);
}
