// The remote-workers bench's floor (issue 17 item 6): bench/tcp-fs.ts mounted from the mount's
// network namespace, its reads served from the raw TCP sender in the workers' namespace. What TCP
// plus FUSE cost on this machine with no Eddy code; a measurement tool, not a product.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon, unmount, waitMounted } from '../exec.js';
import type { FixtureFile } from '../fixture.js';

const TCP_FS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tcp-fs.js');

export class FuseOverTcp {
  readonly root: string;
  #daemon: Daemon | undefined;

  /** `sender`: HOST:PORT of a sender that sends each connection as many bytes as every file holds. */
  constructor(private readonly files: FixtureFile[], private readonly workDir: string, private readonly netns: string,
    private readonly sender: string) {
    this.root = join(workDir, 'mnt', 'fuse-over-tcp');
  }

  async start(): Promise<void> {
    const spec = join(this.workDir, 'fuse-over-tcp-tree.json');
    await writeFile(spec, JSON.stringify(this.files));
    await mkdir(this.root, { recursive: true });
    this.#daemon = new Daemon('fuse-over-tcp', 'nsenter', [`--net=/run/netns/${this.netns}`, process.execPath, TCP_FS,
      '--mount', this.root, '--spec', spec, '--connect', this.sender]);
    await waitMounted(this.root, this.#daemon);
  }

  async close(): Promise<void> {
    await unmount(this.root);
    await this.#daemon?.stop();
    this.#daemon = undefined;
  }
}
