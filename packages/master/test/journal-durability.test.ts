// The journal's exactness: memory follows the disk, never leads it; a failed fsync stops all
// writes; a batch is one record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@eddy/core';
import { Journal, JournalFailedError, JOURNAL_LOG_FILE, type JournalLogFile } from '../src/journal/journal.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-journal-'));
  try { await fn(join(dir, 'state')); } finally { await rm(dir, { recursive: true, force: true }); }
}

/** A real log file whose fsync fails while `failing` is set, and which says when a sync starts. */
class FlakySyncLog implements JournalLogFile {
  failing = false;
  onSync: () => void = () => undefined;
  readonly #inner: JournalLogFile;
  constructor(inner: JournalLogFile) { this.#inner = inner; }
  static async open(path: string): Promise<FlakySyncLog> { return new FlakySyncLog(await open(path, 'a', 0o600)); }
  async write(buf: Buffer): Promise<unknown> { return await this.#inner.write(buf); }
  async sync(): Promise<void> {
    this.onSync();
    if (this.failing) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    await this.#inner.sync();
  }
  async truncate(len: number): Promise<void> { await this.#inner.truncate(len); }
  async close(): Promise<void> { await this.#inner.close(); }
}

test('journal: memory changes only after the fsync; a put is invisible while its sync runs', () => withDir(async (dir) => {
  let log: FlakySyncLog | undefined;
  const j = await Journal.open({ dir, logger: silentLogger(), openLog: async (p) => (log = await FlakySyncLog.open(p)) });
  let seenDuringSync: unknown = 'not called';
  log!.onSync = () => { seenDuringSync = j.get('k'); };
  await j.put('k', 1);
  assert.equal(seenDuringSync, undefined);
  assert.equal(j.get('k'), 1);
  log!.onSync = () => { seenDuringSync = j.has('k'); };
  await j.delete('k');
  assert.equal(seenDuringSync, true);
  assert.equal(j.has('k'), false);
  await j.close();
}));

test('journal: an fsync failure is fatal: the change is not in memory and every later write is refused', () => withDir(async (dir) => {
  let log: FlakySyncLog | undefined;
  const fatal: Error[] = [];
  const j = await Journal.open({ dir, logger: silentLogger(), openLog: async (p) => (log = await FlakySyncLog.open(p)), onFatal: (e) => fatal.push(e) });
  await j.put('kept', 'yes');
  log!.failing = true;
  await assert.rejects(j.put('lost', 'no'), JournalFailedError);
  assert.equal(j.get('lost'), undefined);
  log!.failing = false; // a retried fsync may "succeed" for pages the kernel dropped: never trust it
  await assert.rejects(j.put('after', 1), JournalFailedError);
  await assert.rejects(j.batch([{ key: 'b', value: 1 }]), JournalFailedError);
  await assert.rejects(j.delete('kept'), JournalFailedError);
  assert.equal(j.get('kept'), 'yes');
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]?.name, 'JournalFailedError');
  await j.close();
}));

test('journal: a batch is one record: all its puts and deletes survive a reopen together', () => withDir(async (dir) => {
  const j = await Journal.open({ dir, logger: silentLogger() });
  await j.put('old', 1);
  const before = (await readFile(join(dir, JOURNAL_LOG_FILE))).length;
  await j.batch([{ key: 'a', value: { x: 1 } }, { key: 'b', value: 'two' }, { key: 'old', delete: true }]);
  const log = await readFile(join(dir, JOURNAL_LOG_FILE));
  const len = log.readUInt32BE(before);
  assert.equal(before + 8 + len, log.length, 'the batch is exactly one framed record');
  await j.close();
  const k = await Journal.open({ dir, logger: silentLogger() });
  assert.deepEqual(k.entries(''), [['a', { x: 1 }], ['b', 'two']]);
  await k.close();
}));

test('journal: a batch torn mid-record is dropped whole on reopen', () => withDir(async (dir) => {
  const j = await Journal.open({ dir, logger: silentLogger() });
  await j.put('keep', 1);
  await j.batch([{ key: 'a', value: 'x'.repeat(100) }, { key: 'b', value: 'y'.repeat(100) }]);
  await j.close();
  const path = join(dir, JOURNAL_LOG_FILE);
  const buf = await readFile(path);
  const fh = await open(path, 'r+');
  await fh.truncate(buf.length - 50); // a crash mid-append of the batch
  await fh.close();
  const k = await Journal.open({ dir, logger: silentLogger() });
  assert.deepEqual(k.entries(''), [['keep', 1]]);
  await k.close();
}));
