// The directories a tier keeps its block files in, checked at start so nobody else can plant or
// swap files there. A tier directory must be a real directory (lstat: not a symlink), owned by
// the worker's uid and writable by nobody else; a missing one is created 0700. A shared directory
// such as /dev/shm (world-writable with the sticky bit) is never used directly: the tier lives in
// a private random subdirectory `eddy-<runtime>-XXXXXX` (mkdtemp, 0700). Its record is the
// directory itself: on restart the worker reuses the one whose name has that prefix, that is a
// real directory owned by its uid with mode 0700 (in a sticky directory nobody else can have
// created, renamed or replaced it), so its blocks are found again; look-alikes are skipped.
// The same checks apply to `<tier>/eddy` and `<tier>/eddy/<runtime>` below it.
import { lstat, mkdir, mkdtemp, readdir, readlink, realpath, chmod } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@eddy/core';
import { UnsafeTierDirectoryError } from './unsafe-tier-directory-error.js';

const STICKY = 0o1000;

/** The worker's uid (undefined where there are none; then ownership is not checked). */
function myUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

function modeText(st: Stats): string { return `0${(st.mode & 0o7777).toString(8)}`; }

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Why `st` (of `path`) may not hold block files, or undefined when it may. */
async function unsafeReason(path: string, st: Stats): Promise<{ problem: string; fix: string } | undefined> {
  if (st.isSymbolicLink()) {
    const target = await readlink(path).catch(() => '?');
    return { problem: `is a symbolic link (to ${target})`, fix: 'give the real directory, not a link to it' };
  }
  if (!st.isDirectory()) return { problem: 'is not a directory', fix: 'point the tier at a directory' };
  const uid = myUid();
  if (uid !== undefined && st.uid !== uid) {
    return { problem: `is owned by uid ${st.uid}, not by the worker (uid ${uid})`, fix: `chown ${uid} ${path} && chmod 0700 ${path}, or use another directory` };
  }
  if ((st.mode & 0o022) !== 0) {
    return { problem: `is writable by group or others (mode ${modeText(st)})`, fix: `chmod 0700 ${path}` };
  }
  return undefined;
}

/** Creates `path` (0700) if missing; refuses it if another user could plant or swap files in it. */
async function ensureOwnDir(path: string, tier: string): Promise<void> {
  let st = await lstatOrNull(path);
  if (!st) {
    await mkdir(path, { recursive: true, mode: 0o700 });
    // recursive mkdir of an existing path is a no-op: whatever is there now is checked below.
    st = await lstat(path);
    if (st.isDirectory() && !st.isSymbolicLink() && st.uid === myUid()) await chmod(path, 0o700);
    st = await lstat(path);
  }
  const why = await unsafeReason(path, st);
  if (why) throw new UnsafeTierDirectoryError(path, tier, why.problem, why.fix);
}

/** A directory anyone may write to but only owners may rename or delete from (/dev/shm, /tmp). */
function isSharedSticky(st: Stats): boolean {
  return st.isDirectory() && !st.isSymbolicLink() && (st.mode & STICKY) !== 0 && (st.mode & 0o002) !== 0;
}

/** This worker's private subdirectory of a shared directory: the one it made before, or a new one. */
async function privateSubdir(shared: string, runtime: string, tier: string, logger: Logger): Promise<string> {
  const prefix = `eddy-${runtime}-`;
  const uid = myUid();
  const mine: Array<{ path: string; mtimeMs: number }> = [];
  for (const name of await readdir(shared)) {
    if (!name.startsWith(prefix) || !/^[A-Za-z0-9]{6}$/.test(name.slice(prefix.length))) continue;
    const path = join(shared, name);
    const st = await lstatOrNull(path);
    if (!st) continue;
    if (st.isDirectory() && !st.isSymbolicLink() && (uid === undefined || st.uid === uid) && (st.mode & 0o777) === 0o700) {
      mine.push({ path, mtimeMs: st.mtimeMs });
    } else {
      logger.warn({ tier, path, uid: st.uid, mode: modeText(st), symlink: st.isSymbolicLink() }, 'ignoring a look-alike of a private tier directory');
    }
  }
  mine.sort((a, b) => b.mtimeMs - a.mtimeMs);
  if (mine.length > 1) logger.warn({ tier, using: mine[0]!.path, others: mine.slice(1).map((m) => m.path) }, 'several private tier directories; using the newest');
  if (mine[0]) return mine[0].path;
  const made = await mkdtemp(join(shared, prefix));
  await chmod(made, 0o700);
  logger.info({ tier, path: made }, 'created a private tier directory in a shared one');
  return made;
}

/**
 * Checks (or creates) the directories of one tier and returns the real path of the tier's root:
 * `path` itself, or the private subdirectory when `path` is shared. Blocks live in
 * `<root>/eddy/<runtime>`, which is checked (or created) too. UnsafeTierDirectoryError names
 * the directory and the fix.
 */
export async function secureTierRoot(path: string, medium: string, runtime: string, logger: Logger): Promise<string> {
  const tier = `${medium}:${path}`;
  let st = await lstatOrNull(path);
  if (!st) {
    await ensureOwnDir(path, tier);
    st = await lstat(path);
  }
  let root: string;
  if (isSharedSticky(st)) {
    root = await privateSubdir(path, runtime, tier, logger);
  } else {
    const why = await unsafeReason(path, st);
    if (why) throw new UnsafeTierDirectoryError(path, tier, why.problem, why.fix);
    root = path;
  }
  await ensureOwnDir(join(root, 'eddy'), tier);
  await ensureOwnDir(join(root, 'eddy', runtime), tier);
  return await realpath(root);
}
