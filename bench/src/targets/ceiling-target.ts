// The FUSE ceiling as a target: bench/null-fs.ts serving the fixture's tree from memory in a
// child process (same fuse-native as Eddy's client, so the comparison isolates Eddy's own cost).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon, unmount, waitMounted } from '../exec.js';
import type { FixtureFile } from '../fixture.js';
import type { FsTarget } from './target.js';

const NULL_FS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'null-fs.js');

export class CeilingTarget implements FsTarget {
  readonly name = 'ceiling';
  readonly kind = 'ceiling' as const;
  readonly root: string;
  private daemon: Daemon | undefined;

  /** `source`: a local file whose bytes the ceiling serves for that path (else random bytes). */
  constructor(private readonly files: (FixtureFile & { source?: string })[], private readonly workDir: string) {
    this.root = join(workDir, 'mnt', 'ceiling');
  }

  describe(): string {
    return 'bench/null-fs.ts: fuse-native, files served from one in-memory buffer (the safetensors checkpoint: its own bytes, in memory), entry/attr timeout 60 s';
  }

  async start(): Promise<void> {
    const spec = join(this.workDir, 'ceiling-tree.json');
    await writeFile(spec, JSON.stringify(this.files));
    await mkdir(this.root, { recursive: true });
    this.daemon = new Daemon('null-fs', process.execPath, [NULL_FS, '--mount', this.root, '--spec', spec]);
    await waitMounted(this.root, this.daemon);
  }

  async makeCold(): Promise<void> { /* nothing is cached: every read is served from memory */ }
  async warm(): Promise<number> { return 0; }

  async close(): Promise<void> {
    await unmount(this.root);
    await this.daemon?.stop();
    this.daemon = undefined;
  }
}
