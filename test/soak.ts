// Soak (not CI; run by scripts/soak.sh): 64 concurrent readers, half sequential and half random,
// read through an `eddy mount` for N minutes while objects change in the bucket every 30 s and a
// Cron DataLoad (every 30 s) refreshes the cache. Every 4 KiB block of an object starts with its
// version, and the rest of the block is derived from (key, version, block), so a reader detects a
// handle that mixed two versions and any corrupt byte. Prints read/error/mixed/corrupt counts and
// the RSS of every Eddy process over time.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EddyCluster, KiB, MiB, dropPageCache, faultManifests } from '@eddy/test-cluster';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    readers: { type: 'string', default: '64' },
    objects: { type: 'string', default: '32' },
    'change-every': { type: 'string', default: '30' },
  },
});
const MINUTES = Number(values.minutes);
const READERS = Number(values.readers);
const OBJECTS = Number(values.objects);
const CHANGE_EVERY_S = Number(values['change-every']);
const BLOCK = 4 * KiB;
const HEADER = 12; // "V" + 10-digit version + "\n"

const log = (msg: string): void => { process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}\n`); };

/** Block `i` of `key` at `version`: header with the version, then bytes derived from all three. */
function block(key: string, version: number, i: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  const header = Buffer.from(`V${String(version).padStart(10, '0')}\n`);
  header.copy(out, 0, 0, Math.min(HEADER, length));
  if (length > HEADER) {
    const seed = createHash('sha256').update(`${key}:${version}:${i}`).digest();
    for (let o = HEADER; o < length; o += seed.length) seed.copy(out, o, 0, Math.min(seed.length, length - o));
  }
  return out;
}

function content(key: string, version: number, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i * BLOCK < size; i++) parts.push(block(key, version, i, Math.min(BLOCK, size - i * BLOCK)));
  return Buffer.concat(parts);
}

interface Stats {
  reads: number;
  handles: number;
  bytes: number;
  errors: Map<string, number>;
  mixed: number;
  corrupt: number;
  versionsSeenNewest: number;
  staleHandles: number;
}

const stats: Stats = { reads: 0, handles: 0, bytes: 0, errors: new Map(), mixed: 0, corrupt: 0, versionsSeenNewest: 0, staleHandles: 0 };
const sizes = new Map<string, number>();
const current = new Map<string, number>();
/** When each key last got a new version in the bucket. */
const changedAt = new Map<string, number>();
/** EIO on a handle of an object replaced within this window: the pinned version is gone from the bucket. */
const REPLACED_WINDOW_MS = 45_000;
const firstErrors: string[] = [];

const details: string[] = [];
function noteDetail(d: string): void {
  if (details.length < 20) details.push(`${new Date().toISOString().slice(11, 23)} ${d}`);
}

function noteError(what: string, err: unknown, openedAt: number): void {
  let code = (err as NodeJS.ErrnoException).code ?? 'OTHER';
  if (code === 'EIO' && (changedAt.get(what) ?? 0) > openedAt - REPLACED_WINDOW_MS) code = 'EIO(version replaced)';
  stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
  if (firstErrors.length < 10) firstErrors.push(`${what}: ${code} ${(err as Error).message}`);
}

/**
 * Checks bytes read at `offset` of one handle against the version the handle settled on (the
 * first header it saw). Returns the handle's version.
 */
function check(key: string, buf: Buffer, offset: number, handleVersion: number | undefined): number | undefined {
  let version = handleVersion;
  const size = sizes.get(key)!;
  const firstBlock = Math.floor(offset / BLOCK);
  const lastBlock = Math.floor((offset + buf.length - 1) / BLOCK);
  for (let i = firstBlock; i <= lastBlock; i++) {
    const bStart = i * BLOCK;
    const from = Math.max(offset, bStart);
    const to = Math.min(offset + buf.length, bStart + BLOCK, size);
    if (to <= from) continue;
    const got = buf.subarray(from - offset, to - offset);
    if (from === bStart && got.length >= HEADER) {
      const m = /^V(\d{10})\n$/.exec(got.subarray(0, HEADER).toString('latin1'));
      if (!m) { stats.corrupt++; return version; }
      const v = Number(m[1]);
      if (version === undefined) version = v;
      else if (v !== version) { stats.mixed++; noteDetail(`mixed ${key} @${offset}+${buf.length} block ${i}: handle v${version}, block v${v}, current v${current.get(key)}`); return version; }
    }
    if (version === undefined) continue; // a partial first block without a header: checked once known
    const want = block(key, version, i, Math.min(BLOCK, size - bStart)).subarray(from - bStart, to - bStart);
    if (!want.equals(got)) {
      // The header may be outside this read; a different version's bytes are a mix, anything else corruption.
      const other = [...Array(3).keys()].map((d) => version! + d - 1).filter((v) => v !== version && v > 0)
        .some((v) => block(key, v, i, Math.min(BLOCK, size - bStart)).subarray(from - bStart, to - bStart).equals(got));
      if (other) stats.mixed++; else stats.corrupt++;
      noteDetail(`${other ? 'mixed(body)' : 'corrupt'} ${key} @${offset}+${buf.length} block ${i}: handle v${version}, current v${current.get(key)}`);
      return version;
    }
  }
  return version;
}

async function sequentialRead(path: string, key: string): Promise<void> {
  const fh = await open(path, 'r');
  stats.handles++;
  try {
    const buf = Buffer.alloc(256 * KiB);
    let pos = 0;
    let version: number | undefined;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      stats.reads++;
      if (bytesRead === 0) break;
      version = check(key, buf.subarray(0, bytesRead), pos, version);
      pos += bytesRead;
      stats.bytes += bytesRead;
    }
    if (pos !== sizes.get(key)) { stats.corrupt++; if (firstErrors.length < 10) firstErrors.push(`${key}: read ${pos} of ${sizes.get(key)} bytes`); }
    if (version !== undefined && version < (current.get(key) ?? 0) - 1) stats.staleHandles++;
  } finally {
    await fh.close();
  }
}

async function randomRead(path: string, key: string): Promise<void> {
  const fh = await open(path, 'r');
  stats.handles++;
  try {
    const size = sizes.get(key)!;
    let version: number | undefined;
    // Read block 0's header first so the handle's version is known, then random ranges.
    const head = Buffer.alloc(HEADER);
    await fh.read(head, 0, HEADER, 0);
    version = check(key, head, 0, version);
    for (let n = 0; n < 16; n++) {
      const len = 1 + Math.floor(Math.random() * 64 * KiB);
      const off = Math.floor(Math.random() * Math.max(1, size - len));
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, off);
      stats.reads++;
      stats.bytes += bytesRead;
      if (bytesRead !== Math.min(len, size - off)) { stats.corrupt++; continue; }
      version = check(key, buf.subarray(0, bytesRead), off, version);
    }
  } finally {
    await fh.close();
  }
}

async function rssOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const c = await EddyCluster.start('soak');
  let stop = false;
  const onSignal = (): void => { stop = true; };
  process.once('SIGINT', onSignal);
  try {
    const keys = [...Array(OBJECTS).keys()].map((i) => `soak/obj-${String(i).padStart(3, '0')}.bin`);
    keys.forEach((k, i) => sizes.set(k, 64 * KiB + ((i * 379 * KiB) % (4 * MiB)) + (i % 3) * 1111));
    for (const k of keys) {
      current.set(k, 1);
      await c.s3.client.putObject(c.bucket, k, content(k, 1, sizes.get(k)!), sizes.get(k)!);
    }
    await c.apply(faultManifests(c.bucket, c.s3, { replicas: 2, blockSize: '1Mi', fuseArgs: ['-oro', '-oattr_timeout=5', '-oentry_timeout=5', '-onegative_timeout=5', ...(process.env['SOAK_FUSE_ARGS'] ?? '').split(' ').filter(Boolean)] }));
    await c.refresh();
    await c.startWorker({ id: 'w1' });
    await c.startWorker({ id: 'w2' });
    await c.apply(`apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata: {name: refresh}
