#!/usr/bin/env node
// Writes the bundled example bucket (examples/data/) deterministically: the same bytes on every
// machine and every run, so `eddy get dataset` always reports the same sizes. Idempotent: files
// that already have the expected size are left alone.
//   RELEASENOTES.md          603,030 bytes of generated release notes (588.90KiB, as in the seed)
//   models/base/weights.bin  20 MiB (two 16 MiB blocks: the second one partial)
//   models/adapter.bin       1 MiB
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), 'data');

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['region', 'cache', 'block', 'worker', 'master', 'mount', 'load', 'bucket', 'model', 'replica', 'schedule',
  'tier', 'eviction', 'watermark', 'metadata', 'version', 'prefetch', 'latency', 'throughput', 'fix', 'improve', 'add', 'remove'];

function releaseNotes(size) {
  const rand = prng(2_5_2);
  const lines = ['# Release notes (generated sample for the Eddy example)', ''];
  let bytes = Buffer.byteLength(lines.join('\n') + '\n');
  let n = 20000;
  while (bytes < size) {
    const words = Array.from({ length: 6 + Math.floor(rand() * 10) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    const line = `* [EDDY-${n++}] - ${words.join(' ')}`;
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
  }
  let text = lines.join('\n') + '\n';
  // Trim to the exact size, ending with a newline, so `tail` shows whole lines.
  text = text.slice(0, size - 1) + '\n';
  return Buffer.from(text);
}

function binary(size, seed) {
  const rand = prng(seed);
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) buf.writeUInt32LE(Math.floor(rand() * 4294967296), i);
  return buf;
}

const files = [
  ['RELEASENOTES.md', 603_030, () => releaseNotes(603_030)],
  ['models/base/weights.bin', 20 * 1024 * 1024, () => binary(20 * 1024 * 1024, 1)],
  ['models/adapter.bin', 1024 * 1024, () => binary(1024 * 1024, 2)],
];

for (const [rel, size, make] of files) {
  const path = join(root, rel);
  try {
    if (statSync(path).size === size) continue;
  } catch { /* missing: write it */ }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, make());
}
