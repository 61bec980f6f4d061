// Opens a block file a local worker named in LOCAL_OK, or refuses to. The FUSE client often runs
// with more privileges than the worker (root, to mount), so a path from a worker (or from a
// tampered tier directory) must not make it read some other file into the mount. The file must:
//   - resolve (realpath) inside a tier directory the worker registered with the master;
//   - be named after the block (`<key>.<crc32c>`, the store's layout);
//   - open with O_NOFOLLOW (a symlink swapped in after the realpath fails) and O_NONBLOCK (a FIFO
//     cannot hang the open), and then, by fstat of what was opened: be a regular file with one
//     link, owned by the owner of its tier directory, exactly the block's length;
//   - still be that path once open (/proc/self/fd, where there is one): a directory swapped
//     between the realpath and the open is caught.
// Anything else is a LocalBlockRefusedError; the caller reads the block through the data channel.
// `openSync` makes the same checks with synchronous calls, for a file the mount found itself in a
// tier on tmpfs (small-block-files.ts), where each is a few microseconds and never waits for a disk.
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, statfs, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { blockLength } from '@eddy/core';
import type { proto } from '@eddy/protocol';
import { LocalBlockRefusedError } from './local-block-refused-error.js';
import type { TierRoots } from './worker-tier-roots.js';

const TMPFS_MAGIC = 0x01021994;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface OpenedBlockFile {
  fh: FileHandle;
  /** The file lives in memory (tmpfs, the MEM tier): a pread is a memcpy and is done inline. */
  inMemory: boolean;
}

/** Throws the refusal; `gone`: the file is not there (any more), which is no sign of tampering. */
type Refuse = (why: string, gone?: boolean) => never;

export class LocalBlockOpener {
  readonly #roots: Pick<TierRoots, 'rootsOf'>;

  constructor(roots: Pick<TierRoots, 'rootsOf'>) {
    this.#roots = roots;
  }

  /** Opens the file `path` that worker `dataAddress` named for block `ref`; LocalBlockRefusedError if it must not be read. */
  async open(dataAddress: string, path: string, ref: proto.BlockRef): Promise<OpenedBlockFile> {
    const refuse: Refuse = refuser(path, `worker ${dataAddress}`);
    const roots = await this.#roots.rootsOf(dataAddress);
    if (roots.length === 0) refuse('the master lists no tier directories for this worker');
    const real = await realpath(path).catch((err: NodeJS.ErrnoException) => refuse('it does not resolve', err.code === 'ENOENT'));
    const root = rootOf(real, roots, ref, refuse);
    const owner = (await lstat(root).catch(() => refuse(`its tier directory ${root} is gone`))).uid;
    const fh = await open(real, OPEN_FLAGS).catch((err: NodeJS.ErrnoException) => refuse(`cannot open it without following links (${err.code ?? err.message})`));
    try {
      checkOpened(await fh.stat(), owner, ref, refuse);
      const opened = await readlink(`/proc/self/fd/${fh.fd}`).catch(() => real);
      if (opened !== real) refuse(`it changed while being opened (now ${opened})`);
      const inMemory = await statfs(real).then((s) => s.type === TMPFS_MAGIC, () => false);
      return { fh, inMemory };
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * The same checks as `open`, synchronously, for `path` inside tier directory `root` (a real path
   * the worker registered); the open fd, which the caller closes.
   */
  static openSync(root: string, path: string, ref: proto.BlockRef): number {
    const refuse: Refuse = refuser(path, `tier directory ${root}`);
    let real: string;
    try {
      real = realpathSync.native(path);
    } catch (err) {
      refuse('it does not resolve', (err as NodeJS.ErrnoException).code === 'ENOENT');
    }
    rootOf(real, [root], ref, refuse);
    let owner: number;
    try {
      owner = lstatSync(root).uid;
    } catch {
      refuse(`its tier directory ${root} is gone`);
    }
    let fd: number;
    try {
      fd = openSync(real, OPEN_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      refuse(`cannot open it without following links (${code ?? String(err)})`, code === 'ENOENT');
    }
    try {
      checkOpened(fstatSync(fd), owner, ref, refuse);
      let opened = real;
      try {
        opened = readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        // No /proc: the fstat checks stand alone.
      }
      if (opened !== real) refuse(`it changed while being opened (now ${opened})`);
      return fd;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }
}

function refuser(path: string, from: string): Refuse {
  return (why: string, gone = false): never => { throw new LocalBlockRefusedError(`refused local block file ${path} from ${from}: ${why}`, path, gone); };
}

/** The tier directory `real` lies in, if it is named after block `ref`; refuses otherwise. */
function rootOf(real: string, roots: readonly string[], ref: proto.BlockRef, refuse: Refuse): string {
  const root = roots.find((r) => real.startsWith(r.endsWith('/') ? r : `${r}/`));
  if (root === undefined) refuse(`it resolves to ${real}, outside the worker's tier directories (${roots.join(', ')})`);
  const name = basename(real);
  if (!isBlockFileName(name, ref.key ?? '')) refuse(`${name} is not the file of block ${ref.key}`);
  return root!;
}

/**
 * Whether `name` is `<key>.<crc32c as 8 hex>`. A string comparison, not a RegExp built from the
 * key: compiling one per open was the costliest frame of opening a small cached file (~50 µs).
 */
function isBlockFileName(name: string, key: string): boolean {
  return key !== '' && name.length === key.length + 9 && name.startsWith(key)
    && name.charCodeAt(key.length) === 0x2e /* . */ && CRC_HEX.test(name.slice(key.length + 1));
}

const CRC_HEX = /^[0-9a-f]{8}$/;

/** What an opened block file must be, by fstat: a regular file with one link, of its tier's owner, the block's length. */
function checkOpened(st: Stats, owner: number, ref: proto.BlockRef, refuse: Refuse): void {
  const length = blockLength(Number(ref.fileSize), Number(ref.blockSize), ref.index ?? 0);
  if (!st.isFile()) refuse('not a regular file');
  if (st.nlink !== 1) refuse(`it has ${st.nlink} links (a block file has one)`);
  if (st.uid !== owner) refuse(`owned by uid ${st.uid}, not by the owner of its tier directory (uid ${owner})`);
  if (st.size !== length) refuse(`${st.size} bytes, the block has ${length}`);
}
