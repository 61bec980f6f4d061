// The eddy:// fallback: a call the upstream fails with "unreachable" is answered by the bucket
// and the mount stays there; its refusals pass through; a probe every interval takes the
// upstream back. The upstream is an interface-typed fake, the fallback a real file:// mount.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NotFoundError, UnreachableError } from '@eddy/core';
import { FileUfs } from '../src/file-ufs.js';
import { FailoverUfs, type ProbedUfs } from '../src/eddy/failover-ufs.js';
import type { UfsListEntry, UfsObjectInfo, UfsSourceKind } from '../src/under-file-system.js';
import { readAll } from './ufs-conformance.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-failover-'));
writeFileSync(join(root, 'a.bin'), 'bucket bytes');
after(() => rmSync(root, { recursive: true, force: true }));

class FakeUpstream implements ProbedUfs {
  readonly description = 'eddy://upstream:7070/models/';
  readonly probeIntervalMs = 1000;
  down = false;
  calls = 0;
  probes = 0;
  #check(): void {
    this.calls++;
    if (this.down) throw new UnreachableError('upstream: ECONNREFUSED');
  }

  async stat(path: string): Promise<UfsObjectInfo> {
    this.#check();
    if (path !== 'a.bin') throw new NotFoundError(`${path} not found upstream`);
    return { path, size: 14, version: 'v-upstream', mtimeMs: 1 };
  }

  async *list(): AsyncIterable<UfsListEntry> {
    this.#check();
    yield { path: 'a.bin', size: 14, version: 'v-upstream', mtimeMs: 1 };
  }

  async read(): Promise<Readable> {
    this.#check();
    return Readable.from([Buffer.from('upstream bytes')]);
  }

  async probe(): Promise<void> {
    this.probes++;
    if (this.down) throw new UnreachableError('upstream: ECONNREFUSED');
  }

  async close(): Promise<void> { /* nothing held */ }
}

test('switches to the bucket when the upstream does not answer, passes refusals through, and switches back after a probe', async () => {
  const upstream = new FakeUpstream();
  let clock = 0;
  const switches: UfsSourceKind[] = [];
  const ufs = new FailoverUfs(upstream, FileUfs.fromUrl(`file://${root}`), { now: () => clock, onSwitch: (s) => switches.push(s) });
  try {
    assert.equal((await readAll(await ufs.read('a.bin'))).toString(), 'upstream bytes');
    await assert.rejects(ufs.stat('other.bin'), NotFoundError, 'a refusal is an answer: no switch');
    assert.equal(ufs.source, 'upstream');

    upstream.down = true;
    assert.equal((await readAll(await ufs.read('a.bin'))).toString(), 'bucket bytes', 'the same call is answered by the fallback');
    assert.equal(ufs.source, 'fallback');
    assert.deepEqual(switches, ['fallback']);
    const calls = upstream.calls;
    assert.equal((await ufs.stat('a.bin')).size, 12);
    assert.deepEqual([], [...(await collect(ufs.list('nothing')))]);
    assert.equal(upstream.calls, calls, 'while failed over, calls do not wait on the upstream');
    assert.equal(upstream.probes, 0, 'no probe before the interval');

    clock += 1000;
    await ufs.stat('a.bin');
    await new Promise((r) => setImmediate(r));
    assert.equal(upstream.probes, 1, 'probed once the interval passed');
    assert.equal(ufs.source, 'fallback', 'still down');

    upstream.down = false;
    clock += 1000;
    await ufs.stat('a.bin');
    await new Promise((r) => setImmediate(r));
    assert.equal(ufs.source, 'upstream', 'a probe that is answered switches back');
    assert.deepEqual(switches, ['fallback', 'upstream']);
    assert.equal((await readAll(await ufs.read('a.bin'))).toString(), 'upstream bytes');
  } finally {
    await ufs.close();
  }
});

test('a listing the upstream cannot start comes from the fallback', async () => {
  const upstream = new FakeUpstream();
  upstream.down = true;
  const ufs = new FailoverUfs(upstream, FileUfs.fromUrl(`file://${root}`));
  try {
    const listed = await collect(ufs.list(''));
    assert.deepEqual(listed.map((e) => [e.path, e.size]), [['a.bin', 12]]);
    assert.equal(ufs.source, 'fallback');
  } finally {
    await ufs.close();
  }
});

async function collect(it: AsyncIterable<UfsListEntry>): Promise<UfsListEntry[]> {
  const out: UfsListEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}
