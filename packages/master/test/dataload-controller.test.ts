// Unit tests of the DataLoad controller against an in-memory DataLoadContext: a fake UFS +
// namespace cache, workers with block stores, a placement map and a journal. Cron timing is
// real (seconds schedules); end-to-end runs with real processes live in test/.
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { blockCount, blockKey, NotFoundError, silentLogger, ValidationError } from '@eddy/core';
import { parseManifests, type DataLoadManifest } from '@eddy/manifest';
import { type proto } from '@eddy/protocol';
import { DataLoadController } from '../src/dataload/dataload-controller.js';
import type { DataLoadContext, DataLoadFile, DataLoadWorker, StaleBlock } from '../src/dataload/dataload-context.js';
import { dataLoadJournalKey, type DataLoadStatus } from '../src/dataload/dataload-status.js';

const DATASET = 'demo';
const RUNTIME = 'demo';
const BLOCK = 1024;

interface UfsObject { size: number; version: string }
interface BlockMeta { dataset: string; path: string; version: string }

/** In-memory master state implementing DataLoadContext. */
class FakeMaster implements DataLoadContext {
  /** What the object store holds now. */
  readonly ufs = new Map<string, UfsObject>();
  /** What the namespace cache holds (updated by refresh). */
  readonly namespace = new Map<string, UfsObject>();
  readonly workers = new Map<string, { live: boolean; blocks: Set<string> }>();
  readonly blockMeta = new Map<string, BlockMeta>();
  readonly journal = new Map<string, unknown>();
  /** Paths whose reads fail on the worker (an unreadable object). */
  readonly unreadable = new Set<string>();
  loadDelayMs = 0;
  loadCalls: Array<{ workerId: string; keys: string[]; paths: string[] }> = [];
  freeCalls: Array<{ workerId: string; keys: string[] }> = [];
  refreshes = 0;
  inFlight = 0;
  maxInFlight = 0;
  expired: string[] = [];
  controller: DataLoadController | undefined;

  constructor(workerIds: string[]) {
    for (const w of workerIds) this.workers.set(w, { live: true, blocks: new Set() });
  }

  putObject(path: string, size: number, version: string): void {
    this.ufs.set(path, { size, version });
  }

  /** Put into the UFS and the namespace cache at once (no loadMetadata needed). */
  putSynced(path: string, size: number, version: string): void {
    this.putObject(path, size, version);
    this.namespace.set(path, { size, version });
  }

  holdersOf(path: string, index: number): string[] {
    const o = this.namespace.get(path);
    assert.ok(o, `no ${path}`);
    return this.holders(blockKey(DATASET, path, o.version, index, BLOCK));
  }

  refresh(dataset: string): Promise<void> {
    assert.equal(dataset, DATASET);
    this.refreshes += 1;
    this.namespace.clear();
    for (const [p, o] of this.ufs) this.namespace.set(p, { ...o });
    return Promise.resolve();
  }

  listFiles(dataset: string, targetPath: string): Promise<DataLoadFile[]> {
    if (dataset !== DATASET) return Promise.reject(new NotFoundError(`dataset ${dataset} not found`));
    const exact = this.namespace.get(targetPath);
    if (exact) return Promise.resolve([{ path: targetPath, ...exact }]);
    const prefix = targetPath.endsWith('/') ? targetPath : `${targetPath}/`;
    const out = [...this.namespace].filter(([p]) => p.startsWith(prefix)).map(([path, o]) => ({ path, ...o }));
    if (out.length === 0 && targetPath !== '/') return Promise.reject(new NotFoundError(`${targetPath} not found`));
    return Promise.resolve(out);
  }

  blockSize(): number {
    return BLOCK;
  }

  runtimeOf(dataset: string): string {
    if (dataset !== DATASET) throw new NotFoundError(`no runtime for ${dataset}`);
    return RUNTIME;
  }

  liveWorkers(): DataLoadWorker[] {
    return [...this.workers].filter(([, w]) => w.live).map(([workerId]) => ({ workerId, grpcAddress: `127.0.0.1:1${workerId.length}` }));
  }

  holders(key: string): string[] {
    return [...this.workers].filter(([, w]) => w.live && w.blocks.has(key)).map(([id]) => id);
  }

