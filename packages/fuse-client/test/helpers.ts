// Test helpers: commands run in child processes (a process must never read a FUSE mount it
// serves itself: its libuv threads would block on the kernel while the handler needs them).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ShResult { code: number; stdout: string; stderr: string }

export async function sh(cmd: string, args: string[], timeoutMs = 60_000): Promise<ShResult> {
  return await new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** SHA-256 of a file read through `sha256sum` in a child process. */
export async function sha256Of(path: string): Promise<string> {
  const r = await sh('sha256sum', [path]);
  if (r.code !== 0) throw new Error(`sha256sum ${path}: ${r.stderr.trim()}`);
  return r.stdout.split(/\s+/)[0]!;
}

export function isMounted(mountpoint: string): boolean {
  return readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mountpoint);
}

export function mountLine(mountpoint: string): string | undefined {
  return readFileSync('/proc/mounts', 'utf8').split('\n').find((l) => l.split(' ')[1] === mountpoint);
}

/** Last resort so a failed test never leaves a broken mount behind. */
export async function forceUnmount(mountpoint: string): Promise<void> {
  if (isMounted(mountpoint)) await sh('fusermount', ['-uz', mountpoint], 10_000);
}

/** Runs a node script (ESM source) in a child process; resolves with its output. */
export async function nodeScript(source: string, args: string[] = [], timeoutMs = 60_000): Promise<ShResult> {
  return await sh(process.execPath, ['--input-type=module', '-e', source, ...args], timeoutMs);
}

/**
 * Source of a child process that opens FILE, reads `heldBytes`, writes FLAG, waits for GO, then
 * reads to EOF; it prints "ok <bytes> <sha256>" or "err <code>" (a handle held across an update).
 */
export function holderScript(heldBytes: number): string {
  return `
import { openSync, readSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
const [file, flag, go] = process.argv.slice(1);
const fd = openSync(file, 'r');
const hash = createHash('sha256');
const buf = Buffer.alloc(131072);
let pos = 0;
try {
  while (pos < ${heldBytes}) { const k = readSync(fd, buf, 0, buf.length, pos); if (k === 0) break; hash.update(buf.subarray(0, k)); pos += k; }
  writeFileSync(flag, '');
  while (!existsSync(go)) await new Promise((r) => setTimeout(r, 20));
  for (;;) { const k = readSync(fd, buf, 0, buf.length, pos); if (k === 0) break; hash.update(buf.subarray(0, k)); pos += k; }
  console.log('ok', pos, hash.digest('hex'));
} catch (e) { console.log('err', e.code); }`;
}

export { spawn };
