// A small real cluster for the security and bad-input tests: an `eddy master` process and an
// `eddy worker` process (MEM tier in a temp dir), optionally with TLS on both, serving a file://
// dataset `demo` whose files the test writes. Everything is torn down by `close()`.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMasterClient, type RpcSecurity } from '@eddy/protocol';
import { freePort, type TlsFixture } from '@eddy/testkit';
import { writeClusterCredentials, type ClusterCredentials } from './cluster-credentials.js';
import { EddyProcess, eventually, runEddy } from './eddy-process.js';

export interface ProcCluster {
  dir: string;
  dataDir: string;
  tierDir: string;
  ufsDir: string;
  /** The admin credential (`env` and `security` use it). */
  tokenFile: string;
  token: string;
  /** Every role's credential files (the worker runs with the worker token). */
  credentials: ClusterCredentials;
  masterAddress: string;
  workerDataAddress: string;
  workerGrpcAddress: string;
  security: RpcSecurity;
  master: EddyProcess;
  worker: EddyProcess;
  /** Environment for `eddy` client commands against this master. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface ProcClusterOptions {
  /** The admin token; the other roles' tokens are made up (ProcCluster.credentials). */
  token: string;
  tls?: TlsFixture;
  files: Record<string, Buffer>;
  blockSize?: string;
  logLevel?: string;
  /** Runs after the files are written, before anything starts (e.g. to plant symlinks). */
  prepare?: (paths: { dir: string; ufsDir: string }) => Promise<void>;
}

export async function startProcCluster(options: ProcClusterOptions): Promise<ProcCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-sec-'));
  const dataDir = join(dir, 'state');
  const tierDir = join(dir, 'tier');
  const ufsDir = join(dir, 'ufs');
  await mkdir(tierDir);
  for (const [name, data] of Object.entries(options.files)) {
    await mkdir(join(ufsDir, name, '..'), { recursive: true });
    await writeFile(join(ufsDir, name), data);
  }
  await mkdir(ufsDir, { recursive: true });
  await options.prepare?.({ dir, ufsDir });
  const credentials = await writeClusterCredentials(dir, options.token, 'demo');
  const tokenFile = credentials.admin.file;
  const tls = options.tls;
  const tlsFlags = tls ? ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--tls-ca', tls.caFile] : [];
  const env = { EDDY_LOG_LEVEL: options.logLevel ?? 'info' };
  const port = await freePort();
  const masterAddress = `127.0.0.1:${port}`;
  // Only the dataset's directory may be mounted: what a real deployment passes, and what the
  // confinement tests try to get around.
  const allowFlags = ['--allow-file-root', ufsDir];
  const master = new EddyProcess(['master', '--listen', masterAddress, '--data-dir', dataDir, ...credentials.masterFlags, ...allowFlags, ...tlsFlags], { env });
  const security: RpcSecurity = { token: options.token, ...(tls ? { tls: { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: tls.ca } } : {}) };
  const rpc = createMasterClient(masterAddress, security);
  let worker: EddyProcess | undefined;
  const close = async (): Promise<void> => {
    rpc.close();
    await worker?.stop('SIGTERM');
    await master.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // 60 s: a fresh node process on a loaded 2-core machine can take 15 s to listen, and grpc-js
    // backs off its reconnects after each refusal meanwhile.
    await eventually('master answering', 60_000, async () => { await rpc.listWorkers({}, { timeoutMs: 1_000 }); return true; }, 200);
    const manifests = `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: demo}
spec:
  mounts:
    - mountPoint: file://${ufsDir}
---
apiVersion: data.fluid.io/v1alpha1
kind: JindoRuntime
metadata: {name: demo}
spec:
  blockSize: ${options.blockSize ?? '1Mi'}
  tieredstore:
    levels:
      - {mediumtype: MEM, path: /dev/shm, quota: 64Mi}
`;
    await writeFile(join(dir, 'demo.yaml'), manifests);
    const applied = await runEddy(['apply', '-f', join(dir, 'demo.yaml'), ...(tls ? ['--tls-ca', tls.caFile] : [])], { env: { EDDY_MASTER: masterAddress, EDDY_TOKEN_FILE: tokenFile } });
    if (applied.code !== 0) throw new Error(`eddy apply failed: ${applied.stderr}`);
    worker = new EddyProcess(['worker', '--master', masterAddress, '--runtime', 'demo', '--listen', '127.0.0.1:0', '--token-file', credentials.worker.file,
      '--tier', `MEM:${tierDir}:64Mi`, '--heartbeat-ms', '500', ...allowFlags, ...tlsFlags], { env });
    const w = await eventually('worker registered', 60_000, async () => {
      const res = await rpc.listWorkers({}, { timeoutMs: 1_000 });
      return res.workers.find((x) => x.live);
    }, 200);
    return {
      dir, dataDir, tierDir, ufsDir, tokenFile, token: options.token, credentials, masterAddress, security, master, worker,
      workerDataAddress: w.address!.dataAddress, workerGrpcAddress: w.address!.grpcAddress,
      env: { EDDY_MASTER: masterAddress, EDDY_TOKEN_FILE: tokenFile },
      close,
    };
  } catch (err) {
    const tail = (t: string | undefined): string => (t ?? '').slice(-3000);
    await close().catch(() => undefined);
    throw new Error(`${(err as Error).message}\nmaster stderr:\n${tail(master.stderr)}\nworker stderr:\n${tail(worker?.stderr)}`);
  }
}
