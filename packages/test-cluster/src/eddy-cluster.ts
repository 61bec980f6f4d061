// The shared cluster fixture of the end-to-end tests: an S3 server with a bucket, and `eddy master`,
// `eddy worker` x N and `eddy mount`, each its own process, so a test can kill -9 one of them and
// start it again on the same port, data directory and tier directories. Heartbeats and the
// lost-worker timeout are short so faults are noticed within seconds.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMasterClient, type MasterRpc, type proto } from '@eddy/protocol';
import { freePort, onceDataLoadManifest, s3DatasetManifests, startS3Server, type S3DatasetManifestOptions, type S3Endpoint } from '@eddy/testkit';
import { CleanupStack } from './cleanup-stack.js';
import { writeClusterCredentials, type ClusterCredentials } from './cluster-credentials.js';
import { EddyProcess, eventually } from './eddy-process.js';
import { forceUnmount, isMounted } from './fuse-cleanup.js';

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const HEARTBEAT_MS = 300;
export const WORKER_TIMEOUT_MS = 2500;
const here = dirname(fileURLToPath(import.meta.url));
/** The compiled reader child (packages/test-cluster/lib/src/read-child.js). */
export const READ_CHILD = join(here, 'read-child.js');

export type ManifestOptions = S3DatasetManifestOptions;

/** Secret + Dataset (s3:// of the test server) + JindoRuntime; the Runtime's tiers are overridden by --tier. */
export function faultManifests(bucket: string, s3: S3Endpoint, o: ManifestOptions = {}): string {
  return s3DatasetManifests(bucket, s3, { ...o, fuseArgs: o.fuseArgs ?? ['-oro', '-oattr_timeout=60', '-oentry_timeout=60', '-onegative_timeout=60'] });
}

/** A Once DataLoad of `paths` (default `/`). */
export function onceDataLoad(name: string, dataset: string, paths: string[] = ['/'], replicas = 1): string {
  return onceDataLoadManifest(name, dataset, paths, { replicas });
}

export interface WorkerSpec {
  id: string;
  /** `MEDIUM:PATH:QUOTA[:HIGH:LOW]` flags; default one MEM tier under the cluster's root in /dev/shm. */
  tiers?: string[];
  /** Address the worker listens on (default 127.0.0.1). */
  host?: string;
  /** Command the worker runs under, e.g. `ip netns exec NS`. */
  prefix?: string[];
  /** Master address as seen by this worker (default the cluster's). */
  master?: string;
  /** Host id (default `host-<id>`); `client-host`, the mount's, makes its reads short-circuit. */
  hostId?: string;
  /** More flags for `eddy worker`. */
  args?: string[];
}

export interface WorkerProc {
  spec: WorkerSpec;
  proc: EddyProcess;
  grpcPort: number;
  dataPort: number;
}

export interface EddyClusterOptions {
  /** S3 server host (default 127.0.0.1). */
  s3Host?: string;
  /** Master listen host (default 127.0.0.1). */
  masterHost?: string;
  /** More flags for `eddy master` (e.g. --metrics-listen). */
  masterArgs?: string[];
  /** The bucket keeps object versions (versitygw with versioning, see @eddy/testkit). */
  s3Versioning?: boolean;
  /** File for the S3 server's access log (what was fetched from the bucket, request by request). */
  s3AccessLog?: string;
  /** How long the master, a worker or a mount may take to come up (default 30 s; a loaded machine may need more). */
  startTimeoutMs?: number;
}

export class EddyCluster {
  readonly cleanup = new CleanupStack();
  readonly workers = new Map<string, WorkerProc>();
  master!: EddyProcess;
  masterAddress = '';
  rpc!: MasterRpc;
  s3!: S3Endpoint;
  bucket = '';
  root = '';
  /** The admin credential (the fixture's rpc and `env` use it). */
  tokenFile = '';
  token = '';
  /** Every role's credential files (workers get the worker token, mounts the client token). */
  credentials!: ClusterCredentials;
  private shmRoot = '';

  private constructor(private readonly options: EddyClusterOptions) {}

