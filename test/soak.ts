// Soak (not CI; run by scripts/soak.sh): 64 concurrent readers read through an `eddy mount` (the
// seed's fuse args: kernel_cache, 5 s timeouts) for N minutes while objects change in the bucket
// every 30 s and a Cron DataLoad (every 30 s) refreshes the cache. A quarter of the readers read
// sequentially, a quarter at random, and half hold their handle halfway through the file until
// the object changed, a DataLoad loaded the new version and another process read the whole file
// (issue 13's reproduction), then read on to EOF. Every 4 KiB block of an object starts with its
// version, and the rest of the block is derived from (key, version, block), so a reader detects a
// handle that mixed two versions and any corrupt byte. Prints read/error/mixed/corrupt counts, EIO
// split by whether the handle's version was fully cached when it opened, the tier usage and
// CACHED, and the RSS of every Eddy process over time; writes them as JSON when --out is given.
import { createHash } from 'node:crypto';
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EddyCluster, KiB, MiB, dropPageCache, faultManifests, readInChild } from '@eddy/test-cluster';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    readers: { type: 'string', default: '64' },
    objects: { type: 'string', default: '32' },
    'change-every': { type: 'string', default: '30' },
    out: { type: 'string' },
  },
});
const MINUTES = Number(values.minutes);
const READERS = Number(values.readers);
const OBJECTS = Number(values.objects);
const CHANGE_EVERY_S = Number(values['change-every']);
const BLOCK = 4 * KiB;
const HEADER = 12; // "V" + 10-digit version + "\n"
const ATTR_TIMEOUT_S = 5;

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
  /** Handles held across an overwrite, a DataLoad of the new version and another process's full read. */
  heldAcross: number;
  /** Those other processes' full reads: of one version each, or mixed / failed. */
  childReads: number;
  childMixed: number;
  childFailed: number;
}

const stats: Stats = {
  reads: 0, handles: 0, bytes: 0, errors: new Map(), mixed: 0, corrupt: 0, versionsSeenNewest: 0, staleHandles: 0,
  heldAcross: 0, childReads: 0, childMixed: 0, childFailed: 0,
};
const sizes = new Map<string, number>();
const current = new Map<string, number>();
/** When each version was published: `${key}@${version}` → ms. */
const publishedAt = new Map<string, number>();
/** Completed runs of the Cron DataLoad (start → end, ms), polled during the soak. */
const loadRuns = new Map<number, number>();
const firstErrors: string[] = [];

/** When `key@version` was fully cached: the end of the first complete DataLoad run that started after it was published. */
function cachedSince(key: string, version: number): number | undefined {
  const t = publishedAt.get(`${key}@${version}`);
  if (t === undefined) return undefined;
  let best: number | undefined;
  for (const [start, end] of loadRuns) if (start > t && (best === undefined || end < best)) best = end;
  return best;
}

const details: string[] = [];
function noteDetail(d: string): void {
  if (details.length < 20) details.push(`${new Date().toISOString().slice(11, 23)} ${d}`);
}

/**
 * Counts a failed handle. EIO is split by whether the handle's version (`version`, or the one
 * current when it opened if no header was read yet) was fully cached when it opened.
 */
function noteError(what: string, err: unknown, openedAt: number, version: number | undefined): void {
  let code = (err as NodeJS.ErrnoException).code ?? 'OTHER';
  if (code === 'EIO') {
    const since = cachedSince(what, version ?? currentAt(what, openedAt));
    code = since !== undefined && since <= openedAt ? 'EIO(cached at open)' : 'EIO(not cached at open)';
  }
  stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
  if (firstErrors.length < 10) firstErrors.push(`${what}: ${code} ${(err as Error).message}`);
}

/** The version of `key` that was current at `t`. */
function currentAt(key: string, t: number): number {
  let v = 1;
  while ((publishedAt.get(`${key}@${v + 1}`) ?? Infinity) <= t) v++;
  return v;
}

