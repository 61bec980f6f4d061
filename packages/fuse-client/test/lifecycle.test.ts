// `eddy mount` as a process: SIGTERM/SIGINT unmount cleanly (exit 0); after a kill -9 leaves the
// mountpoint broken ("Transport endpoint is not connected"), the next mount recovers it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStaleMount } from '../src/index.js';
import { startFakeMaster, type FakeMaster } from './fake-master.js';
import { forceUnmount, isMounted, sha256, sha256Of } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const EDDY = resolve(here, '../../../cli/bin/eddy.js');

interface Running { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; out: () => string }

async function startMount(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [EDDY, 'mount', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EDDY_LOG_LEVEL: 'warn' } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  const deadline = Date.now() + 30_000;
  while (!/mounted dataset/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`eddy mount did not come up: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, exited, out: () => out };
}

describe('eddy mount lifecycle', () => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-fuse-'));
  const bucket = join(root, 'bucket');
  const mnt = join(root, 'mnt');
  const tokenFile = join(root, 'token');
  const data = randomBytes(3 << 20);
  let master: FakeMaster;
  let args: string[];

  before(async () => {
    mkdirSync(bucket, { recursive: true });
    writeFileSync(join(bucket, 'f.bin'), data);
    master = await startFakeMaster({ dataset: 'demo', url: `file://${bucket}`, blockSize: 1 << 20 });
    writeFileSync(tokenFile, `${master.token}\n`);
    args = ['--master', master.address, '--dataset', 'demo', '--token-file', tokenFile, '--direct-ufs', '-o', 'attr_timeout=5', mnt];
  });
  after(async () => {
    await forceUnmount(mnt);
    await master?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('SIGTERM and SIGINT unmount cleanly and exit 0', async () => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      const m = await startMount(args);
      try {
        assert.match(m.out(), /attr_timeout=5/);
        assert.equal(await sha256Of(join(mnt, 'f.bin')), sha256(data));
        m.child.kill(sig);
        const { code } = await m.exited;
        assert.equal(code, 0, m.out());
        assert.ok(!isMounted(mnt), `${sig}: still mounted`);
      } finally {
        m.child.kill('SIGKILL');
        await forceUnmount(mnt);
      }
    }
  });

  test('a mountpoint broken by kill -9 is recovered by the next mount', async () => {
    const first = await startMount(args);
    first.child.kill('SIGKILL');
    await first.exited;
    await assert.rejects(stat(mnt), (e: NodeJS.ErrnoException) => e.code === 'ENOTCONN');
    assert.ok(await isStaleMount(mnt));
    const second = await startMount(args);
    try {
      assert.equal(await sha256Of(join(mnt, 'f.bin')), sha256(data));
      second.child.kill('SIGTERM');
      assert.equal((await second.exited).code, 0);
      assert.ok(!isMounted(mnt));
    } finally {
      second.child.kill('SIGKILL');
      await forceUnmount(mnt);
    }
  });

  test('usage errors: missing dataset, unknown -o option', async () => {
    const run = async (a: string[]): Promise<{ code: number | null; out: string }> => {
      const child = spawn(process.execPath, [EDDY, 'mount', ...a], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      return { code, out };
    };
    const noDataset = await run(['--master', master.address, '--token-file', tokenFile, mnt]);
    assert.notEqual(noDataset.code, 0);
    assert.match(noDataset.out, /--dataset/);
    const bad = await run(['--master', master.address, '--dataset', 'demo', '--token-file', tokenFile, '-o', 'nosuchopt', mnt]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /nosuchopt/);
    assert.ok(!isMounted(mnt));
  });
});
