// `eddy worker` as a real process: flag validation names the flag; it serves until SIGTERM and
// then exits 0; SIGINT stops it while it still waits for its master; no listener leak warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataChannelClient } from '@eddy/protocol';
import { blockKey } from '@eddy/core';
import { freePort, waitFor } from '@eddy/testkit';
import { FAKE_MASTER_TOKEN, fakeMaster, tempDir } from './helpers.js';

const EDDY = fileURLToPath(new URL('../../../cli/bin/eddy.js', import.meta.url));

interface Run {
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  proc: ReturnType<typeof spawn>;
  out: () => string;
  err: () => string;
}

/** Runs `eddy ARGS`; a run still going after 2 minutes is killed (its `signal` is then SIGKILL). */
function run(args: string[], env: Record<string, string> = {}): Run {
  const proc = spawn(process.execPath, [EDDY, ...args], { env: { ...process.env, EDDY_MASTER: '', EDDY_TOKEN_FILE: '', EDDY_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
  proc.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const done: Run['done'] = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  void done.then(() => clearTimeout(timer));
  return { done, proc, out: () => stdout, err: () => stderr };
}

test('eddy worker rejects bad flags with a message naming the flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['worker', '--runtime', 'demo', '--listen', '127.0.0.1:0'], /--master/],
    [['worker', '--master', '127.0.0.1:1', '--listen', '127.0.0.1:0'], /--runtime/],
    [['worker', '--master', '127.0.0.1:1', '--runtime', 'demo'], /--listen/],
    [['worker', '--master', '127.0.0.1:1', '--runtime', 'demo', '--listen', 'nohost'], /--listen/],
    [['worker', '--master', '127.0.0.1:1', '--runtime', 'demo', '--listen', '127.0.0.1:0', '--tier', 'RAM:/tmp/x:1Gi'], /--tier.*medium/],
    [['worker', '--master', '127.0.0.1:1', '--runtime', 'demo', '--listen', '127.0.0.1:0', '--tier', 'MEM:/tmp/x:lots'], /--tier.*QUOTA/],
    [['worker', '--master', '127.0.0.1:1', '--runtime', 'demo', '--listen', '127.0.0.1:0', '--tier', 'MEM:/tmp/x:1Gi:0.5:0.9'], /--tier.*low/],
    [['worker', '--master', '127.0.0.1:1', '--runtime', 'demo', '--listen', '127.0.0.1:0', '--tier', 'MEM:/tmp/x:1Gi', '--token-file', '/nonexistent/token'], /--token-file/],
  ];
  // One at a time: eight CLI processes starting at once on a busy 2-core machine can take longer than the hang guard.
  for (const [args, re] of cases) {
    const { code, stderr } = await run(args).done;
    assert.notEqual(code, 0, args.join(' '));
    assert.match(stderr, re, `${args.join(' ')} → ${stderr}`);
  }
});

test('eddy worker serves with the token from EDDY_TOKEN_FILE until SIGTERM, then exits 0', async () => {
  const dir = await tempDir();
  try {
    const tokenFile = join(dir.path, 'token');
    await writeFile(tokenFile, 'cli-token\n');
    const dataPort = await freePort();
    const masterPort = await freePort();
    const w = run(['worker', '--master', `127.0.0.1:${masterPort}`, '--runtime', 'demo', '--listen', '127.0.0.1:0',
      '--data-listen', `127.0.0.1:${dataPort}`, '--tier', `MEM:${join(dir.path, 'mem')}:64Mi`, '--tier', `SSD:${join(dir.path, 'ssd')}:128Mi:0.9:0.7`],
    { EDDY_TOKEN_FILE: tokenFile });
    await waitFor(() => /serving/.test(w.out()), { timeoutMs: 20_000, what: 'worker start' });
    const ref = { key: blockKey('ds', '/x', 'v', 0, 1024), dataset: 'ds', path: '/x', version: 'v', index: 0, blockSize: 1024, fileSize: 10 };
    const good = new DataChannelClient(`127.0.0.1:${dataPort}`, { token: 'cli-token' });
    assert.equal(await good.openLocal(ref), null, 'authenticated; block not held');
    await good.close();
    const bad = new DataChannelClient(`127.0.0.1:${dataPort}`, { token: 'other' });
    await assert.rejects(bad.openLocal(ref), { code: 'UNAUTHENTICATED' });
    await bad.close();
    w.proc.kill('SIGTERM');
    const { code } = await w.done;
    assert.equal(code, 0);
  } finally { await dir.cleanup(); }
});

test('eddy worker heartbeating for a while prints no MaxListenersExceededWarning', async () => {
  const dir = await tempDir();
  const master = await fakeMaster(await freePort(), { heartbeatIntervalMs: 50 });
  try {
    const tokenFile = join(dir.path, 'token');
    await writeFile(tokenFile, `${FAKE_MASTER_TOKEN}\n`);
    const w = run(['worker', '--master', master.address, '--runtime', 'demo', '--listen', '127.0.0.1:0', '--tier', `MEM:${join(dir.path, 'mem')}:64Mi`],
      { EDDY_TOKEN_FILE: tokenFile });
    // Every pause between heartbeats used to leave an abort listener behind: Node warns at 11.
    await waitFor(() => master.heartbeats.length >= 30, { timeoutMs: 60_000, what: '30 heartbeats' });
    w.proc.kill('SIGTERM');
    const { code, stderr } = await w.done;
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /MaxListenersExceededWarning/);
  } finally {
    await master.stop();
    await dir.cleanup();
  }
});

test('eddy worker stops on SIGINT while it still waits for a master nobody listens on', async () => {
  const w = run(['worker', '--master', `127.0.0.1:${await freePort()}`, '--runtime', 'demo', '--listen', '127.0.0.1:0', '--insecure']);
  // Without --tier it waits for the master's Runtime; the first failed attempt is logged.
  await waitFor(() => /waiting for the master/.test(w.err()), { timeoutMs: 60_000, what: 'the first attempt' });
  w.proc.kill('SIGINT');
  const { code, signal, stderr } = await w.done;
  assert.equal(signal, null, 'exited by itself, not killed by the test');
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /MaxListenersExceededWarning/);
});
