// Data channel benchmark: one cached 64 MiB block read over loopback through the worker's data
// channel (1 stream, and 4 concurrent streams on 4 connections), next to the raw-TCP ceiling
// measured in the same run (a plain net server writing 64 MiB from memory, a client that reads
// into one reused buffer and only counts the bytes). Writes bench/results/data-channel.json and .md.
//
//   npx tsc -b bench && node bench/lib/data-channel.js [--runs 7] [--out bench/results] [--frame-kib 256]
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, cpus, totalmem, hostname, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DataChannelClient } from '@eddy/protocol';
import { blockKey } from '@eddy/core';
import { BlockStore, BlockService, DataServer, ReadThrough, StaticMountResolver, UfsLocator } from '@eddy/worker';

const BLOCK = 64 * 1024 * 1024;
const TOKEN = 'bench-token';
const REF = { key: blockKey('bench', '/block', 'v1', 0, BLOCK), dataset: 'bench', path: '/block', version: 'v1', index: 0, blockSize: BLOCK, fileSize: BLOCK };

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

async function rawServer(payload: Buffer): Promise<Server> {
  const server = createServer({ noDelay: true }, (s) => {
    // One byte asks for one payload, as a request would.
    s.on('data', () => { s.write(payload); });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

/** The ceiling client: reads into one reused 1 MiB buffer (no allocation, no copy) and counts bytes. */
async function rawRead(port: number, streams: number): Promise<number> {
  const scratch = Buffer.allocUnsafe(1 << 20);
  const counters = Array.from({ length: streams }, () => ({ got: 0, done: (): void => undefined }));
  const socks = await Promise.all(counters.map((c) => new Promise<ReturnType<typeof connect>>((r) => {
    const s = connect({
      port, host: '127.0.0.1',
      onread: { buffer: scratch, callback: (n: number) => { c.got += n; if (c.got >= BLOCK) c.done(); return true; } },
    }, () => r(s));
    s.setNoDelay(true);
  })));
  const t0 = process.hrtime.bigint();
  await Promise.all(socks.map((s, i) => new Promise<void>((resolveRead) => {
    counters[i]!.done = resolveRead;
    s.write('x');
  })));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const s of socks) s.destroy();
  return (streams * BLOCK) / secs / 1e9;
}

/** What any API returning a new Buffer per read can reach: raw TCP read into a fresh 64 MiB Buffer. */
async function rawReadFresh(port: number): Promise<number> {
  let target = Buffer.alloc(0);
  let got = 0;
  let done = (): void => undefined;
  const scratch = Buffer.allocUnsafe(1 << 20);
  const s = await new Promise<ReturnType<typeof connect>>((r) => {
    const sock = connect({
      port, host: '127.0.0.1',
      onread: {
        buffer: () => (got < target.length ? target.subarray(got) : scratch),
        callback: (n: number) => { got += n; if (got >= BLOCK) done(); return true; },
      },
    }, () => r(sock));
  });
  const t0 = process.hrtime.bigint();
  target = Buffer.allocUnsafe(BLOCK);
  got = 0;
  await new Promise<void>((resolveRead) => { done = resolveRead; s.write('x'); });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.destroy();
  return BLOCK / secs / 1e9;
}

async function channelRead(client: DataChannelClient, ref: Parameters<DataChannelClient['readBlock']>[0], streams: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const bufs = await Promise.all(Array.from({ length: streams }, () => client.readBlock(ref, 0, BLOCK, { timeoutMs: 60_000 })));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (bufs.some((b) => b.length !== BLOCK)) throw new Error('short read');
  return (streams * BLOCK) / secs / 1e9;
}

/** The block read front to back in `range`-byte calls, one in flight (as a FUSE reader would). */
async function channelReadRanges(client: DataChannelClient, ref: Parameters<DataChannelClient['readBlock']>[0], range: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let off = 0; off < BLOCK; off += range) {
    const b = await client.readBlock(ref, off, range, { timeoutMs: 60_000 });
    if (b.length !== Math.min(range, BLOCK - off)) throw new Error('short read');
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return BLOCK / secs / 1e9;
}

function stats(xs: number[]): { median: number; best: number; runs: number[] } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, best: s[s.length - 1]!, runs: xs.map((x) => Number(x.toFixed(3))) };
}

