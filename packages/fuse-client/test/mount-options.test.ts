// Options are resolved and checked once, at the edge: defaults from MOUNT_DEFAULTS, exact messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@eddy/core';
import { MOUNT_DEFAULTS, resolveMountOptions, type MountDatasetOptions } from '../src/index.js';

const base: MountDatasetOptions = { masterAddress: '127.0.0.1:19998', dataset: 'demo', mountpoint: 'mnt', token: 't' };

test('every tunable defaults to MOUNT_DEFAULTS; the mountpoint becomes absolute', () => {
  const o = resolveMountOptions(base);
  for (const [k, v] of Object.entries(MOUNT_DEFAULTS)) assert.deepEqual(o[k as keyof typeof MOUNT_DEFAULTS], v, k);
  assert.equal(o.mountpoint, `${process.cwd()}/mnt`);
  assert.equal(o.security.token, 't');
});

test('given values win; a partial readahead keeps the other defaults', () => {
  const o = resolveMountOptions({ ...base, workerTimeoutMs: 500, pinAheadBlocks: 0, readahead: { maxWindowBytes: 8 << 20 } });
  assert.equal(o.workerTimeoutMs, 500);
  assert.equal(o.pinAheadBlocks, 0);
  assert.deepEqual(o.readahead, { ...MOUNT_DEFAULTS.readahead, maxWindowBytes: 8 << 20 });
});

test('bad values are ValidationErrors naming the field', () => {
  const bad: Array<[Partial<MountDatasetOptions>, string, RegExp]> = [
    [{ masterAddress: 'nope' }, 'masterAddress', /HOST:PORT/],
    [{ dataset: 'Bad_Name' }, 'dataset', /DNS-1123/],
    [{ mountpoint: '' }, 'mountpoint', /required/],
    [{ workerTimeoutMs: 0 }, 'workerTimeoutMs', /^workerTimeoutMs must be an integer of at least 1, got 0$/],
    [{ listPageSize: 1.5 }, 'listPageSize', /integer/],
    [{ readahead: { chunkBytes: -1 } }, 'chunkBytes', /at least 1/],
    [{ readahead: { initialWindowBytes: 8 << 20, maxWindowBytes: 4 << 20 } }, 'readahead.initialWindowBytes', /must not exceed/],
  ];
  for (const [override, field, message] of bad) {
    assert.throws(() => resolveMountOptions({ ...base, ...override }),
      (e: unknown) => e instanceof ValidationError && e.field === field && message.test(e.message), JSON.stringify(override));
  }
});
