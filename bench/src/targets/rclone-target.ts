// rclone mount (Debian rclone) with --vfs-cache-mode full on the bench bucket. Configured through
// RCLONE_CONFIG_* variables so no config file with the secret is written. AWS_CA_BUNDLE is removed
// from its environment: rclone 1.60 fails with LoadCustomCABundleError when it is set.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, unmount, waitMounted, versionOf } from '../exec.js';
import type { FixtureFile } from '../fixture.js';
import { readParallel } from '../read.js';
import type { FsTarget, S3Access } from './target.js';

export class RcloneTarget implements FsTarget {
  readonly name = 'rclone';
  readonly kind = 'peer' as const;
  readonly root: string;
  private readonly cacheDir: string;
  private daemon: Daemon | undefined;
  private version = '';

  /** `cacheRoot`: where the cache directory goes (tmpfs by default, like Eddy's MEM tier; see --peer-cache). */
  constructor(private readonly s3: S3Access, private readonly workDir: string, cacheRoot: string) {
    this.root = join(workDir, 'mnt', 'rclone');
    this.cacheDir = join(cacheRoot, 'rclone');
  }

  describe(): string {
    return `${this.version}; cache in ${this.cacheDir}; mount --vfs-cache-mode full --read-only (defaults otherwise: vfs-read-chunk-size 128M, dir-cache-time 5m)`;
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['AWS_CA_BUNDLE'];
    Object.assign(env, {
      RCLONE_CONFIG_EDDYBENCH_TYPE: 's3',
      RCLONE_CONFIG_EDDYBENCH_PROVIDER: 'Other',
      RCLONE_CONFIG_EDDYBENCH_ACCESS_KEY_ID: this.s3.accessKey,
      RCLONE_CONFIG_EDDYBENCH_SECRET_ACCESS_KEY: this.s3.secretKey,
      RCLONE_CONFIG_EDDYBENCH_ENDPOINT: this.s3.endpoint,
      RCLONE_CONFIG_EDDYBENCH_REGION: this.s3.region,
      RCLONE_CONFIG_EDDYBENCH_FORCE_PATH_STYLE: 'true',
    });
    return env;
  }

  async start(): Promise<void> {
    this.version = await versionOf('rclone', ['version']);
    await this.mount();
  }

  private async mount(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.cacheDir, { recursive: true });
    this.daemon = new Daemon('rclone', 'rclone', [
      'mount', `eddybench:${this.s3.bucket}`, this.root,
      '--vfs-cache-mode', 'full', '--cache-dir', this.cacheDir, '--read-only', '--log-level', 'ERROR',
    ], { env: this.env() });
    await waitMounted(this.root, this.daemon);
  }

  private async unmountAll(): Promise<void> {
    await unmount(this.root);
    await this.daemon?.stop();
    this.daemon = undefined;
  }

  async makeCold(): Promise<void> {
    await this.unmountAll();
    await rm(this.cacheDir, { recursive: true, force: true });
    await this.mount();
  }

  async warm(files: FixtureFile[]): Promise<number> {
    return (await readParallel(this.root, files)).ms;
  }

  async close(): Promise<void> {
    await this.unmountAll();
    await rm(this.cacheDir, { recursive: true, force: true });
  }
}
