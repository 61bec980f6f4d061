// Worker RSS under a hostile client (issue 15, item 5): real `eddy master` and `eddy worker`
// processes, then one process (this one) doing everything a client may try at once for a while:
// HELLOs a byte at a time, partial pre-HELLO frames, partial 64 KiB control frames, pin floods,
// refs with a 1 GiB block, cached reads it never reads from the socket, and read-through misses it
// never reads either. The worker's VmRSS is sampled every 50 ms; its peak (and VmHWM) is compared
// with the bound the caps give (docs/security.md). Writes bench/results/hostile-rss.json and .md.
//
//   npx tsc -b bench && node bench/lib/hostile-rss.js [--seconds 20] [--max-data-connections 256] [--out bench/results]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockKey } from '@eddy/core';
import { DataChannelClient, FrameType, createMasterClient, encodeFrameHeader, encodeMessage, type proto } from '@eddy/protocol';
import { freePort } from '@eddy/testkit';

const MiB = 1024 * 1024;
const KiB = 1024;
const BLOCK = 4 * MiB;
const TOKEN = 'hostile-rss-token';
const EDDY = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'cli', 'bin', 'eddy.js');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

function eddy(args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [EDDY, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EDDY_LOG_LEVEL: 'error' } });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { out += s; });
  return { child, out: () => out };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function statusKiB(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function sock(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.once('connect', () => res(s));
    s.once('error', rej);
  });
}

const hello = (): Buffer => encodeMessage(FrameType.HELLO, { version: 1, token: TOKEN });