  /** S3 server + bucket, token file, and a master on a fixed port (so it can be restarted in place). */
  static async start(prefix: string, options: EddyClusterOptions = {}): Promise<EddyCluster> {
    const c = new EddyCluster(options);
    try {
      c.root = await mkdtemp(join(tmpdir(), `eddy-${prefix}-`));
      c.cleanup.add('temp dir', () => rm(c.root, { recursive: true, force: true }));
      c.shmRoot = await mkdtemp(join('/dev/shm', `eddy-${prefix}-`));
      c.cleanup.add('shm dir', () => rm(c.shmRoot, { recursive: true, force: true }));
      c.s3 = await startS3Server({
        ...(options.s3Host ? { host: options.s3Host } : {}), versioning: options.s3Versioning ?? false,
        ...(options.s3AccessLog ? { accessLog: options.s3AccessLog } : {}),
      });
      c.cleanup.add('s3 server', () => c.s3.close());
      c.bucket = await c.s3.createBucket();
      c.token = `fault-token-${Math.random().toString(36).slice(2)}`;
      c.credentials = await writeClusterCredentials(c.root, c.token, 'models');
      c.tokenFile = c.credentials.admin.file;
      const host = options.masterHost ?? '127.0.0.1';
      c.masterAddress = `${host}:${await freePort(host)}`;
      await c.startMaster();
      c.rpc = createMasterClient(c.masterAddress, { token: c.token });
      c.cleanup.add('master client', () => c.rpc.close());
      await c.waitMaster(options.startTimeoutMs);
    } catch (err) {
      await c.cleanup.run().catch(() => undefined);
      throw err;
    }
    return c;
  }

  get env(): NodeJS.ProcessEnv {
    return { EDDY_MASTER: this.masterAddress, EDDY_TOKEN_FILE: this.tokenFile };
  }

  /** (Re)starts `eddy master` on the same address and data directory. */
  async startMaster(): Promise<EddyProcess> {
    const proc = new EddyProcess(['master', '--listen', this.masterAddress, '--data-dir', join(this.root, 'master'), ...this.credentials.masterFlags,
      '--heartbeat-interval', String(HEARTBEAT_MS), '--worker-timeout', String(WORKER_TIMEOUT_MS), ...(this.options.masterArgs ?? [])]);
    this.master = proc;
    this.cleanup.add('master', () => proc.stop('SIGKILL', 10_000));
    return proc;
  }

  /** Resolves once the master answers. */
  async waitMaster(timeoutMs = 30_000): Promise<void> {
    await eventually('the master to answer', timeoutMs, async () => {
      if (!this.master.running) throw new Error(`master exited: ${this.master.stderr}`);
      await this.rpc.listWorkers({ runtime: '' }, { timeoutMs: 2000 });
      return true;
    }, 200);
  }

  async apply(manifests: string): Promise<void> {
    await this.rpc.apply({ manifests }, { timeoutMs: 30_000 });
  }

  /** Starts (or restarts, same ports and tier dirs) a worker and waits until the master lists it live. */
  async startWorker(spec: WorkerSpec, runtime = 'models'): Promise<WorkerProc> {
    const previous = this.workers.get(spec.id);
    const host = spec.host ?? '127.0.0.1';
    const grpcPort = previous?.grpcPort ?? await freePort();
    const dataPort = previous?.dataPort ?? await freePort();
    let tiers = spec.tiers;
    if (!tiers) {
      const dir = this.defaultTierDir(spec.id);
      await mkdir(dir, { recursive: true });
      tiers = [`MEM:${dir}:256Mi`];
    }
    const args = ['worker', '--master', spec.master ?? this.masterAddress, '--runtime', runtime, '--listen', `${host}:${grpcPort}`,
      '--data-listen', `${host}:${dataPort}`, '--token-file', this.credentials.worker.file, '--host-id', spec.hostId ?? `host-${spec.id}`,
      '--worker-id', spec.id,
      '--heartbeat-ms', String(HEARTBEAT_MS), ...tiers.flatMap((t) => ['--tier', t]), ...(spec.args ?? [])];
    const proc = new EddyProcess(args, spec.prefix ? { prefix: spec.prefix } : {});
    const w: WorkerProc = { spec, proc, grpcPort, dataPort };
    this.workers.set(spec.id, w);
    this.cleanup.add(`worker ${spec.id}`, () => proc.stop('SIGKILL', 10_000));
    await proc.waitForOutput(/serving: grpc/, this.options.startTimeoutMs ?? 30_000);
    await this.waitWorkerLive(spec.id, true, this.options.startTimeoutMs);
    return w;
  }

  /** The MEM tier directory of a worker started without `tiers`. */
  defaultTierDir(id: string): string {
    return join(this.shmRoot, id);
  }

  /** The master's view of one worker. */
  async workerStatus(id: string): Promise<{ live: boolean; blockCount: number; hits: number; misses: number } | undefined> {
    const res = await this.rpc.listWorkers({ runtime: '' }, { timeoutMs: 5000 });
    const w = res.workers.find((x) => x.address?.workerId === id);
    if (!w) return undefined;
    return { live: w.live, blockCount: Number(w.blockCount), hits: Number(w.counters?.hits ?? 0), misses: Number(w.counters?.misses ?? 0) };
  }