/** Child process: the worker side (block store + data server) and the raw-TCP server. */
async function serve(): Promise<void> {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const tierDir = await mkdtemp(join(base, 'eddy-bench-dc-'));
  const payload = randomBytes(BLOCK);
  const store = await BlockStore.open({ runtime: 'bench', tiers: [{ medium: 'MEM', path: tierDir, quotaBytes: 2 * BLOCK, high: 1, low: 0.9 }] });
  await store.put(REF.key, payload);
  const locator = new UfsLocator({ resolver: new StaticMountResolver({}) });
  const readThrough = new ReadThrough({ store, locator });
  const service = new BlockService(store, readThrough);
  const dataServer = await DataServer.start({ listen: '127.0.0.1:0', security: { token: TOKEN }, blocks: service, dataFrameBytes: Number(arg('frame-kib', '256')) * 1024 });
  const raw = await rawServer(payload);
  process.stdout.write(`${JSON.stringify({ dataPort: dataServer.port, rawPort: (raw.address() as AddressInfo).port, tier: base, sha: createHash('sha256').update(payload).digest('hex') })}\n`);
  // Runs until the parent closes stdin.
  process.stdin.resume();
  await new Promise<void>((r) => process.stdin.on('end', () => r()));
  await dataServer.close(1000);
  await new Promise<void>((r) => raw.close(() => r()));
  readThrough.close();
  await locator.close();
  await store.close();
  await rm(tierDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '7'));
  const outDir = resolve(arg('out', join(process.cwd(), 'bench', 'results')));
  // The worker side runs in its own process, as it does in a deployment (its own event loop).
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', '--frame-kib', arg('frame-kib', '256')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise<{ dataPort: number; rawPort: number; tier: string; sha: string }>((resolveInfo, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolveInfo(JSON.parse(buf.slice(0, nl)) as { dataPort: number; rawPort: number; tier: string; sha: string });
    });
    child.on('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const base = info.tier;
  const rawPort = info.rawPort;
  const ref = REF;
  const client = new DataChannelClient(`127.0.0.1:${info.dataPort}`, { token: TOKEN, maxConnections: 4 });

  const results: Record<string, number[]> = { raw1: [], rawFresh: [], raw4: [], dc1: [], dc4: [], dc16: [] };
  try {
    // Warm up: connections, page cache of the block file, JIT.
    await rawRead(rawPort, 4);
    await channelRead(client, ref, 4);
    const check = await client.readBlock(ref, 0, BLOCK);
    if (createHash('sha256').update(check).digest('hex') !== info.sha) throw new Error('data channel returned wrong bytes');
    for (let i = 0; i < runs; i++) {
      results['raw1']!.push(await rawRead(rawPort, 1));
      results['rawFresh']!.push(await rawReadFresh(rawPort));
      results['dc1']!.push(await channelRead(client, ref, 1));
      results['dc16']!.push(await channelReadRanges(client, ref, 16 * 1024 * 1024));
      results['raw4']!.push(await rawRead(rawPort, 4));
      results['dc4']!.push(await channelRead(client, ref, 4));
    }
  } finally {
    await client.close();
    child.stdin!.end();
    await new Promise((r) => child.once('exit', r));
  }

  const loadAvg = loadavg()[0] ?? 0;
  const r1 = stats(results['raw1']!);
  const rf = stats(results['rawFresh']!);
  const r4 = stats(results['raw4']!);
  const d1 = stats(results['dc1']!);
  const d4 = stats(results['dc4']!);
  const d16 = stats(results['dc16']!);
  const doc = {
    benchmark: 'data-channel',
    date: new Date().toISOString(),
    machine: {
      host: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version,
      loadAvg1m: Number(loadAvg.toFixed(2)),
    },
    blockBytes: BLOCK,
    tier: base === '/dev/shm' ? 'MEM (/dev/shm)' : `MEM (${base})`,
    runs,
    unit: 'GB/s (1e9 bytes per second), median of runs',
    rows: [
      { name: 'raw TCP ceiling', streams: 1, ...r1 },
      { name: 'raw TCP into a new 64 MiB Buffer per read', streams: 1, ...rf, ofCeiling: Number((rf.median / r1.median).toFixed(3)) },
      { name: 'data channel (cached block)', streams: 1, ...d1, ofCeiling: Number((d1.median / r1.median).toFixed(3)) },
      { name: 'data channel (cached block, 4 sequential 16 MiB reads)', streams: 1, ...d16, ofCeiling: Number((d16.median / r1.median).toFixed(3)) },
      { name: 'raw TCP ceiling', streams: 4, ...r4 },
      { name: 'data channel (cached block)', streams: 4, ...d4, ofCeiling: Number((d4.median / r4.median).toFixed(3)) },
    ],
    goal: { oneStreamGBps: 1, met: Math.max(d1.median, d16.median) >= 1 },
  };
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'data-channel.json'), `${JSON.stringify(doc, null, 2)}\n`);
  const fmt = (x: number): string => x.toFixed(2);
  const md = [
    '# Data channel benchmark',
    '',
    `One cached ${BLOCK / 2 ** 20} MiB block (${doc.tier}) read over loopback with \`DataChannelClient.readBlock\`, against a raw-TCP`,
    'ceiling measured in the same run (a plain `net` server writing the same 64 MiB from memory to a client that reads into one',
    'reused buffer and only counts bytes: no allocation, no copy).',
    `${runs} runs after a warm-up; GB/s = 1e9 bytes/s; 4 streams = 4 concurrent reads on 4 connections (aggregate).`,
    'Servers (worker data channel, raw TCP) run in one child process, the clients in the parent.',
    '',
    `Machine: ${doc.machine.cpus} × ${doc.machine.cpuModel}, ${doc.machine.memGiB} GiB, Node ${doc.machine.node}; load average ${doc.machine.loadAvg1m} at the end of the run. Date: ${doc.date}.`,
    '',
    '| path | streams | median GB/s | best GB/s | of ceiling |',
    '|---|---:|---:|---:|---:|',
    `| raw TCP ceiling | 1 | ${fmt(r1.median)} | ${fmt(r1.best)} | 100% |`,
    `| raw TCP into a new 64 MiB Buffer per read | 1 | ${fmt(rf.median)} | ${fmt(rf.best)} | ${(100 * rf.median / r1.median).toFixed(0)}% |`,
    `| data channel, cached block, one 64 MiB call | 1 | ${fmt(d1.median)} | ${fmt(d1.best)} | ${(100 * d1.median / r1.median).toFixed(0)}% |`,
    `| data channel, cached block, 4 × 16 MiB calls | 1 | ${fmt(d16.median)} | ${fmt(d16.best)} | ${(100 * d16.median / r1.median).toFixed(0)}% |`,
    `| raw TCP ceiling | 4 | ${fmt(r4.median)} | ${fmt(r4.best)} | 100% |`,
    `| data channel, cached block, one 64 MiB call each | 4 | ${fmt(d4.median)} | ${fmt(d4.best)} | ${(100 * d4.median / r4.median).toFixed(0)}% |`,
    '',
    `Goal (issue 3): ≥ 1 GB/s for one stream — ${doc.goal.met ? 'met' : 'not met'} in this run.`,
    '',
    'The ceiling client reads into one reused buffer and only counts bytes. `readBlock` returns a new contiguous Buffer (the',
    'kernel reads straight into it), so it also pays for fresh memory: a 64 MiB allocation is mmap-backed and page-faults',
    'on every call. The row "raw TCP into a new 64 MiB Buffer per read" is that bound for any API returning a new Buffer;',
    'the data channel should be compared with it. Numbers from a shared 2-core VM vary a lot between runs: compare rows of',
    'the same run only.',
    '',
    'Reproduce: `npx tsc -b bench && node bench/lib/data-channel.js [--runs 7]`.',
    '',
  ].join('\n');
  await writeFile(join(outDir, 'data-channel.md'), md);
  process.stdout.write(md);
}

(process.argv.includes('--serve') ? serve() : main()).catch((err: unknown) => {
  process.stderr.write(`data-channel bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
