import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, appendFile, truncate, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { silentLogger } from '@eddy/core';
import { Journal, JOURNAL_LOG_FILE, JOURNAL_SNAPSHOT_FILE } from '../src/journal/journal.js';

function capturingLogger(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { out.push(chunk.toString()); cb(); } });
  return { logger: pino({ level: 'debug' }, stream), lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-journal-'));
  try { await fn(join(dir, 'state')); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('journal: records survive reopen; files 0600, dir 0700', () => withDir(async (dir) => {
  const j = await Journal.open({ dir, logger: silentLogger() });
  await j.put('a', { x: 1 });
  await j.put('b', 'two');
  await j.put('a', { x: 3 });
  assert.equal(await j.delete('b'), true);
  assert.equal(await j.delete('missing'), false);
  await j.close();
  await j.close();
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal((await stat(join(dir, JOURNAL_LOG_FILE))).mode & 0o777, 0o600);
  const k = await Journal.open({ dir, logger: silentLogger() });
  assert.deepEqual(k.get('a'), { x: 3 });
  assert.equal(k.get('b'), undefined);
  assert.deepEqual(k.entries(''), [['a', { x: 3 }]]);
  await k.close();
}));

test('journal: a torn tail (truncated mid-record) is cut with a warning, earlier records kept', () => withDir(async (dir) => {
  const j = await Journal.open({ dir, logger: silentLogger() });
  for (let i = 0; i < 10; i++) await j.put(`k${i}`, { i, pad: 'x'.repeat(50) });
  await j.close();
  const log = join(dir, JOURNAL_LOG_FILE);
  const size = (await stat(log)).size;
  await truncate(log, size - 20); // the last record loses its end
  const cap = capturingLogger();
  const k = await Journal.open({ dir, logger: cap.logger });
  for (let i = 0; i < 9; i++) assert.deepEqual(k.get(`k${i}`), { i, pad: 'x'.repeat(50) });
  assert.equal(k.get('k9'), undefined);
  const warn = cap.lines().find((l) => l.level === 40 && /torn or corrupt/.test(String(l.msg)));
  assert.ok(warn, 'a warning is logged');
  assert.equal(warn.keptRecords, 9);
  // The journal keeps working after the truncation, and the new record is readable on reopen.
  await k.put('after', 1);
  await k.close();
  const m = await Journal.open({ dir, logger: silentLogger() });
  assert.equal(m.get('after'), 1);
  assert.deepEqual(m.get('k8'), { i: 8, pad: 'x'.repeat(50) });
  await m.close();
}));

test('journal: garbage appended after the last record is cut, records kept', () => withDir(async (dir) => {
  const j = await Journal.open({ dir, logger: silentLogger() });
  await j.put('one', 1);
  await j.put('two', 2);
  await j.close();
  const log = join(dir, JOURNAL_LOG_FILE);
  const goodSize = (await stat(log)).size;
  await appendFile(log, Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 104, 101, 108, 108, 111, 0xff, 0xfe]));
  const cap = capturingLogger();
  const k = await Journal.open({ dir, logger: cap.logger });
  assert.equal(k.get('one'), 1);
  assert.equal(k.get('two'), 2);
  assert.ok(cap.lines().some((l) => l.level === 40 && l.reason === 'checksum mismatch'));
  assert.equal((await stat(log)).size, goodSize);
  await k.close();
}));

test('journal: compaction writes a snapshot and empties the log, state intact', () => withDir(async (dir) => {
  const j = await Journal.open({ dir, logger: silentLogger(), compactAfterRecords: 5 });
  for (let i = 0; i < 12; i++) await j.put(`k${i % 4}`, i);
  await j.compact();
  assert.equal(await j.logBytes(), 0);
  await j.put('late', true);
  await j.close();
  assert.equal((await stat(join(dir, JOURNAL_SNAPSHOT_FILE))).mode & 0o777, 0o600);
  const k = await Journal.open({ dir, logger: silentLogger() });
  assert.deepEqual(k.entries('k'), [['k0', 8], ['k1', 9], ['k2', 10], ['k3', 11]]);
  assert.equal(k.get('late'), true);
  await k.close();
  // Secrets are written only inside the 0600 files.
  const raw = await readFile(join(dir, JOURNAL_SNAPSHOT_FILE));
  assert.ok(raw.includes('k3'));
}));
