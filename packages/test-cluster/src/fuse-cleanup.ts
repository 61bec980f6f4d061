// FUSE hygiene for tests: is a directory a mount point, and lazy-unmount it whatever happens.
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** True while `dir` appears in /proc/mounts. */
export async function isMounted(dir: string): Promise<boolean> {
  const abs = resolve(dir);
  const mounts = await readFile('/proc/mounts', 'utf8');
  // /proc/mounts escapes spaces as \040.
  return mounts.split('\n').some((line) => line.split(' ')[1]?.replace(/\\040/g, ' ') === abs);
}

/** `fusermount -uz dir`, ignoring "not mounted". */
export function forceUnmount(dir: string): void {
  spawnSync('fusermount', ['-uz', resolve(dir)], { stdio: 'ignore', timeout: 10_000 });
}