  preferredWorkers(key: string, _runtime: string, n: number): string[] {
    const score = (w: string): string => createHash('sha256').update(`${key}/${w}`).digest('hex');
    return this.liveWorkers().map((w) => w.workerId).sort((a, b) => score(b).localeCompare(score(a))).slice(0, n);
  }

  async loadBlocks(workerId: string, refs: proto.BlockRef[], options: { signal: AbortSignal }): Promise<proto.BlockResult__Output[]> {
    const w = this.workers.get(workerId);
    assert.ok(w?.live, `load sent to dead worker ${workerId}`);
    this.loadCalls.push({ workerId, keys: refs.map((r) => r.key as string), paths: refs.map((r) => r.path as string) });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.loadDelayMs > 0) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, this.loadDelayMs);
          options.signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error('aborted')); }, { once: true });
        });
      }
      return refs.map((r) => {
        const key = r.key as string;
        const path = r.path as string;
        const current = this.ufs.get(path);
        if (this.unreadable.has(path)) return { key, ok: false, errorCode: 'ACCESS_DENIED', errorMessage: `read ${path}: access denied`, bytesFetched: 0 };
        if (!current || current.version !== r.version) return { key, ok: false, errorCode: 'VERSION_MISMATCH', errorMessage: `${path} changed`, bytesFetched: 0 };
        const index = r.index as number;
        const length = Math.min(BLOCK, current.size - index * BLOCK);
        const had = w.blocks.has(key);
        w.blocks.add(key);
        this.blockMeta.set(key, { dataset: r.dataset as string, path, version: r.version as string });
        return { key, ok: true, errorCode: '', errorMessage: '', bytesFetched: had ? 0 : length };
      });
    } finally {
      this.inFlight -= 1;
    }
  }

  freeBlocks(workerId: string, keys: string[]): Promise<number> {
    this.freeCalls.push({ workerId, keys });
    const w = this.workers.get(workerId);
    let n = 0;
    for (const k of keys) if (w?.blocks.delete(k)) n++;
    return Promise.resolve(n);
  }

  staleBlocks(dataset: string): StaleBlock[] {
    const out: StaleBlock[] = [];
    for (const [key, meta] of this.blockMeta) {
      if (meta.dataset !== dataset) continue;
      const cur = this.namespace.get(meta.path);
      if (cur?.version === meta.version) continue;
      const workerIds = this.holders(key);
      if (workerIds.length > 0) out.push({ key, workerIds });
    }
    return out;
  }

  journalGet(key: string): Promise<unknown> {
    return Promise.resolve(structuredClone(this.journal.get(key)));
  }

  journalPut(key: string, value: unknown): Promise<void> {
    this.journal.set(key, structuredClone(value));
    return Promise.resolve();
  }

  journalDelete(key: string): Promise<void> {
    this.journal.delete(key);
    return Promise.resolve();
  }

  async expire(name: string): Promise<void> {
    this.expired.push(name);
    await this.controller?.onDelete(name);
  }

  /** Keys of every block of the current namespace version of `path`. */
  currentKeys(path: string): string[] {
    const o = this.namespace.get(path);
    assert.ok(o);
    return Array.from({ length: blockCount(o.size, BLOCK) }, (_, i) => blockKey(DATASET, path, o.version, i, BLOCK));
  }

  allHeldKeys(): Set<string> {
    const s = new Set<string>();
    for (const w of this.workers.values()) for (const k of w.blocks) s.add(k);
    return s;
  }
}

function dataLoad(yamlSpec: string, name = 'cron-dataload'): DataLoadManifest {
  const text = `apiVersion: data.fluid.io/v1alpha1
kind: DataLoad
metadata:
  name: ${name}
spec:
  dataset:
    name: ${DATASET}
    namespace: default
${yamlSpec.split('\n').map((l) => `  ${l}`).join('\n')}
`;
  const [m] = parseManifests(text);
  assert.ok(m && m.kind === 'DataLoad');
  return m;
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function finishedRuns(s: DataLoadStatus | undefined): number {
  return s?.runs.filter((r) => r.end !== undefined).length ?? 0;
}

const controllers: DataLoadController[] = [];
function newController(master: FakeMaster, options?: ConstructorParameters<typeof DataLoadController>[2]): DataLoadController {
  const c = new DataLoadController(master, silentLogger(), options);
  master.controller = c;
  controllers.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.close()));
});