/** A failed read, with the version its handle had settled on (if it read a header yet). */
class ReadFailure extends Error {
  constructor(readonly failure: unknown, readonly version: number | undefined) {
    super((failure as Error).message);
  }
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
      const newest = current.get(key) ?? version;
      const other = [...Array(newest).keys()].map((d) => d + 1).filter((v) => v !== version)
        .some((v) => block(key, v, i, Math.min(BLOCK, size - bStart)).subarray(from - bStart, to - bStart).equals(got));
      if (other) stats.mixed++; else stats.corrupt++;
      noteDetail(`${other ? 'mixed(body)' : 'corrupt'} ${key} @${offset}+${buf.length} block ${i}: handle v${version}, current v${current.get(key)}`);
      return version;
    }
  }
  return version;
}

/** Reads `fh` sequentially from `pos` up to `end` (or EOF), checking every byte; the new position and the handle's version. */
async function readOn(
  fh: FileHandle, key: string, pos: number, end: number, version: number | undefined,
): Promise<{ pos: number; version: number | undefined }> {
  const buf = Buffer.alloc(256 * KiB);
  while (pos < end) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos));
    } catch (err) {
      throw new ReadFailure(err, version);
    }
    stats.reads++;
    if (bytesRead === 0) break;
    version = check(key, buf.subarray(0, bytesRead), pos, version);
    pos += bytesRead;
    stats.bytes += bytesRead;
  }
  return { pos, version };
}

function checkWhole(key: string, pos: number, version: number | undefined): void {
  if (pos !== sizes.get(key)) { stats.corrupt++; if (firstErrors.length < 10) firstErrors.push(`${key}: read ${pos} of ${sizes.get(key)} bytes`); }
  if (version !== undefined && version < (current.get(key) ?? 0) - 1) stats.staleHandles++;
}

async function sequentialRead(path: string, key: string): Promise<void> {
  const fh = await open(path, 'r');
  stats.handles++;
  try {
    const r = await readOn(fh, key, 0, Infinity, undefined);
    checkWhole(key, r.pos, r.version);
  } finally {
    await fh.close();
  }
}

async function randomRead(path: string, key: string): Promise<void> {
  const fh = await open(path, 'r');
  stats.handles++;
  let version: number | undefined;
  try {
    const size = sizes.get(key)!;
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
  } catch (err) {
    throw new ReadFailure(err, version);
  } finally {
    await fh.close();
  }
}

/**
 * Issue 13's reproduction: reads half the file, holds the handle until the object has a newer
 * version that a DataLoad loaded and the attribute timeout passed, has another process read the
 * whole file (it must be one version), then reads its own handle on to EOF (still its version).
 */
