// Property tests: parseManifests on hostile input only ever throws ValidationError, and quickly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parse as yamlParse, stringify } from 'yaml';
import { ValidationError } from '@eddy/core';
import { parseManifests } from '../src/parse-manifests.js';
import { findSeedDir } from './manifest-seed-dir.js';

const seedDir = findSeedDir();
const SEEDS = ['mySecret.yaml', 'dataset.yaml', 'dataload.yaml', 'dataload-advanced.yaml'].map((f) => readFileSync(join(seedDir, f), 'utf8'));

function check(text: string): void {
  const start = Date.now();
  try {
    const ms = parseManifests(text);
    assert.ok(Array.isArray(ms));
  } catch (err) {
    assert.ok(err instanceof ValidationError, `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} for ${JSON.stringify(text).slice(0, 300)}`);
    assert.ok(err.message.length > 0);
  }
  assert.ok(Date.now() - start < 2000, `slow (${Date.now() - start} ms) on ${JSON.stringify(text).slice(0, 200)}`);
}

const FRAGMENTS = [
  'apiVersion: v1\n', 'apiVersion: data.fluid.io/v1alpha1\n', 'kind: Secret\n', 'kind: Dataset\n', 'kind: JindoRuntime\n', 'kind: DataLoad\n',
  'metadata:\n', '  name: demo\n', 'spec:\n', '  mounts:\n', '    - mountPoint: oss://b/p\n', '  tieredstore:\n', '    levels:\n',
  '      - mediumtype: MEM\n', '        quota: 2Gi\n', '  schedule: "*/2 * * * *"\n', '  policy: Cron\n', 'stringData:\n', '  k: v\n',
  '---\n', '...\n', '- ', '  ', ': ', '{', '}', '[', ']', ',', '"', "'", '&a ', '*a ', '!!binary ', '!!map ', '!foo ', '%YAML 1.2\n',
  '? ', '|\n', '>\n', '#', '\t', '\n', '\u0000', '\uFEFF', '<<: *a\n', '0x10', '1e400', '~', 'null', '.inf', '__proto__: 1\n', 'constructor: {}\n',
];

describe('parseManifests properties', () => {
  test('random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 400 });
  });

  test('YAML-ish fragment soup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), (parts) => check(parts.join(''))), { numRuns: 600 });
  });

  test('random JSON values as documents', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { minLength: 1, maxLength: 3 }), (docs) => {
      check(docs.map((d) => stringify(d)).join('---\n'));
    }), { numRuns: 300 });
  });

  test('seed documents with one field replaced by a random value', () => {
    const seeds = SEEDS.flatMap((s) => s.split(/^---$/m));
    const mutate = (obj: unknown, path: number[], value: unknown): unknown => {
      if (typeof obj !== 'object' || obj === null) return value;
      const entries = Object.entries(obj);
      if (entries.length === 0) return value;
      const [i = 0, ...rest] = path;
      const idx = i % (entries.length + 1);
      if (idx === entries.length) return value;
      const out: Record<string, unknown> = Array.isArray(obj) ? [...obj] as unknown as Record<string, unknown> : { ...obj };
      const [k, v] = entries[idx] as [string, unknown];
      out[k] = rest.length === 0 ? value : mutate(v, rest, value);
      return out;
    };
    // The seed documents as plain data, so mutations hit real field names.
    const parsed = seeds.map((s) => yamlParse(s) as unknown);
    for (const s of seeds) assert.equal(parseManifests(s).length, 1);
    fc.assert(fc.property(
      fc.nat({ max: parsed.length - 1 }),
      fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 6 }),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', '..', '/a/../b', '\u0000', '0', '-1', 'lots', '100m', '61 * * * *', 'Pod', 'v2')),
      (which, path, value) => check(stringify(mutate(parsed[which], path, value))),
    ), { numRuns: 500 });
  });

  test('mappings whose keys shadow Object.prototype members are ValidationErrors (found by the property above)', () => {
    for (const field of ['apiVersion', 'kind', 'metadata']) {
      const text = `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n${field}: {toString: false, valueOf: false}\n`.replace(new RegExp(`^${field}: [^{].*$\\n`, 'm'), '');
      check(text);
    }
  });

  test('an alias bomb (billion laughs) is refused quickly', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    const start = Date.now();
    assert.throws(() => parseManifests(lines.join('\n')), (e: unknown) => e instanceof ValidationError && /alias/.test(e.message));
    assert.ok(Date.now() - start < 2000);
  });
});
