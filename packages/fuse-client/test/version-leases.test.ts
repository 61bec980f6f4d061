// VersionLeases against a recording HoldVersions: the set sent on change, one call in flight,
// renewals at a third of the lease, retries after a failure, release at close.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@eddy/core';
import { waitFor } from '@eddy/testkit';
import { VersionLeases, type HoldVersionsCall, type LeasedFile } from '../src/version-leases.js';

const file = (path: string, version: string): LeasedFile => ({ path, version, size: 10, versionId: '', mtimeMs: 1 });

function recorder(leaseMs = 30_000): { calls: string[][]; hold: HoldVersionsCall; fail: { next: number }; gate: { wait?: Promise<void> } } {
  const calls: string[][] = [];
  const fail = { next: 0 };
  const gate: { wait?: Promise<void> } = {};
  const hold: HoldVersionsCall = async (req) => {
    calls.push(req.files.map((f) => `${f.path}@${f.version}`).sort());
    if (gate.wait) await gate.wait;
    if (fail.next > 0) {
      fail.next--;
      throw new Error('master unreachable');
    }
    return { leaseMs };
  };
  return { calls, hold, fail, gate };
}

function leases(hold: HoldVersionsCall, o: { initialRenewMs?: number; retryMs?: number; batchMs?: number } = {}): VersionLeases {
  return new VersionLeases({
    hold, dataset: 'models', clientId: 'mount-1', timeoutMs: 1000,
    initialRenewMs: o.initialRenewMs ?? 60_000, retryMs: o.retryMs ?? 20, batchMs: o.batchMs ?? 0, logger: silentLogger(),
  });
}

describe('VersionLeases', () => {
  test('the set goes to the master when it changes, not when another handle of a held version opens or closes', async () => {
    const r = recorder();
    const l = leases(r.hold);
    l.acquire(file('/a', 'v1'));
    l.acquire(file('/a', 'v1'));
    await l.settled();
    l.acquire(file('/b', 'v3'));
    await l.settled();
    l.release(file('/a', 'v1'));
    await l.settled();
    l.release(file('/a', 'v1'));
    await l.settled();
    assert.deepEqual(r.calls, [['/a@v1'], ['/a@v1', '/b@v3'], ['/b@v3']]);
    await l.close();
    assert.deepEqual(r.calls.at(-1), [], 'close releases everything');
    await l.close();
    assert.equal(r.calls.length, 4, 'close is idempotent');
  });

  test('changes made while a call is in flight go in one next call', async () => {
    const r = recorder();
    let open!: () => void;
    r.gate.wait = new Promise<void>((resolve) => { open = resolve; });
    const l = leases(r.hold);
    l.acquire(file('/a', 'v1'));
    l.acquire(file('/b', 'v1'));
    l.acquire(file('/c', 'v1'));
    r.gate.wait = undefined;
    open();
    await l.settled();
    assert.deepEqual(r.calls, [['/a@v1'], ['/a@v1', '/b@v1', '/c@v1']]);
    await l.close();
  });

  test('batched: a change after a quiet spell goes at once, later ones wait for one call; a file opened and closed meanwhile costs none', async () => {
    const r = recorder();
    const l = leases(r.hold, { batchMs: 200 });
    l.acquire(file('/a', 'v1'));
    assert.equal(r.calls.length, 1, 'the first change is sent at once');
    l.acquire(file('/b', 'v1'));
    l.acquire(file('/c', 'v1'));
    l.release(file('/c', 'v1'));
    assert.equal(r.calls.length, 1, 'the next changes wait for the window');
    await l.settled();
    assert.deepEqual(r.calls, [['/a@v1'], ['/a@v1', '/b@v1']], 'one call for the window, without /c');
    l.acquire(file('/d', 'v1'));
    l.release(file('/d', 'v1'));
    await l.settled();
    assert.equal(r.calls.length, 2, 'a set that came back to what the master has is not sent again');
    await l.close();
    assert.deepEqual(r.calls.at(-1), [], 'close releases everything');
  });

  test('renewed every third of the lease while something is held; a failed call is retried', async () => {
    const r = recorder(90);
    const l = leases(r.hold);
    r.fail.next = 1;
    l.acquire(file('/a', 'v1'));
    // The first call fails, the retry succeeds, then renewals follow every 30 ms.
    await waitFor(() => r.calls.length >= 4, { timeoutMs: 10_000, what: 'a retry and renewals' });
    assert.ok(r.calls.every((c) => c.length === 1));
    l.release(file('/a', 'v1'));
    await l.settled();
    const n = r.calls.length;
    await sleep(150);
    assert.equal(r.calls.length, n, 'nothing held and the master knows: no more calls');
    await l.close();
    assert.equal(r.calls.length, n, 'nothing to release at close');
  });
});