spec:
  dataset: {name: models, namespace: default}
  policy: Cron
  schedule: "*/${CHANGE_EVERY_S} * * * * *"
  target: [{path: /, replicas: 1}]
`);
    const mnt = join(c.root, 'mnt');
    const mount = await c.mount(mnt);
    const procs = { master: () => c.master.child.pid, w1: () => c.workers.get('w1')!.proc.child.pid, w2: () => c.workers.get('w2')!.proc.child.pid, mount: () => mount.child.pid };
    const rss: Record<string, number[]> = { master: [], w1: [], w2: [], mount: [], soak: [] };
    log(`cluster up (master ${c.masterAddress}); ${OBJECTS} objects, ${READERS} readers, ${MINUTES} min, objects change every ${CHANGE_EVERY_S} s`);

    const endAt = Date.now() + MINUTES * 60_000;
    const running = (): boolean => !stop && Date.now() < endAt;
    let changes = 0;
    const changer = (async () => {
      // Half a period after each DataLoad tick, a quarter of the objects get a new version.
      await new Promise((r) => setTimeout(r, (CHANGE_EVERY_S * 1000) / 2));
      while (running()) {
        for (const k of keys) {
          if (Math.random() >= 0.25) continue;
          const v = current.get(k)! + 1;
          await c.s3.client.putObject(c.bucket, k, content(k, v, sizes.get(k)!), sizes.get(k)!);
          current.set(k, v);
          changedAt.set(k, Date.now());
          changes++;
        }
        const wake = Date.now() + CHANGE_EVERY_S * 1000;
        while (running() && Date.now() < wake) await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const dropper = (async () => {
      while (running()) {
        await new Promise((r) => setTimeout(r, 10_000));
        await dropPageCache();
      }
    })();
    const sampler = (async () => {
      while (running()) {
        for (const [name, pid] of Object.entries(procs)) rss[name]!.push(await rssOf(pid()));
        rss.soak!.push(process.memoryUsage().rss);
        const e = [...stats.errors.values()].reduce((a, b) => a + b, 0);
        log(`handles=${stats.handles} reads=${stats.reads} MiB=${(stats.bytes / MiB).toFixed(0)} errors=${e} mixed=${stats.mixed} corrupt=${stats.corrupt} changes=${changes} rss(MiB) ${Object.entries(rss).map(([n, a]) => `${n}=${((a.at(-1) ?? 0) / MiB).toFixed(0)}`).join(' ')}`);
        const wake = Date.now() + 30_000;
        while (running() && Date.now() < wake) await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const readers = [...Array(READERS).keys()].map(async (r) => {
      while (running()) {
        const key = keys[Math.floor(Math.random() * keys.length)]!;
        const openedAt = Date.now();
        try {
          if (r % 2 === 0) await sequentialRead(join(mnt, key), key);
          else await randomRead(join(mnt, key), key);
        } catch (err) {
          noteError(key, err, openedAt);
        }
      }
    });
    await Promise.all([...readers, changer, dropper, sampler]);

    const dl = await c.dataLoadStatus('refresh');
    const runs = dl?.runs ?? [];
    const errorsTotal = [...stats.errors.values()].reduce((a, b) => a + b, 0);
    const fmt = (a: number[]): string => {
      const mib = (n: number): string => (n / MiB).toFixed(0);
      const firstMin = a.slice(0, 2);
      const lastMin = a.slice(-2);
      return `start ${mib(Math.max(...firstMin))} MiB, max ${mib(Math.max(...a))} MiB, end ${mib(Math.max(...lastMin))} MiB`;
    };
    const summary = [
      `duration: ${MINUTES} min, ${READERS} readers (${READERS / 2} sequential, ${READERS / 2} random), ${OBJECTS} objects (${(keys.reduce((s, k) => s + sizes.get(k)!, 0) / MiB).toFixed(1)} MiB)`,
      `handles opened: ${stats.handles}; read calls: ${stats.reads}; bytes read: ${(stats.bytes / MiB).toFixed(0)} MiB (${(stats.bytes / MiB / (MINUTES * 60)).toFixed(1)} MiB/s)`,
      `object versions published: ${changes} (latest version up to ${Math.max(...current.values())})`,
      `read errors: ${errorsTotal}${errorsTotal ? ` (${[...stats.errors].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
      `mixed-version reads: ${stats.mixed}`,
      `corrupt or short reads: ${stats.corrupt}`,
      `handles that saw a version more than one behind: ${stats.staleHandles}`,
      `cron DataLoad runs (last ${runs.length} kept): ${runs.filter((r) => r.phase === 'Complete').length} Complete, ${runs.filter((r) => r.phase === 'Failed').length} Failed; ticks skipped: ${dl?.skippedTicks ?? 0}`,
      ...Object.entries(rss).map(([n, a]) => `RSS ${n}: ${fmt(a)}`),
      ...firstErrors.map((e) => `first errors: ${e}`),
      ...details.map((e) => `first mismatches: ${e}`),
    ];
    process.stdout.write(`\n=== soak result ===\n${summary.join('\n')}\n`);
    process.exitCode = errorsTotal === 0 && stats.mixed === 0 && stats.corrupt === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    await c.close();
  }
}

await main();