  async waitWorkerLive(id: string, live: boolean, timeoutMs = 30_000): Promise<void> {
    await eventually(`worker ${id} ${live ? 'live' : 'lost'}`, timeoutMs, async () => {
      const s = await this.workerStatus(id);
      if (live) return s?.live ? true : undefined;
      return !s || !s.live ? true : undefined;
    }, 200);
  }

  /** Starts `eddy mount` (a separate process) and waits until the mountpoint is served. */
  async mount(mnt: string, fuseOptions: string[] = [], args: string[] = [], dataset = 'models'): Promise<EddyProcess> {
    const proc = new EddyProcess(['mount', '--master', this.masterAddress, '--dataset', dataset, '--token-file', this.credentials.client.file,
      '--host-id', 'client-host', ...fuseOptions.flatMap((o) => ['-o', o]), ...args, mnt]);
    this.cleanup.add(`mount ${mnt}`, async () => { await proc.stop('SIGINT', 15_000).catch(() => proc.stop('SIGKILL')); forceUnmount(mnt); });
    await proc.waitForOutput(/^mounted dataset/m, this.options.startTimeoutMs ?? 30_000);
    if (!(await isMounted(mnt))) throw new Error(`${mnt} is not mounted`);
    return proc;
  }

  async putObjects(objects: Map<string, Buffer>): Promise<void> {
    for (const [key, data] of objects) await this.s3.client.putObject(this.bucket, key, data, data.length);
  }

  async refresh(dataset = 'models'): Promise<void> {
    await this.rpc.refresh({ dataset }, { timeoutMs: 30_000 });
  }

  /** A DataLoad's status, undefined before the controller wrote one. */
  async dataLoadStatus(name: string): Promise<proto.DataLoadStatus__Output | undefined> {
    const res = await this.rpc.get({ kind: 'DataLoad', name }, { timeoutMs: 5000 });
    return res.resources[0]?.dataload?.status ?? undefined;
  }

  async datasetStatus(name: string): Promise<proto.DatasetStatus__Output | undefined> {
    const res = await this.rpc.get({ kind: 'Dataset', name }, { timeoutMs: 5000 });
    return res.resources[0]?.dataset?.status ?? undefined;
  }

  /** Waits for a DataLoad to reach Complete; the error names the last status seen. */
  async waitDataLoad(name: string, timeoutMs = 60_000): Promise<proto.DataLoadStatus__Output> {
    let last: proto.DataLoadStatus__Output | undefined;
    try {
      return await eventually(`DataLoad ${name} Complete`, timeoutMs, async () => {
        last = await this.dataLoadStatus(name);
        return last?.phase === 'Complete' ? last : undefined;
      }, 200);
    } catch (err) {
      throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last)}`);
    }
  }

  async close(): Promise<void> {
    await this.cleanup.run();
  }
}

export interface ReadResult {
  ok: boolean;
  bytes: number;
  sha256?: string;
  /** errno code (e.g. EIO) when the read failed. */
  error?: string;
  ms: number;
}

export interface ReadOptions {
  /** Pause after this many bytes until `goFile` exists, after writing `flagFile`. */
  pauseAfter?: number;
  flagFile?: string;
  goFile?: string;
  /** Read chunk size (default 128 KiB). */
  chunk?: number;
  timeoutMs?: number;
}

/** Reads a whole file in a child process (reads through a FUSE mount never run in the test process). */
export async function readInChild(file: string, o: ReadOptions = {}): Promise<ReadResult> {
  const start = Date.now();
  const args = [READ_CHILD, file, String(o.chunk ?? 128 * KiB), String(o.pauseAfter ?? -1), o.flagFile ?? '', o.goFile ?? ''];
  return await new Promise<ReadResult>((resolve) => {
    execFile(process.execPath, args, { timeout: o.timeoutMs ?? 120_000, killSignal: 'SIGKILL' }, (err, stdout) => {
      const ms = Date.now() - start;
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const r = JSON.parse(line) as Omit<ReadResult, 'ms'>;
        resolve({ ...r, ms });
      } catch {
        resolve({ ok: false, bytes: 0, error: err ? `child failed: ${err.message}` : `bad output ${line}`, ms });
      }
    });
  });
}

/** `sync; echo 3 > drop_caches`, so the next read goes through FUSE again. A failure fails the test: a read
 * served from the page cache would prove nothing about Eddy. */
export async function dropPageCache(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], (err, _out, stderr) => {
      if (err) reject(new Error(`could not drop the page cache (run the tests as root): ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}
