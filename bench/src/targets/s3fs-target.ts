// s3fs-fuse (Debian `s3fs`) on the bench bucket, with its local file cache (`use_cache`) so that
// "warm" means what it means for the other caches: data on this machine, not in the bucket.
import { mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, unmount, waitMounted, versionOf } from '../exec.js';
import type { FixtureFile } from '../fixture.js';
import { readParallel } from '../read.js';
import type { FsTarget, S3Access } from './target.js';

export class S3fsTarget implements FsTarget {
  readonly name = 's3fs';
  readonly kind = 'peer' as const;
  readonly root: string;
  private readonly cacheDir: string;
  private readonly passwd: string;
  private daemon: Daemon | undefined;
  private version = '';

  /** `cacheRoot`: where the cache directory goes (tmpfs by default, like Eddy's MEM tier; see --peer-cache). */
  constructor(private readonly s3: S3Access, private readonly workDir: string, cacheRoot: string) {
    this.root = join(workDir, 'mnt', 's3fs');
    this.cacheDir = join(cacheRoot, 's3fs');
    this.passwd = join(workDir, 's3fs.passwd');
  }

  describe(): string {
    return `${this.version}; cache in ${this.cacheDir}; -o use_cache,use_path_request_style,ro (defaults otherwise: parallel_count=5, multipart_size=10MB, stat cache on)`;
  }

  async start(): Promise<void> {
    this.version = await versionOf('s3fs', ['--version']);
    await writeFile(this.passwd, `${this.s3.accessKey}:${this.s3.secretKey}\n`);
    await chmod(this.passwd, 0o600);
    await this.mount();
  }

  private async mount(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.cacheDir, { recursive: true });
    this.daemon = new Daemon('s3fs', 's3fs', [
      this.s3.bucket, this.root, '-f',
      '-o', `passwd_file=${this.passwd}`,
      '-o', `url=${this.s3.endpoint}`,
      '-o', 'use_path_request_style',
      '-o', `endpoint=${this.s3.region}`,
      '-o', `use_cache=${this.cacheDir}`,
      '-o', 'ro',
      '-o', 'dbglevel=err',
    ]);
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