describe('DataLoadController', () => {
  test('cron on a seconds schedule: runs happen, times advance, delta loads, changed file only, stale blocks freed', async () => {
    const m = new FakeMaster(['w1', 'w2']);
    m.putObject('/RELEASENOTES.md', 5 * BLOCK + 100, 'v1');
    m.putObject('/dir/a.bin', 3 * BLOCK, 'a1');
    m.putObject('/empty', 0, 'e1');
    const c = newController(m);
    c.start();
    await c.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"\nloadMetadata: true'));
    assert.equal(c.statusOf('cron-dataload')?.phase, 'Pending');

    const first = await until('first run', () => { const s = c.statusOf('cron-dataload'); return finishedRuns(s) >= 1 && s; });
    assert.equal(first.phase, 'Complete', JSON.stringify(first.conditions));
    assert.equal(first.progress.filesTotal, 3);
    assert.equal(first.progress.filesDone, 3);
    assert.equal(first.progress.bytesTotal, 8 * BLOCK + 100);
    assert.equal(first.progress.bytesDone, 8 * BLOCK + 100);
    assert.equal(first.progress.bytesFetched, 8 * BLOCK + 100);
    assert.equal(first.conditions[0]?.type, 'Complete');
    assert.equal(first.conditions[0]?.status, 'True');
    assert.ok(first.lastScheduleTime && first.lastSuccessfulTime);
    assert.match(first.duration, /^\d+s$/);
    assert.ok(m.refreshes >= 1, 'loadMetadata refreshes first');
    for (const p of ['/RELEASENOTES.md', '/dir/a.bin']) for (const k of m.currentKeys(p)) assert.equal(m.holders(k).length, 1);
    // Persisted on the way.
    const persisted = m.journal.get(dataLoadJournalKey('cron-dataload')) as DataLoadStatus;
    assert.ok(['Complete', 'Executing'].includes(persisted.phase));

    // Second run: nothing changed, nothing fetched, no LoadBlocks at all.
    const callsAfterFirst = m.loadCalls.length;
    const second = await until('second run', () => { const s = c.statusOf('cron-dataload'); return finishedRuns(s) >= 2 && s; });
    assert.equal(second.phase, 'Complete');
    assert.equal(second.progress.bytesFetched, 0);
    assert.equal(second.progress.bytesDone, 8 * BLOCK + 100);
    assert.equal(m.loadCalls.length, callsAfterFirst);
    assert.ok(Date.parse(second.lastScheduleTime ?? '') > Date.parse(first.lastScheduleTime ?? ''), 'lastScheduleTime advances');
    assert.ok(Date.parse(second.lastSuccessfulTime ?? '') > Date.parse(first.lastSuccessfulTime ?? ''), 'lastSuccessfulTime advances');

    // The seed's change: a line appended to the object → new version, one more block.
    const oldKeys = m.currentKeys('/RELEASENOTES.md');
    m.putObject('/RELEASENOTES.md', 6 * BLOCK + 20, 'v2');
    const callsBefore = m.loadCalls.length;
    const runsBefore = finishedRuns(c.statusOf('cron-dataload'));
    const third = await until('run after the change', () => {
      const s = c.statusOf('cron-dataload');
      return s !== undefined && finishedRuns(s) > runsBefore && m.namespace.get('/RELEASENOTES.md')?.version === 'v2' && s.runs.at(-1)?.bytes !== 0 && s;
    });
    assert.equal(third.phase, 'Complete');
    assert.equal(third.progress.bytesFetched, 6 * BLOCK + 20, 'only the changed file is fetched');
    const newCalls = m.loadCalls.slice(callsBefore);
    assert.ok(newCalls.length > 0);
    assert.deepEqual(new Set(newCalls.flatMap((x) => x.paths)), new Set(['/RELEASENOTES.md']));
    // Old version freed: nothing counts an old copy.
    const held = m.allHeldKeys();
    for (const k of oldKeys) assert.ok(!held.has(k), 'old-version block freed');
    assert.ok(m.freeCalls.length > 0);
    const expected = new Set([...m.currentKeys('/RELEASENOTES.md'), ...m.currentKeys('/dir/a.bin')]);
    assert.deepEqual(held, expected);
    assert.ok(third.runs.length >= 3 && third.runs.length <= 10);
  });

  test('a `%` schedule is accepted and runs; a bad schedule is a ValidationError', async () => {
    const m = new FakeMaster(['w1']);
    m.putSynced('/f', 2 * BLOCK, 'v1');
    const c = newController(m);
    c.start();
    // Written as the seed writes it, straight to the controller (not through the parser).
    const dl = dataLoad('policy: Cron\nschedule: "* * * * *"', 'pct');
    dl.spec.schedule = '*%1 * * * * *';
    await c.onApply(dl);
    const s = await until('a run', () => { const st = c.statusOf('pct'); return finishedRuns(st) >= 1 && st; });
    assert.equal(s.phase, 'Complete');
    const bad = dataLoad('policy: Cron\nschedule: "* * * * *"', 'bad');
    bad.spec.schedule = '61 * * * *';
    await assert.rejects(c.onApply(bad), ValidationError);
    assert.equal(c.statusOf('bad'), undefined);
  });

  test('a tick during a run is skipped and recorded; runs never overlap', async () => {
    const m = new FakeMaster(['w1']);
    m.putSynced('/big', BLOCK, 'v1');
    m.loadDelayMs = 2300;
    const c = newController(m, { progressPersistMs: 300 });
    c.start();
    await c.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'slow'));
    // Persisted periodically while the one slow batch is in flight.
    await until('a persisted mid-run status', () => {
      const p = m.journal.get(dataLoadJournalKey('slow')) as DataLoadStatus | undefined;
      return p?.phase === 'Executing' && p.durationMs >= 1000;
    });
    const s = await until('a finished slow run', () => { const st = c.statusOf('slow'); return finishedRuns(st) >= 1 && st; }, 15_000);
    assert.ok(s.skippedTicks >= 1, `skippedTicks ${s.skippedTicks}`);
    const run = s.runs.find((r) => r.end !== undefined);
    assert.ok(run && run.skippedTicks >= 1, 'the run records the ticks it caused to skip');
    assert.equal(m.maxInFlight, 1, 'no two runs loaded at once');
    assert.equal((m.journal.get(dataLoadJournalKey('slow')) as DataLoadStatus).skippedTicks >= 1, true);
  });

  test('replicas above the live workers: loads what is possible, ends Failed with the reason', async () => {
    const m = new FakeMaster(['w1', 'w2', 'w3']);
    const w3 = m.workers.get('w3');
    assert.ok(w3);
    w3.live = false;
    m.putSynced('/models/a.bin', 4 * BLOCK, 'a1');
    m.putSynced('/models/b.bin', BLOCK / 2, 'b1');
    const c = newController(m);
    c.start();
    await c.onApply(dataLoad('policy: Once\ntarget:\n  - path: /models\n    replicas: 3', 'once'));
    const s = await until('end', () => { const st = c.statusOf('once'); return finishedRuns(st) >= 1 && st; });
    assert.equal(s.phase, 'Failed');
    assert.equal(s.conditions[0]?.type, 'Failed');
    assert.equal(s.conditions[0]?.reason, 'NotEnoughWorkers');
    assert.match(s.conditions[0]?.message ?? '', /3 replicas wanted but runtime demo has 2 live worker/);
    for (const p of ['/models/a.bin', '/models/b.bin']) {
      for (let i = 0; i < blockCount(m.namespace.get(p)?.size ?? 0, BLOCK); i++) assert.deepEqual(m.holdersOf(p, i).sort(), ['w1', 'w2']);
    }
    assert.equal(w3.blocks.size, 0);
  });

  test('two targets with replicas 2 on two workers put every block on both; Once runs once', async () => {
    const m = new FakeMaster(['w1', 'w2']);
    m.putSynced('/p1/x', 3 * BLOCK + 1, 'x1');
    m.putSynced('/p2/y', 2 * BLOCK, 'y1');
    m.putSynced('/other', BLOCK, 'o1');
    const c = newController(m, { loadConcurrency: 2, perWorkerConcurrency: 1, batchBlocks: 1 });
    c.start();
    await c.onApply(dataLoad('policy: Once\ntarget:\n  - path: /p1\n    replicas: 1\n  - path: /p2/y\n    replicas: 2\n  - path: /p1/x\n    replicas: 2', 'two'));
    const s = await until('end', () => { const st = c.statusOf('two'); return finishedRuns(st) >= 1 && st; });
    assert.equal(s.phase, 'Complete', JSON.stringify(s.conditions));
    for (const p of ['/p1/x', '/p2/y']) for (const k of m.currentKeys(p)) assert.deepEqual(m.holders(k).sort(), ['w1', 'w2']);
    assert.deepEqual(m.currentKeys('/other').map((k) => m.holders(k).length), [0], 'outside the targets');
    assert.ok(m.maxInFlight <= 2, `maxInFlight ${m.maxInFlight}`);
    assert.equal(s.progress.filesTotal, 2);
    assert.equal(s.progress.bytesFetched, 2 * (3 * BLOCK + 1) + 2 * 2 * BLOCK);
    // Re-applying the same spec does not run it again.
    const calls = m.loadCalls.length;
    await c.onApply(dataLoad('policy: Once\ntarget:\n  - path: /p1\n    replicas: 1\n  - path: /p2/y\n    replicas: 2\n  - path: /p1/x\n    replicas: 2', 'two'));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(m.loadCalls.length, calls);
    assert.equal(c.statusOf('two')?.runs.length, 1);
  });

  test('one unreadable object fails alone, is named, the run is Failed; the next tick retries and completes', async () => {
    const m = new FakeMaster(['w1', 'w2']);
    m.putSynced('/ok1', 2 * BLOCK, 'a');
    m.putSynced('/bad', 2 * BLOCK, 'b');
    m.putSynced('/ok2', BLOCK, 'c');
    m.unreadable.add('/bad');
    const c = newController(m);
    c.start();
    await c.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'flaky'));
    const failed = await until('failed run', () => { const st = c.statusOf('flaky'); return finishedRuns(st) >= 1 && st; });
    assert.equal(failed.phase, 'Failed');
    assert.equal(failed.conditions[0]?.reason, 'ObjectsFailed');
    assert.deepEqual(failed.failedFiles.map((f) => f.path), ['/bad']);
    assert.match(failed.failedFiles.find((f) => f.path === '/bad')?.message ?? '', /access denied/);
    assert.match(failed.conditions[0]?.message ?? '', /\/bad/);
    assert.equal(failed.progress.filesDone, 2);
    for (const p of ['/ok1', '/ok2']) for (const k of m.currentKeys(p)) assert.equal(m.holders(k).length, 1);
    assert.equal(failed.lastSuccessfulTime, undefined);

    // The object becomes readable: the next tick retries it, with the same spec.
    m.unreadable.clear();
    const ok = await until('complete run', () => { const st = c.statusOf('flaky'); return st?.phase === 'Complete' && st; });
    assert.deepEqual(ok.failedFiles, []);
    assert.ok(ok.lastSuccessfulTime);
    for (const k of m.currentKeys('/bad')) assert.equal(m.holders(k).length, 1);
    assert.equal(ok.conditions[0]?.type, 'Complete');
    assert.ok(ok.runs.some((r) => r.phase === 'Failed') && ok.runs.at(-1)?.phase === 'Complete');
  });

  test('a master restart during a run: Executing is marked Failed; Once reruns, Cron runs at its next tick', async () => {
    const m = new FakeMaster(['w1']);
    m.putSynced('/f', 3 * BLOCK, 'v1');
    m.loadDelayMs = 60_000;
    const first = newController(m);
    first.start();
    await first.onApply(dataLoad('policy: Once', 'once'));
    await first.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'cron'));
    await until('both executing and persisted', () => {
      const a = m.journal.get(dataLoadJournalKey('once')) as DataLoadStatus | undefined;
      const b = m.journal.get(dataLoadJournalKey('cron')) as DataLoadStatus | undefined;
      return a?.phase === 'Executing' && b?.phase === 'Executing';
    });
    await first.close();
    await first.close(); // idempotent
    assert.equal((m.journal.get(dataLoadJournalKey('once')) as DataLoadStatus).phase, 'Executing', 'left as the crash would leave it');

    // "Restart": a new controller over the same journal.
    m.loadDelayMs = 0;
    const second = newController(m);
    await second.onApply(dataLoad('policy: Once', 'once'));
    await second.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'cron'));
    for (const name of ['once', 'cron']) {
      const s = second.statusOf(name);
      assert.equal(s?.phase, 'Failed');
      assert.equal(s.conditions[0]?.reason, 'MasterRestarted');
      assert.match(s.conditions[0]?.message ?? '', /master restarted during run/);
      assert.equal(s.runs.at(-1)?.phase, 'Failed');
      assert.equal((m.journal.get(dataLoadJournalKey(name)) as DataLoadStatus).phase, 'Failed');
    }
    second.start();
    for (const name of ['once', 'cron']) {
      const s = await until(`${name} completes after restart`, () => { const st = second.statusOf(name); return st?.phase === 'Complete' && st; });
      assert.equal(s.runs.at(-2)?.phase, 'Failed');
      assert.equal(s.runs.at(-1)?.phase, 'Complete');
    }
  });

  test('ttlSecondsAfterFinished deletes a finished Once load; onDelete drops the status', async () => {
    const m = new FakeMaster(['w1']);
    m.putSynced('/f', BLOCK, 'v1');
    const c = newController(m);
    c.start();
    await c.onApply(dataLoad('policy: Once\nttlSecondsAfterFinished: 1', 'short'));
    await c.onApply(dataLoad('policy: Once', 'kept'));
    await until('short complete', () => c.statusOf('short')?.phase === 'Complete');
    const finishedAt = Date.now();
    await until('expired', () => m.expired.includes('short') && c.statusOf('short') === undefined, 5000);
    assert.ok(Date.now() - finishedAt >= 800, 'not before the ttl');
    assert.equal(m.journal.has(dataLoadJournalKey('short')), false);
    await until('kept complete', () => c.statusOf('kept')?.phase === 'Complete');
    assert.ok(!m.expired.includes('kept'));
    await c.onDelete('kept');
    assert.equal(c.statusOf('kept'), undefined);
    assert.equal(m.journal.has(dataLoadJournalKey('kept')), false);
    assert.deepEqual(c.names(), []);
  });

  test('a target path that is neither file nor directory is named and fails the run; the rest loads', async () => {
    const m = new FakeMaster(['w1']);
    m.putSynced('/a/x', BLOCK, 'v1');
    const c = newController(m);
    c.start();
    await c.onApply(dataLoad('policy: Once\ntarget:\n  - path: /a\n  - path: /missing', 'missing'));
    const s = await until('end', () => { const st = c.statusOf('missing'); return finishedRuns(st) >= 1 && st; });
    assert.equal(s.phase, 'Failed');
    assert.deepEqual(s.failedFiles, [{ path: '/missing', message: 'not found in dataset demo' }]);
    assert.match(s.conditions[0]?.message ?? '', /\/missing \(not found/);
    assert.deepEqual(m.currentKeys('/a/x').map((k) => m.holders(k)), [['w1']]);
    assert.equal(s.progress.filesDone, 1);
  });

  test('no live workers: Failed with a clear reason, nothing loaded', async () => {
    const m = new FakeMaster(['w1']);
    const w1 = m.workers.get('w1');
    assert.ok(w1);
    w1.live = false;
    m.putSynced('/f', BLOCK, 'v1');
    const c = newController(m);
    c.start();
    await c.onApply(dataLoad('policy: Once', 'none'));
    const s = await until('end', () => { const st = c.statusOf('none'); return finishedRuns(st) >= 1 && st; });
    assert.equal(s.phase, 'Failed');
    assert.equal(s.conditions[0]?.reason, 'NotEnoughWorkers');
    assert.match(s.conditions[0]?.message ?? '', /no live workers/);
    assert.equal(m.loadCalls.length, 0);
  });
});
