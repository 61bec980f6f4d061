// Starts a real S3 server (versitygw, posix backend) on a free loopback port for tests and
// benchmarks, or hands out an external endpoint given through EDDY_TEST_S3_* variables.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as Minio from 'minio';
import { freePort } from './net.js';

export interface S3Endpoint {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  host: string;
  port: number;
  accessKey: string;
  secretKey: string;
  region: string;
  /** A MinIO JS client bound to the endpoint, for test setup. */
  client: Minio.Client;
  /**
   * Creates a bucket with a unique name and returns it. `versioned` turns on bucket versioning
   * (every overwrite keeps the old version under its versionId); it needs a server started with
   * `versioning: true`, and is the default there.
   */
  createBucket(prefix?: string, options?: { versioned?: boolean }): Promise<string>;
  /** The server's process, or undefined for an external endpoint. */
  process: ChildProcess | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); restart with `restart()`. No-op for external endpoints. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops it and removes its data directory. Idempotent. */
  close(): Promise<void>;
}

export const TEST_ACCESS_KEY = 'eddytestaccess';
export const TEST_SECRET_KEY = 'eddytestsecret-0123456789';

export function versitygwPath(): string {
  const fromEnv = process.env['EDDY_VERSITYGW'];
  if (fromEnv) return fromEnv;
  const cache = process.env['EDDY_CACHE_DIR'] ?? join(homedir(), '.cache', 'eddy');
  return join(cache, 'gobin', 'versitygw');
}

async function waitReady(client: Minio.Client, proc: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (proc && proc.exitCode !== null) throw new Error(`S3 server exited with code ${proc.exitCode} before answering`);
    try {
      await client.listBuckets();
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`S3 server did not answer within ${timeoutMs} ms: ${String(last)}`);
}

export interface S3ServerOptions {
  port?: number;
  host?: string;
  accessKey?: string;
  secretKey?: string;
  /**
   * Lets buckets keep object versions (versitygw's `--versioning-dir`, a directory next to the
   * data), and makes `createBucket` turn versioning on by default. An external endpoint must
   * support versioning itself.
   */
  versioning?: boolean;
  /** Writes versitygw's S3 server access log (one line per request: operation, key, status, bytes sent) to this file. */
  accessLog?: string;
}

/** Starts versitygw (or binds to EDDY_TEST_S3_ENDPOINT) and waits until it answers. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Endpoint> {
  const external = process.env['EDDY_TEST_S3_ENDPOINT'];
  // Own credentials (e.g. a recognisable canary secret) only for the local server.
  const accessKey = external ? (process.env['EDDY_TEST_S3_ACCESS_KEY'] ?? '') : (options.accessKey ?? TEST_ACCESS_KEY);
  const secretKey = external ? (process.env['EDDY_TEST_S3_SECRET_KEY'] ?? '') : (options.secretKey ?? TEST_SECRET_KEY);
  const region = process.env['EDDY_TEST_S3_REGION'] ?? 'us-east-1';
  const host = external ? new URL(external).hostname : (options.host ?? '127.0.0.1');
  const port = external ? Number(new URL(external).port || 80) : (options.port ?? await freePort(host));
  const endpoint = external ?? `http://${host}:${port}`;
  const client = new Minio.Client({ endPoint: host, port, useSSL: endpoint.startsWith('https:'), accessKey, secretKey, region, pathStyle: true });

  let dataDir: string | undefined;
  let versionsDir: string | undefined;
  let proc: ChildProcess | undefined;
  let closed = false;

  const launch = async (): Promise<void> => {
    if (external) return;
    const bin = versitygwPath();
    if (!existsSync(bin)) throw new Error(`versitygw not found at ${bin}: run scripts/setup.sh first`);
    dataDir ??= await mkdtemp(join(tmpdir(), 'eddy-s3-'));
    await mkdir(dataDir, { recursive: true });
    const posixArgs = [dataDir];
    if (options.versioning) {
      versionsDir ??= await mkdtemp(join(tmpdir(), 'eddy-s3-versions-'));
      posixArgs.unshift('--versioning-dir', versionsDir);
    }
    const child = spawn(bin, ['--access', accessKey, '--secret', secretKey, '--region', region, '--port', `${host}:${port}`, '--quiet',
      ...(options.accessLog ? ['--access-log', options.accessLog] : []), 'posix', ...posixArgs], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    proc = child;
    try {
      await waitReady(client, child, 20_000);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${stderr}`);
    }
  };

  const stop = async (): Promise<void> => {
    const child = proc;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await launch();

  return {
    endpoint, host, port, accessKey, secretKey, region, client,
    get process() { return proc; },
    async createBucket(prefix = 'eddy', bucketOptions: { versioned?: boolean } = {}) {
      const name = `${prefix}-${randomBytes(5).toString('hex')}`.toLowerCase();
      await client.makeBucket(name, region);
      if (bucketOptions.versioned ?? options.versioning ?? false) await client.setBucketVersioning(name, { Status: 'Enabled' });
      return name;
    },
    stop,
    async restart() { await stop(); await launch(); },
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      if (versionsDir) await rm(versionsDir, { recursive: true, force: true });
    },
  };
}
