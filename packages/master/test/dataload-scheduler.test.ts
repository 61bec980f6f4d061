// The DataLoad scheduler over an in-memory context: when runs happen and what the status says.
// Once loads need no timers; Cron uses real seconds schedules and ttl a real 1 s timer, only
// where that is what is tested. What a run loads is dataload-executor.test's business.
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError, silentLogger } from '@eddy/core';
import { DataLoadScheduler, type DataLoadSchedulerOptions } from '../src/dataload/dataload-scheduler.js';
import { dataLoadJournalKey, type DataLoadStatus } from '../src/dataload/dataload-status.js';
import { BLOCK, dataLoad, FakeCluster } from './fake-dataload-context.js';

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

function saved(m: FakeCluster, name: string): DataLoadStatus | undefined {
  return m.saved.get(dataLoadJournalKey(name)) as DataLoadStatus | undefined;
}

/** Resolves the gate the fake's LoadBlocks calls wait on. */
function holdLoads(m: FakeCluster): () => void {
  let release = (): void => undefined;
  m.loadGate = new Promise<void>((r) => { release = r; });
  return release;
}

const schedulers: DataLoadScheduler[] = [];
function newScheduler(m: FakeCluster, options?: DataLoadSchedulerOptions): DataLoadScheduler {
  const s = new DataLoadScheduler(m, silentLogger(), options);
  m.onExpire = (name) => s.onDelete(name);
  schedulers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.close()));
});

