// Issue 8, bad input at the manifest parser: every path-like field (mount URLs, mount paths, tier
// paths, DataLoad targets) and every name refuses '..', NUL and control characters and relative
// paths where absolute ones are required, with a ValidationError; whatever it accepts is clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValidationError } from '@eddy/core';
import { parseManifests } from '../src/parse-manifests.js';
import { parseSchedule } from '../src/cron-schedule.js';
import { type Manifest } from '../src/manifest-types.js';

const q = (s: string): string => JSON.stringify(s);

const docs = {
  mountPoint: (v: string) => `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: d}\nspec:\n  mounts:\n    - mountPoint: ${q(v)}\n`,
  mountPath: (v: string) => `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: d}\nspec:\n  mounts:\n    - {mountPoint: "s3://b/p", path: ${q(v)}}\n`,
  tierPath: (v: string) => `apiVersion: data.fluid.io/v1alpha1\nkind: JindoRuntime\nmetadata: {name: d}\nspec:\n  tieredstore:\n    levels:\n      - {mediumtype: SSD, path: ${q(v)}, quota: 1Gi}\n`,
  target: (v: string) => `apiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {name: l}\nspec:\n  dataset: {name: d, namespace: default}\n  target:\n    - {path: ${q(v)}}\n`,
  datasetName: (v: string) => `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: ${q(v)}}\nspec: {mounts: [{mountPoint: "s3://b/"}]}\n`,
  runtimeName: (v: string) => `apiVersion: data.fluid.io/v1alpha1\nkind: JindoRuntime\nmetadata: {name: ${q(v)}}\nspec: {tieredstore: {levels: [{mediumtype: MEM, path: /dev/shm, quota: 1Gi}]}}\n`,
  secretName: (v: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: ${q(v)}}\nstringData: {k: v}\n`,
  secretKey: (v: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {${q(v)}: v}\n`,
  loadDataset: (v: string) => `apiVersion: data.fluid.io/v1alpha1\nkind: DataLoad\nmetadata: {name: l}\nspec: {dataset: {name: ${q(v)}, namespace: default}}\n`,
};

/** Every string an accepted manifest holds in a path or a name. */
function pathsAndNames(m: Manifest): string[] {
  const out: string[] = [m.metadata.name];
  const spec = (m as unknown as { spec?: Record<string, unknown> }).spec ?? {};
  const mounts = (spec['mounts'] as Array<{ mountPoint: string; path: string }> | undefined) ?? [];
  for (const x of mounts) out.push(x.mountPoint, x.path);
  const levels = ((spec['tieredstore'] as { levels?: Array<{ path: string }> } | undefined)?.levels) ?? [];
  for (const l of levels) out.push(l.path);
  for (const t of (spec['target'] as Array<{ path: string }> | undefined) ?? []) out.push(t.path);
  const ds = spec['dataset'] as { name?: string } | undefined;
  if (ds?.name) out.push(ds.name);
  return out;
}

/** C0 controls and DEL; with `c1`, also U+0080–U+009F (which some terminals act on). */
function hasControl(s: string, c1 = false): boolean {
  return [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || (c1 && ch.charCodeAt(0) >= 0x80 && ch.charCodeAt(0) <= 0x9f));
}

function verdict(text: string): { ok: true; values: string[] } | { ok: false; message: string } {
  try {
    const ms = parseManifests(text);
    return { ok: true, values: ms.flatMap(pathsAndNames) };
  } catch (err) {
    assert.ok(err instanceof ValidationError, `not a ValidationError: ${String(err)}`);
    return { ok: false, message: err.message };
  }
}

