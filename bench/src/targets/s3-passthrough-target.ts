// The S3 floor as a target (issue 17): bench/s3-passthrough-fs.ts in a child process, serving the
// bench bucket straight from S3 with no cache and no Eddy code. A measurement tool, not a product:
// it is the best a Node/fuse-native client that reads the bucket can do here (Eddy's cold read does
// strictly more), so a goal it misses too is out of reach for that design on this machine.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon, unmount, waitMounted } from '../exec.js';
import type { FsTarget, S3Access } from './target.js';

const PASSTHROUGH_FS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 's3-passthrough-fs.js');

export class S3PassthroughTarget implements FsTarget {
  readonly name = 's3-passthrough';
  readonly kind = 'floor' as const;
  readonly root: string;
  /** The listing the filesystem makes before it mounts (from its own log line). */
  listingMs: number | undefined;
  readonly #config: string;
  #daemon: Daemon | undefined;

  constructor(private readonly s3: S3Access, workDir: string) {
    this.root = join(workDir, 'mnt', 's3-passthrough');
    this.#config = join(workDir, 's3-passthrough.json');
  }

  describe(): string {
    return 'a floor, not a product: bench/s3-passthrough-fs.ts, fuse-native straight on the bucket, no cache, no Eddy code: entries from one '
      + 'listing before the mount (its time is the listing row), 16 MiB ranged GETs 8 ahead of each reader run by 2 fetch threads, a file ≤ 1 MiB '
      + 'read whole at open in one GET (answered in C from memory); entry/attr timeout 60 s';
  }

  async start(): Promise<void> {
    await writeFile(this.#config, JSON.stringify(this.s3), { mode: 0o600 });
    await this.#mount();
  }

  async #mount(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const d = new Daemon('s3-passthrough', process.execPath, [PASSTHROUGH_FS, '--mount', this.root, '--config', this.#config]);
    const listed = d.watch(/listed \d+ objects in (\d+) ms/);
    this.#daemon = d;
    await waitMounted(this.root, d);
    // The line is printed from the mount callback, a moment after /proc/mounts shows the mount.
    for (let i = 0; i < 50 && listed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    this.listingMs = listed[0] ? Number(listed[0][1]) : undefined;
  }

  async #unmount(): Promise<void> {
    await unmount(this.root);
    await this.#daemon?.stop();
    this.#daemon = undefined;
  }

  /** Nothing is cached but the listing: a fresh mount lists again. */
  async makeCold(): Promise<void> {
    await this.#unmount();
    await this.#mount();
  }

  async warm(): Promise<number> { return 0; }

  async close(): Promise<void> { await this.#unmount(); }
}