describe('DataLoadScheduler', () => {
  test('Once runs at start and only once; the same spec again changes nothing, a changed one runs again', async () => {
    const m = new FakeCluster(['w1']);
    m.putSynced('/f', 2 * BLOCK, 'v1');
    const s = newScheduler(m);
    await s.onApply(dataLoad('policy: Once', 'once'));
    assert.equal(s.statusOf('once')?.phase, 'Pending', 'nothing runs before start()');
    s.start();
    const done = await until('complete', () => { const st = s.statusOf('once'); return st?.phase === 'Complete' && st; });
    assert.equal(done.conditions[0]?.reason, 'DataLoadComplete');
    assert.ok(done.lastScheduleTime && done.lastSuccessfulTime);
    assert.equal(saved(m, 'once')?.phase, 'Complete');
    await s.onApply(dataLoad('policy: Once', 'once'));
    assert.equal(s.statusOf('once')?.runs.length, 1);
    await s.onApply(dataLoad('policy: Once\nloadMetadata: true', 'once'));
    await until('a second run', () => finishedRuns(s.statusOf('once')) === 2);
    assert.deepEqual(s.names(), ['once']);
  });

  test('Cron on a seconds schedule: runs happen and the times advance; a no-change run sends nothing', async () => {
    const m = new FakeCluster(['w1', 'w2']);
    m.putObject('/notes.md', 5 * BLOCK + 100, 'v1');
    const s = newScheduler(m);
    s.start();
    await s.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"\nloadMetadata: true', 'cron'));
    assert.equal(s.statusOf('cron')?.phase, 'Pending');
    const first = await until('first run', () => { const st = s.statusOf('cron'); return finishedRuns(st) >= 1 && st; });
    assert.equal(first.phase, 'Complete', JSON.stringify(first.conditions));
    assert.match(first.duration, /^\d+s$/);
    const calls = m.loadCalls.length;
    const second = await until('second run', () => { const st = s.statusOf('cron'); return finishedRuns(st) >= 2 && st; });
    assert.equal(second.progress.bytesFetched, 0);
    assert.equal(m.loadCalls.length, calls);
    assert.ok(Date.parse(second.lastScheduleTime ?? '') > Date.parse(first.lastScheduleTime ?? ''), 'lastScheduleTime advances');
    assert.ok(Date.parse(second.lastSuccessfulTime ?? '') > Date.parse(first.lastSuccessfulTime ?? ''), 'lastSuccessfulTime advances');
  });

  test('a `%` schedule is accepted and runs; a bad schedule is a ValidationError', async () => {
    const m = new FakeCluster(['w1']);
    m.putSynced('/f', 2 * BLOCK, 'v1');
    const s = newScheduler(m);
    s.start();
    // Written as the seed writes it, straight to the scheduler (not through the parser).
    const dl = dataLoad('policy: Cron\nschedule: "* * * * *"', 'pct');
    dl.spec.schedule = '*%1 * * * * *';
    await s.onApply(dl);
    const st = await until('a run', () => { const x = s.statusOf('pct'); return finishedRuns(x) >= 1 && x; });
    assert.equal(st.phase, 'Complete');
    const bad = dataLoad('policy: Cron\nschedule: "* * * * *"', 'bad');
    bad.spec.schedule = '61 * * * *';
    await assert.rejects(s.onApply(bad), ValidationError);
    assert.equal(s.statusOf('bad'), undefined);
  });

  test('a tick during a run is skipped and recorded; runs never overlap; a long run is persisted as it goes', async () => {
    const m = new FakeCluster(['w1']);
    m.putSynced('/big', BLOCK, 'v1');
    const release = holdLoads(m);
    const s = newScheduler(m, { progressPersistMs: 300 });
    s.start();
    await s.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'slow'));
    await until('a persisted mid-run status', () => saved(m, 'slow')?.phase === 'Executing' && (saved(m, 'slow')?.durationMs ?? 0) >= 300);
    await until('a skipped tick', () => (s.statusOf('slow')?.skippedTicks ?? 0) >= 1);
    release();
    const st = await until('a finished run', () => { const x = s.statusOf('slow'); return finishedRuns(x) >= 1 && x; });
    const run = st.runs.find((r) => r.end !== undefined);
    assert.ok(run && run.skippedTicks >= 1, 'the run records the ticks it caused to skip');
    assert.equal(m.maxInFlight, 1, 'no two runs loaded at once');
    assert.ok((saved(m, 'slow')?.skippedTicks ?? 0) >= 1);
  });

  test('a failed run is retried by the next tick, which completes', async () => {
    const m = new FakeCluster(['w1', 'w2']);
    m.putSynced('/ok', 2 * BLOCK, 'a');
    m.putSynced('/bad', 2 * BLOCK, 'b');
    m.unreadable.add('/bad');
    const s = newScheduler(m);
    s.start();
    await s.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'flaky'));
    const failed = await until('failed run', () => { const st = s.statusOf('flaky'); return finishedRuns(st) >= 1 && st; });
    assert.equal(failed.phase, 'Failed');
    assert.equal(failed.conditions[0]?.reason, 'ObjectsFailed');
    assert.equal(failed.lastSuccessfulTime, undefined);
    m.unreadable.clear();
    const ok = await until('complete run', () => { const st = s.statusOf('flaky'); return st?.phase === 'Complete' && st; });
    assert.deepEqual(ok.failedFiles, []);
    assert.equal(ok.conditions[0]?.type, 'Complete');
    assert.ok(ok.runs.some((r) => r.phase === 'Failed') && ok.runs.at(-1)?.phase === 'Complete');
  });

  test('a master restart during a run: Executing is marked Failed; Once reruns, Cron runs at its next tick', async () => {
    const m = new FakeCluster(['w1']);
    m.putSynced('/f', 3 * BLOCK, 'v1');
    holdLoads(m);
    const first = newScheduler(m);
    first.start();
    await first.onApply(dataLoad('policy: Once', 'once'));
    await first.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'cron'));
    await until('both executing and persisted', () => saved(m, 'once')?.phase === 'Executing' && saved(m, 'cron')?.phase === 'Executing');
    await first.close();
    await first.close(); // idempotent
    assert.equal(saved(m, 'once')?.phase, 'Executing', 'left as the crash would leave it');

    // "Restart": a new scheduler over the same journal.
    m.loadGate = Promise.resolve();
    const second = newScheduler(m);
    await second.onApply(dataLoad('policy: Once', 'once'));
    await second.onApply(dataLoad('policy: Cron\nschedule: "*/1 * * * * *"', 'cron'));
    for (const name of ['once', 'cron']) {
      const st = second.statusOf(name);
      assert.equal(st?.phase, 'Failed');
      assert.equal(st.conditions[0]?.reason, 'MasterRestarted');
      assert.match(st.conditions[0]?.message ?? '', /master restarted during run/);
      assert.equal(st.runs.at(-1)?.phase, 'Failed');
      assert.equal(saved(m, name)?.phase, 'Failed');
    }
    second.start();
    for (const name of ['once', 'cron']) {
      const st = await until(`${name} complete after restart`, () => {
        const x = second.statusOf(name);
        return x?.phase === 'Complete' && x;
      });
      assert.equal(st.runs.at(-2)?.phase, 'Failed');
      assert.equal(st.runs.at(-1)?.phase, 'Complete');
    }
  });

  test('ttlSecondsAfterFinished deletes a finished Once load; onDelete drops the status', async () => {
    const m = new FakeCluster(['w1']);
    m.putSynced('/f', BLOCK, 'v1');
    const s = newScheduler(m);
    s.start();
    await s.onApply(dataLoad('policy: Once\nttlSecondsAfterFinished: 1', 'short'));
    await s.onApply(dataLoad('policy: Once', 'kept'));
    await until('short complete', () => s.statusOf('short')?.phase === 'Complete');
    await until('expired', () => m.expired.includes('short') && s.statusOf('short') === undefined, 5000);
    assert.equal(m.saved.has(dataLoadJournalKey('short')), false);
    await until('kept complete', () => s.statusOf('kept')?.phase === 'Complete');
    assert.ok(!m.expired.includes('kept'));
    await s.onDelete('kept');
    assert.equal(s.statusOf('kept'), undefined);
    assert.equal(m.saved.has(dataLoadJournalKey('kept')), false);
    assert.deepEqual(s.names(), []);
  });

  test('deleting a DataLoad aborts its run and drops its status; a closed scheduler refuses applies', async () => {
    const m = new FakeCluster(['w1']);
    m.putSynced('/f', 2 * BLOCK, 'v1');
    holdLoads(m);
    const s = newScheduler(m);
    s.start();
    await s.onApply(dataLoad('policy: Once', 'gone'));
    await until('executing', () => m.loadCalls.length > 0);
    await s.onDelete('gone');
    assert.equal(s.statusOf('gone'), undefined);
    assert.equal(m.saved.has(dataLoadJournalKey('gone')), false);
    await s.close();
    await assert.rejects(s.onApply(dataLoad('policy: Once', 'late')), ValidationError);
  });
});
