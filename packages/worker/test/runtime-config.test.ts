import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError, DEFAULT_BLOCK_SIZE } from '@eddy/core';
import { runtimeConfigFromSpec } from '../src/process/runtime-config.js';

const tier = (medium: string, path: string, quotaBytes = 1 << 20, high = 0.9, low = 0.5) => ({ medium, path, quotaBytes, usedBytes: 0, high, low });

test('runtime spec: unset means the master does not know the runtime yet', () => {
  assert.equal(runtimeConfigFromSpec(null), undefined);
  assert.equal(runtimeConfigFromSpec(undefined), undefined);
});

test('runtime spec: tiers sorted fastest first, block size defaulted', () => {
  const rc = runtimeConfigFromSpec({ blockSize: 0, tiers: [tier('hdd', '/h'), tier('MEM', '/dev/shm/x')] });
  assert.deepEqual(rc?.tiers.map((t) => t.medium), ['MEM', 'HDD']);
  assert.equal(rc?.blockSize, DEFAULT_BLOCK_SIZE);
});

test('runtime spec: a bad tier from the master is a ValidationError naming the field', () => {
  assert.throws(() => runtimeConfigFromSpec({ blockSize: 1 << 20, tiers: [tier('TAPE', '/t')] }),
    (e: unknown) => e instanceof ValidationError && /runtime\.tiers\[0\]\.medium/.test(e.message));
  assert.throws(() => runtimeConfigFromSpec({ blockSize: 1 << 20, tiers: [tier('SSD', '/s', 1 << 20, 0.5, 0.9)] }),
    (e: unknown) => e instanceof ValidationError && /runtime\.tiers\[0\]\.low/.test(e.message));
});
