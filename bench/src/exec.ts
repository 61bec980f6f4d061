// Process plumbing for the bench: run a command to completion, keep daemons alive until
// cleanup, FUSE mount waiting/unmounting and page-cache dropping. Everything the bench starts is
// registered with a Cleanup so an interrupted run leaves no mounts, processes or namespaces.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

export interface RunResult { code: number; stdout: string; stderr: string; ms: number }

/** Runs a command to completion (no shell); rejects on timeout, resolves with the exit code otherwise. */
export async function run(cmd: string, args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string; check?: boolean } = {}): Promise<RunResult> {
  const { timeoutMs = 600_000, check = true } = options;
  const started = performance.now();
  return await new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); if (stdout.length > 4_000_000) stdout = stdout.slice(-2_000_000); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms`)); }, timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code) => {
      clearTimeout(timer);
      const res = { code: code ?? -1, stdout, stderr, ms: performance.now() - started };
      if (check && res.code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${res.code}: ${stderr.trim().slice(-2000)}`));
      else resolve(res);
    });
    if (options.input !== undefined) child.stdin.end(options.input); else child.stdin.end();
  });
}

/** Runs a shell snippet (bash -c) and returns the wall time in ms. */
export async function sh(script: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return await run('bash', ['-c', `set -euo pipefail; ${script}`], options);
}

/** A long-lived child process (daemon) whose output is kept (tail) for error messages. */
export class Daemon {
  readonly child: ChildProcess;
  private tail = '';
  private partial = '';
  private readonly watchers: { re: RegExp; found: RegExpExecArray[] }[] = [];
  constructor(readonly name: string, cmd: string, args: string[], options: SpawnOptions = {}) {
    this.child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const keep = (d: Buffer): void => {
      const text = d.toString();
      this.tail = (this.tail + text).slice(-8000);
      if (this.watchers.length === 0) return;
      const lines = (this.partial + text).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        for (const w of this.watchers) {
          const m = w.re.exec(line);
          if (m) w.found.push(m);
        }
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('error', (err) => { this.tail += `\nspawn error: ${err.message}`; });
  }
  /** Output lines matching `re` from now on (a live array: it fills as lines arrive). */
  watch(re: RegExp): RegExpExecArray[] {
    const w = { re, found: [] as RegExpExecArray[] };
    this.watchers.push(w);
    return w.found;
  }
  get exited(): boolean { return this.child.exitCode !== null || this.child.signalCode !== null; }
  output(): string { return this.tail; }
  /** SIGTERM, then SIGKILL after `graceMs`. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
  }
}

/** LIFO cleanup actions; each runs once, errors are reported and do not stop the others. */
export class Cleanup {
  private actions: { what: string; fn: () => Promise<void> }[] = [];
  add(what: string, fn: () => Promise<void>): () => Promise<void> {
    const entry = { what, fn };
    this.actions.push(entry);
    return async () => {
      const i = this.actions.indexOf(entry);
      if (i >= 0) { this.actions.splice(i, 1); await fn(); }
    };
  }
  async runAll(): Promise<void> {
    while (this.actions.length > 0) {
      const a = this.actions.pop()!;
      try { await a.fn(); } catch (err) { console.error(`[bench] cleanup ${a.what} failed: ${(err as Error).message}`); }
    }
  }
}

export async function isMounted(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/mounts', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[1] === path);
}

/** Waits until `path` shows up in /proc/mounts (or the daemon died). */
export async function waitMounted(path: string, daemon: Daemon | undefined, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isMounted(path)) return;
    if (daemon?.exited) throw new Error(`${daemon.name} exited before mounting ${path}: ${daemon.output().slice(-2000)}`);
    await sleep(100);
  }
  throw new Error(`${path} not mounted after ${timeoutMs} ms${daemon ? `: ${daemon.output().slice(-2000)}` : ''}`);
}

/** Unmounts a FUSE mount (lazily if busy). No-op when not mounted. */
export async function unmount(path: string): Promise<void> {
  if (!(await isMounted(path))) return;
  const r = await run('fusermount', ['-u', path], { check: false, timeoutMs: 20_000 });
  if (r.code !== 0 && (await isMounted(path))) await run('umount', ['-l', path], { check: false, timeoutMs: 20_000 });
}

/** Drops the kernel page cache, dentries and inodes (root only); returns false if not allowed. */
export async function dropCaches(): Promise<boolean> {
  try {
    await run('sync', []);
    await writeFile('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** First line of a command's output, or 'unavailable'. */
export async function versionOf(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await run(cmd, args, { check: false, timeoutMs: 10_000 });
    return ((r.stdout || r.stderr).split('\n')[0] ?? '').trim() || 'unavailable';
  } catch {
    return 'unavailable';
  }
}
