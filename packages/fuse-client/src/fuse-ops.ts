// The edge between fuse-native and EddyFilesystem: callbacks become promises, typed errors become
// errno values (errno.ts), and every write operation is refused.
import Fuse, { type FuseOps } from 'fuse-native';
import type { Logger } from '@eddy/core';
import type { EddyFilesystem, Opened } from './eddy-filesystem.js';
import { ERRNO, errnoOf } from './errno.js';

/** Operations that would change the dataset: all refused (EROFS, or ENOTSUP on a ReadWriteMany dataset). */
const WRITE_OPS = ['write', 'create', 'unlink', 'rename', 'mkdir', 'rmdir', 'truncate', 'ftruncate', 'chmod', 'chown',
  'utimens', 'symlink', 'link', 'mknod', 'setxattr', 'removexattr'] as const;

/** Answers that are part of normal use, not worth a warning. */
const QUIET = new Set<number>([ERRNO.ENOENT, ERRNO.EROFS, ERRNO.ENOTSUP]);

export function fuseOps(fs: EddyFilesystem, logger: Logger): FuseOps {
  const fail = (op: string, path: string, err: unknown): number => {
    const errno = errnoOf(err);
    if (!QUIET.has(errno)) logger.warn({ op, path, err }, 'fuse operation failed');
    return errno;
  };
  /** Runs a synchronous step, answering its error through `cb`; true when it threw. */
  const refused = (op: string, path: string, step: () => void, cb: (err: number) => void): boolean => {
    try {
      step();
      return false;
    } catch (err) {
      cb(fail(op, path, err));
      return true;
    }
  };
  const ops: FuseOps = {
    init: (cb) => cb(0),
    getattr: (path, cb) => {
      fs.getattr(path).then((st) => cb(0, st), (err: unknown) => cb(fail('getattr', path, err)));
    },
    fgetattr: (path, fd, cb) => {
      fs.fgetattr(path, fd).then((st) => cb(0, st), (err: unknown) => cb(fail('fgetattr', path, err)));
    },
    readdir: (path, cb) => {
      fs.readdir(path).then((listing) => {
        cb(0, ['.', '..', ...listing.names]);
        fs.prefetchSubdirs(listing);
      }, (err: unknown) => cb(fail('readdir', path, err)));
    },
    open: (path, flags, cb) => {
      // Needs the patched fuse-native (patches/): the handle's direct_io and keep_cache.
      const answer = ({ fd, mode }: Opened): void => cb(0, fd, (mode.directIo ? Fuse.OPEN_DIRECT_IO : 0) | (mode.keepCache ? Fuse.OPEN_KEEP_CACHE : 0));
      let opened: Opened | Promise<Opened>;
      try {
        opened = fs.open(path, flags);
      } catch (err) {
        cb(fail('open', path, err));
        return;
      }
      // A warm small file opens at once (EddyFilesystem.open): answered in this turn, with no microtask.
      if (opened instanceof Promise) opened.then(answer, (err: unknown) => cb(fail('open', path, err)));
      else answer(opened);
    },
    read: (path, fd, buf, len, pos, cb) => {
      fs.read(fd, buf, len, pos).then((n) => cb(n), (err: unknown) => cb(fail('read', path, err)));
    },
    release: (_path, fd, cb) => {
      fs.release(fd);
      cb(0);
    },
    statfs: (path, cb) => {
      fs.statfs().then((v) => cb(0, v), (err: unknown) => cb(fail('statfs', path, err)));
    },
    access: (path: string, mode: number, cb: (err: number) => void) => {
      if (!refused('access', path, () => fs.access(path, mode), cb)) cb(0);
    },
    // No flush nor fsync: nothing is ever written, so there is nothing to flush. Left out, libfuse
    // answers ENOSYS, which the kernel takes as "never ask again" and as success for the caller;
    // a handler here cost a kernel -> libfuse -> Node round trip on every close(2) of every file
    // (one of the five JavaScript round trips of reading a small file, docs/performance.md).
  };
  for (const op of WRITE_OPS) {
    ops[op] = (...args: unknown[]) => {
      const cb = args[args.length - 1] as (err: number) => void;
      const path = typeof args[0] === 'string' ? args[0] : '';
      refused(op, path, () => fs.refuseWrite(op, path), cb);
    };
  }
  return ops;
}