test('known escapes are refused in every path and name field', () => {
  const bad: Record<keyof typeof docs, string[]> = {
    mountPoint: ['s3://b/../x', 's3://b/a/../../x', 's3://b/..', 'file:///tmp/../etc', 'file://../etc', 'file://etc', 's3://b/a\0', 's3://b/\u0001', 'oss://b/./../x'],
    mountPath: ['/..', '/a/../..', '../x', 'a/b', '/a\0', '/a\nb', '/a/\u007f', '/a/\u001b[31m'],
    tierPath: ['/dev/shm/../../etc', 'shm', '../shm', '/tmp/\0', '/tmp/a\tb'],
    target: ['/a/../../etc', '/..', 'etc/passwd', '../etc', '/a\0b', '/a\u001bb', '/\r'],
    datasetName: ['../x', 'a/b', '..', '.', 'a\0', 'A', '', 'a b'],
    runtimeName: ['../x', 'a/b', '..', 'a\0'],
    secretName: ['../s', 's/x', '..', 's\0'],
    secretKey: ['a\0', '../k', 'k/../x', ''],
    loadDataset: ['../d', 'd/..', 'd\0'],
  };
  for (const [field, values] of Object.entries(bad) as Array<[keyof typeof docs, string[]]>) {
    for (const v of values) {
      const r = verdict(docs[field](v));
      assert.equal(r.ok, false, `${field} ${q(v)} was accepted`);
      // The error quotes, never prints raw, what it refuses (no control characters reach a terminal).
      if (!r.ok) assert.ok(!hasControl(r.message.replace(/\n/g, ''), true), `${field} ${q(v)}: ${q(r.message)}`);
    }
  }
});

test('error messages escape DEL too', () => {
  for (const v of ['/rel\u007f', 'rel\u007f', '/a\u007f\u0085']) {
    const r = verdict(docs.target(v));
    assert.equal(r.ok, false);
    if (!r.ok) assert.ok(!hasControl(r.message.replace(/\n/g, ''), true), q(r.message));
  }
});

test('property: whatever a path or name field accepts is free of dot-dot segments and control characters', () => {
  const seg = fc.oneof(fc.constantFrom('..', '.', '', 'a', 'b.c', '...', '..a', '\0', '\n', '\u001b', '%2e%2e', '\\..', '~'), fc.string({ maxLength: 5 }));
  const value = fc.tuple(fc.constantFrom('', '/', 's3://b/', 'file:///', 'oss://bkt/', 'file://'), fc.array(seg, { maxLength: 6 }))
    .map(([prefix, segs]) => prefix + segs.join('/'));
  fc.assert(fc.property(fc.constantFrom(...(Object.keys(docs) as Array<keyof typeof docs>)), value, (field, v) => {
    const r = verdict(docs[field](v));
    if (!r.ok) return;
    for (const s of r.values) {
      assert.ok(!hasControl(s), `${field} ${q(v)} accepted as ${q(s)}`);
      const path = s.replace(/^[a-z0-9]+:\/\/[^/]*/i, '');
      assert.ok(!path.split('/').includes('..'), `${field} ${q(v)} accepted as ${q(s)}`);
    }
  }), { numRuns: 2000 });
});

test('hostile sizes and shapes: deep nesting, oversized text, huge keys, thousands of documents, huge cron lists → ValidationError, bounded time', () => {
  const cases: Array<[string, string, number]> = [
    ['deep flow sequence', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 5_000],
    ['deep flow mapping', `a: ${'{b: '.repeat(50_000)}1${'}'.repeat(50_000)}`, 5_000],
    ['deep block mapping', Array.from({ length: 3_000 }, (_v, i) => `${' '.repeat(i)}a:`).join('\n'), 5_000],
    ['oversized text', `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: "${'x'.repeat(9 * 1024 * 1024)}"}\n`, 1_000],
    ['a 5 MB key', `"${'k'.repeat(5_000_000)}": 1\n`, 5_000],
    ['5k documents', Array.from({ length: 5_000 }, () => 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n').join('---\n'), 10_000],
  ];
  // The bound is on this process's CPU time, not the wall clock: it guards against a parser that
  // blows up (quadratic or worse), and must not fail because the machine is busy with other work.
  for (const [what, text, boundMs] of cases) {
    const started = cpuMs();
    assert.throws(() => parseManifests(text), ValidationError, what);
    assert.ok(cpuMs() - started < boundMs, `${what}: ${cpuMs() - started} ms of CPU`);
  }
  for (const expr of [`${'1,'.repeat(100_000)}1 * * * *`, 'x'.repeat(1_000_000), `${'*/1 '.repeat(5)}\u0000`]) {
    const started = cpuMs();
    assert.throws(() => parseSchedule(expr), ValidationError);
    assert.ok(cpuMs() - started < 1_000, `${expr.slice(0, 20)}…: ${cpuMs() - started} ms of CPU`);
  }
});

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