/** Everything at once, `n` of each (see the top); resolves with the sockets to close. */
async function attack(port: number, refs: proto.BlockRef[], misses: proto.BlockRef[], n: number, counts: Record<string, number>): Promise<Socket[]> {
  const all: Socket[] = [];
  const open = async (fn: (s: Socket) => void, what: string): Promise<void> => {
    try {
      const s = await sock(port);
      all.push(s);
      // A connection past a cap is told so (ERROR UNAVAILABLE "too many …") and closed.
      s.on('data', (c: Buffer) => { if (c.includes('too many')) counts[`${what} refused`] = (counts[`${what} refused`] ?? 0) + 1; });
      fn(s);
      counts[what] = (counts[what] ?? 0) + 1;
    } catch { counts[`${what} failed to connect`] = (counts[`${what} failed to connect`] ?? 0) + 1; }
  };
  const jobs: Array<Promise<void>> = [];
  const bytes = encodeMessage(FrameType.HELLO, { version: 1, token: 'x'.repeat(4000) });
  for (let i = 0; i < n; i++) {
    // HELLO a byte at a time.
    jobs.push(open((s) => {
      let sent = 0;
      const t = setInterval(() => { if (s.destroyed || sent >= bytes.length) clearInterval(t); else s.write(bytes.subarray(sent, ++sent)); }, 20);
    }, 'slow hello'));
    // A pre-HELLO frame of 8 KiB, all but its last byte.
    jobs.push(open((s) => { s.write(Buffer.concat([encodeFrameHeader(FrameType.HELLO, 8 * KiB), Buffer.alloc(8 * KiB - 1, 0x20)])); }, 'partial HELLO'));
    // Authenticated: a 64 KiB control frame, all but its last byte.
    jobs.push(open((s) => { s.write(Buffer.concat([hello(), encodeFrameHeader(FrameType.READ, 64 * KiB), Buffer.alloc(64 * KiB - 1, 0x20)])); }, 'partial 64 KiB frame'));
    // Pin flood: LOCALs of cached blocks, never released, never reading the answers.
    jobs.push(open((s) => {
      s.pause();
      s.write(hello());
      for (let k = 0; k < 300; k++) s.write(encodeMessage(FrameType.LOCAL, { ref: refs[k % refs.length]! } as never));
    }, 'pin flood'));
    // Refs with a 1 GiB block.
    jobs.push(open((s) => {
      const r = refs[0]!;
      const big = { ...r, blockSize: 1024 * MiB, key: blockKey(r.dataset!, r.path!, r.version!, 0, 1024 * MiB) };
      s.write(hello());
      for (let k = 0; k < 8; k++) s.write(encodeMessage(FrameType.READ, { ref: big, offset: 0, length: 1024 * MiB } as never));
    }, '1 GiB ref'));
    // A cached block read, and a read-through miss, never read from the socket.
    const stalled = (ref: proto.BlockRef) => (s: Socket): void => {
      s.pause();
      s.write(hello());
      s.write(encodeMessage(FrameType.READ, { ref, offset: 0, length: BLOCK } as never));
    };
    jobs.push(open(stalled(refs[i % refs.length]!), 'stalled cached read'));
    jobs.push(open(stalled(misses[i % misses.length]!), 'stalled read-through'));
  }
  await Promise.all(jobs);
  return all;
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '20'));
  const maxConns = Number(arg('max-data-connections', '256'));
  const outDir = resolve(arg('out', join(process.cwd(), 'bench', 'results')));
  const dir = await mkdtemp(join(tmpdir(), 'eddy-hostile-rss-'));
  const procs: ChildProcess[] = [];
  try {
    const ufs = join(dir, 'ufs');
    await mkdir(ufs);
    await writeFile(join(ufs, 'cached.bin'), randomBytes(64 * MiB));
    await writeFile(join(ufs, 'cold.bin'), randomBytes(128 * MiB));
    await writeFile(join(dir, 'token'), TOKEN, { mode: 0o600 });
    const masterAddress = `127.0.0.1:${await freePort()}`;
    const master = eddy(['master', '--listen', masterAddress, '--data-dir', join(dir, 'state'), '--token-file', join(dir, 'token'), '--allow-file-root', ufs]);
    procs.push(master.child);
    await writeFile(join(dir, 'm.yaml'), `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: hr}\nspec:\n  mounts:\n    - mountPoint: file://${ufs}\n---\n`
      + 'apiVersion: data.fluid.io/v1alpha1\nkind: JindoRuntime\nmetadata: {name: hr}\nspec:\n  blockSize: 4Mi\n  tieredstore:\n    levels:\n      - {mediumtype: MEM, path: /dev/shm, quota: 1Gi}\n');
    const rpc = createMasterClient(masterAddress, { token: TOKEN });
    await until('master', async () => (await rpc.listWorkers({}, { timeoutMs: 1000 }), true));
    await rpc.apply({ manifests: readFileSync(join(dir, 'm.yaml'), 'utf8') }, { timeoutMs: 30_000 });
    const worker = eddy(['worker', '--master', masterAddress, '--runtime', 'hr', '--listen', '127.0.0.1:0', '--token-file', join(dir, 'token'),
      '--tier', `MEM:${join(dir, 'tier')}:1Gi`, '--allow-file-root', ufs, '--max-data-connections', String(maxConns)]);
    procs.push(worker.child);
    const dataAddress = await until('worker', () => /data (\S+)\n/.exec(worker.out())?.[1]).catch((err: Error) => {
      throw new Error(`${err.message}: ${worker.out()}`);
    });
    const pid = worker.child.pid!;
    const refsOf = async (path: string, size: number): Promise<proto.BlockRef[]> => {
      const version = (await rpc.stat({ dataset: 'hr', path })).info!.version;
      return Array.from({ length: size / BLOCK }, (_, index) => ({
        key: blockKey('hr', path, version, index, BLOCK), dataset: 'hr', path, version, index, blockSize: BLOCK, fileSize: size,
      }));
    };
    const refs = await refsOf('/cached.bin', 64 * MiB);
    const misses = await refsOf('/cold.bin', 128 * MiB);
    const legit = new DataChannelClient(dataAddress, { token: TOKEN });
    for (const r of refs) await legit.fetchBlock(r);
    await new Promise((r) => setTimeout(r, 1000));
    const baseKiB = statusKiB(pid, 'VmRSS');
    let peakKiB = baseKiB;
    const sampler = setInterval(() => { try { peakKiB = Math.max(peakKiB, statusKiB(pid, 'VmRSS')); } catch { /* gone */ } }, 50);
    const counts: Record<string, number> = {};
    const started = Date.now();
    const sockets: Socket[] = [];
    // Waves of attackers for the whole run: every closed connection is replaced by the next wave.
    while (Date.now() - started < seconds * 1000) {
      sockets.push(...await attack(Number(dataAddress.split(':').pop()), refs, misses, 40, counts));
      await new Promise((r) => setTimeout(r, 2000));
    }
    const legitOk = (await legit.readBlock(refs[3]!, 0, BLOCK)).length === BLOCK;
    clearInterval(sampler);
    const hwmKiB = statusKiB(pid, 'VmHWM');
    for (const s of sockets) s.destroy();
    await legit.close();
    rpc.close();
    const caps = { maxDataConnections: maxConns, maxUnauthenticatedConnections: 64, maxConcurrentFetches: 16, fetchWindowBytes: 4 * MiB,
      writeWindowChunks: 8, dataFrameBytes: 256 * KiB, maxQueuedRequests: 8, maxControlPayload: 64 * KiB, maxHelloPayload: 8 * KiB };
    // Per connection: a read's chunks queued on a socket that is not read, plus control frames
    // (the queue, the one in progress, and a partial one in the decoder).
    const perConnection = caps.writeWindowChunks * caps.dataFrameBytes + (caps.maxQueuedRequests + 3) * caps.maxControlPayload;
    const boundBytes = caps.maxConcurrentFetches * (caps.fetchWindowBytes + 256 * KiB) + caps.maxDataConnections * perConnection
      + caps.maxUnauthenticatedConnections * caps.maxHelloPayload;
    const result = {
      meta: { date: new Date().toISOString(), host: hostname(), cpus: cpus().length, memGiB: +(totalmem() / 2 ** 30).toFixed(1), loadavg: loadavg(), seconds },
      caps, attackerConnections: counts,
      rss: { baseMiB: +(baseKiB / 1024).toFixed(1), peakMiB: +(peakKiB / 1024).toFixed(1), vmHwmMiB: +(hwmKiB / 1024).toFixed(1),
        growthMiB: +((peakKiB - baseKiB) / 1024).toFixed(1), boundAboveBaseMiB: +(boundBytes / MiB).toFixed(1) },
      legitimateReadAfter: legitOk,
    };
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'hostile-rss.json'), `${JSON.stringify(result, null, 2)}\n`);
    const md = ['# Worker RSS under a hostile client', '', `Run ${result.meta.date} on ${result.meta.cpus} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; `
      + `${seconds} s of attack waves (\`node bench/lib/hostile-rss.js --seconds ${seconds} --max-data-connections ${maxConns}\`).`, '',
    '| | MiB |', '|---|---:|', `| worker RSS before | ${result.rss.baseMiB} |`, `| peak RSS during the attack (50 ms samples) | ${result.rss.peakMiB} |`,
    `| VmHWM | ${result.rss.vmHwmMiB} |`, `| growth | ${result.rss.growthMiB} |`, `| bound above the base, from the caps | ${result.rss.boundAboveBaseMiB} |`, '',
    `Attacker connections opened (those refused by a cap): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '',
    `A legitimate read after the attack: ${legitOk ? 'ok' : 'FAILED'}.`, ''].join('\n');
    await writeFile(join(outDir, 'hostile-rss.md'), md);
    process.stdout.write(`${md}\n`);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