async function holdingRead(path: string, key: string, running: () => boolean): Promise<void> {
  const fh = await open(path, 'r');
  stats.handles++;
  const size = sizes.get(key)!;
  try {
    let r = await readOn(fh, key, 0, Math.floor(size / 2), undefined);
    const v0 = r.version ?? 0;
    const deadline = Date.now() + 4 * CHANGE_EVERY_S * 1000;
    let loadedAt: number | undefined;
    while (running() && Date.now() < deadline) {
      const newest = current.get(key) ?? 0;
      loadedAt = newest > v0 ? cachedSince(key, newest) : undefined;
      if (loadedAt !== undefined && Date.now() > loadedAt + (ATTR_TIMEOUT_S + 1) * 1000) break;
      loadedAt = undefined;
      await new Promise((res) => setTimeout(res, 500));
    }
    if (loadedAt !== undefined) {
      const child = await readInChild(path, { timeoutMs: 120_000 });
      stats.childReads++;
      if (!child.ok) {
        stats.childFailed++;
        if (firstErrors.length < 10) firstErrors.push(`${key}: full read by another process: ${child.error}`);
      } else {
        const newest = current.get(key) ?? v0;
        const whole = [...Array(newest).keys()].map((d) => d + 1)
          .some((v) => createHash('sha256').update(content(key, v, size)).digest('hex') === child.sha256);
        if (!whole) { stats.childMixed++; noteDetail(`full read of ${key} by another process matches no single version`); }
      }
      stats.heldAcross++;
    }
    r = await readOn(fh, key, r.pos, Infinity, r.version);
    checkWhole(key, r.pos, r.version);
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

interface TierSample {
  /** Seconds since the readers started. */
  atS: number;
  /** Used bytes of each worker's tiers, in MiB. */
  usedMiB: number[];
  cachedMiB: number;
  /** The machine's 1-minute load average (it is shared: other work shows here). */
  load1: number;
}

async function sampleTiers(c: EddyCluster, startedAt: number): Promise<TierSample> {
  const res = await c.rpc.listWorkers({ runtime: '' }, { timeoutMs: 5000 }).catch(() => ({ workers: [] }));
  const usedMiB = [...res.workers].sort((a, b) => (a.address?.workerId ?? '').localeCompare(b.address?.workerId ?? ''))
    .map((w) => Math.round(w.tiers.reduce((s, t) => s + Number(t.usedBytes), 0) / MiB * 10) / 10);
  const cached = Number((await c.datasetStatus('models').catch(() => undefined))?.cachedBytes ?? 0);
  const load1 = Math.round(loadavg()[0]! * 10) / 10;
  return { atS: Math.round((Date.now() - startedAt) / 1000), usedMiB, cachedMiB: Math.round(cached / MiB * 10) / 10, load1 };
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
      publishedAt.set(`${k}@1`, Date.now());
      await c.s3.client.putObject(c.bucket, k, content(k, 1, sizes.get(k)!), sizes.get(k)!);
    }
    const timeouts = ['attr', 'entry', 'negative'].map((t) => `-o${t}_timeout=${ATTR_TIMEOUT_S}`);
    const extraArgs = (process.env['SOAK_FUSE_ARGS'] ?? '').split(' ').filter(Boolean);
    await c.apply(faultManifests(c.bucket, c.s3, { replicas: 2, blockSize: '1Mi', fuseArgs: ['-okernel_cache', '-oro', ...timeouts, ...extraArgs] }));
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
          publishedAt.set(`${k}@${v}`, Date.now());
          await c.s3.client.putObject(c.bucket, k, content(k, v, sizes.get(k)!), sizes.get(k)!);
          current.set(k, v);
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
    // Completed runs of the Cron DataLoad: a version counts as fully cached from the end of the first run after it.
    const runPoller = (async () => {
      while (running()) {
        const dl = await c.dataLoadStatus('refresh').catch(() => undefined);
        for (const r of dl?.runs ?? []) if (r.phase === 'Complete' && Number(r.endMs) > 0) loadRuns.set(Number(r.startMs), Number(r.endMs));
        await new Promise((res) => setTimeout(res, 2000));
      }
    })();
    const tierUsage: TierSample[] = [];
    const sampler = (async () => {
      while (running()) {
        for (const [name, pid] of Object.entries(procs)) rss[name]!.push(await rssOf(pid()));
        rss.soak!.push(process.memoryUsage().rss);
        tierUsage.push(await sampleTiers(c, endAt - MINUTES * 60_000));
        const e = [...stats.errors.values()].reduce((a, b) => a + b, 0);
        const t = tierUsage.at(-1)!;
        log(`handles=${stats.handles} reads=${stats.reads} MiB=${(stats.bytes / MiB).toFixed(0)} errors=${e} mixed=${stats.mixed} corrupt=${stats.corrupt} `
          + `held=${stats.heldAcross} changes=${changes} tiers(MiB) ${t.usedMiB.join('/')} cached=${t.cachedMiB} load=${t.load1} `
          + `rss(MiB) ${Object.entries(rss).map(([n, a]) => `${n}=${((a.at(-1) ?? 0) / MiB).toFixed(0)}`).join(' ')}`);
        const wake = Date.now() + 30_000;
        while (running() && Date.now() < wake) await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const readers = [...Array(READERS).keys()].map(async (r) => {
      while (running()) {
        const key = keys[Math.floor(Math.random() * keys.length)]!;
        const openedAt = Date.now();
        try {
          if (r % 4 === 0) await sequentialRead(join(mnt, key), key);
          else if (r % 4 === 1) await randomRead(join(mnt, key), key);
          else await holdingRead(join(mnt, key), key, running);
        } catch (err) {
          if (err instanceof ReadFailure) noteError(key, err.failure, openedAt, err.version);
          else noteError(key, err, openedAt, undefined);
        }
      }
    });
    await Promise.all([...readers, changer, dropper, sampler, runPoller]);
    tierUsage.push(await sampleTiers(c, endAt - MINUTES * 60_000));

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
      `duration: ${MINUTES} min, ${READERS} readers (${READERS / 4} sequential, ${READERS / 4} random, ${READERS / 2} holding), `
        + `${OBJECTS} objects (${(keys.reduce((s, k) => s + sizes.get(k)!, 0) / MiB).toFixed(1)} MiB)`,
      `handles opened: ${stats.handles}; read calls: ${stats.reads}; bytes read: ${(stats.bytes / MiB).toFixed(0)} MiB (${(stats.bytes / MiB / (MINUTES * 60)).toFixed(1)} MiB/s)`,
      `object versions published: ${changes} (latest version up to ${Math.max(...current.values())})`,
      `read errors: ${errorsTotal}${errorsTotal ? ` (${[...stats.errors].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
      `mixed-version reads: ${stats.mixed}`,
      `corrupt or short reads: ${stats.corrupt}`,
      `handles that saw a version more than one behind: ${stats.staleHandles}`,
      `handles held across an overwrite, a DataLoad of the new version and another process's full read: ${stats.heldAcross}; `
        + `those full reads: ${stats.childReads} (${stats.childMixed} of no single version, ${stats.childFailed} failed)`,
      `tier usage (MiB, w1/w2), CACHED and load average over time: ${
        tierUsage.map((t) => `${t.atS}s ${t.usedMiB.join('/')} cached ${t.cachedMiB} load ${t.load1}`).join('; ')}`,
      `cron DataLoad runs (last ${runs.length} kept): ${runs.filter((r) => r.phase === 'Complete').length} Complete, ${runs.filter((r) => r.phase === 'Failed').length} Failed; ticks skipped: ${dl?.skippedTicks ?? 0}`,
      ...Object.entries(rss).map(([n, a]) => `RSS ${n}: ${fmt(a)}`),
      ...firstErrors.map((e) => `first errors: ${e}`),
      ...details.map((e) => `first mismatches: ${e}`),
    ];
    process.stdout.write(`\n=== soak result ===\n${summary.join('\n')}\n`);
    if (values.out) {
      const result = {
        minutes: MINUTES, readers: READERS, objects: OBJECTS, changeEverySeconds: CHANGE_EVERY_S, versionsPublished: changes,
        handles: stats.handles, reads: stats.reads, bytes: stats.bytes, errors: Object.fromEntries(stats.errors), mixed: stats.mixed,
        corrupt: stats.corrupt, staleHandles: stats.staleHandles, heldAcross: stats.heldAcross, childReads: stats.childReads,
        childMixed: stats.childMixed, childFailed: stats.childFailed,
        dataLoadRuns: { complete: runs.filter((r) => r.phase === 'Complete').length, failed: runs.filter((r) => r.phase === 'Failed').length },
        tierUsage, rssMiB: Object.fromEntries(Object.entries(rss).map(([n, a]) => [n, a.map((b) => Math.round(b / MiB))])),
        firstErrors, details,
      };
      await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
    }
    const badEio = stats.errors.get('EIO(cached at open)') ?? 0;
    process.exitCode = badEio === 0 && stats.mixed === 0 && stats.corrupt === 0 && stats.childMixed === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    await c.close();
  }
}

await main();
