// Real `eddy` processes for end-to-end tests: spawn `node packages/cli/bin/eddy.js …` with
// captured output, wait for a line, stop with a signal, and never leave a child behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (packages/test-cluster/lib/src/ → ../../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const EDDY_BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'eddy.js');

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface EddyResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  /** A command the node process is run under, e.g. `['ip', 'netns', 'exec', 'ns1']` (it must exec node, so the pid stays node's). */
  prefix?: string[];
}

/** A long-running `eddy` process (e.g. `eddy up`). */
export class EddyProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<EddyResult>;

  constructor(args: string[], options: SpawnOptions = {}) {
    const [command, ...argv] = [...(options.prefix ?? []), process.execPath, EDDY_BIN, ...args];
    this.child = spawn(command!, argv, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, EDDY_LOG_LEVEL: process.env.EDDY_LOG_LEVEL ?? 'warn', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => { this.stdout += s; });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    if (options.stdin !== undefined) this.child.stdin!.end(options.stdin);
    else this.child.stdin!.end();
    this.exited = new Promise((res) => {
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        res({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in stdout; rejects on exit or timeout. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.stdout);
      if (m) return m;
      if (!this.running) throw new Error(`eddy exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits for exit; after `timeoutMs` the process is killed (SIGKILL) and the promise rejects. */
  async wait(timeoutMs: number): Promise<EddyResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_res, rej) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        rej(new Error(`eddy did not exit within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and waits for exit (SIGKILL after `timeoutMs`). Safe when already exited. */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 20_000): Promise<EddyResult> {
    if (this.running) this.child.kill(signal);
    return await this.wait(timeoutMs);
  }
}

/** Runs one `eddy` command to completion (killed after `timeoutMs`). */
export async function runEddy(args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<EddyResult> {
  const p = new EddyProcess(args, options);
  return await p.wait(options.timeoutMs ?? 30_000);
}

/** Polls `fn` until it returns a value other than undefined; rejects with the last error after `timeoutMs`. */
export async function eventually<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last instanceof Error ? last.message : last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
