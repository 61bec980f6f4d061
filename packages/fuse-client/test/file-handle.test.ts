// FileHandle.close(): whatever waits on the handle is aborted with an AbortedError, however the
// handle's signal was taken (before close, after close, or never), and close is idempotent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError } from '@eddy/core';
import { MOUNT_DEFAULTS } from '../src/mount-options.js';
import { FileHandle } from '../src/read-path/file-handle.js';
import { PinnedVersion } from '../src/read-path/pinned-version.js';
import { ReadaheadBudget } from '../src/read-path/readahead-budget.js';
import type { BlockLocator } from '../src/read-path/sources.js';

const locator: BlockLocator = {
  getBlockLocations: async () => await Promise.reject(new Error('not asked in these tests')),
};

function handle(): FileHandle {
  const pinned = new PinnedVersion(
    { dataset: 'd', path: '/f', size: 10, version: 'v1', versionId: '', mtimeMs: 0, blockSize: 1 << 20 },
    { locator, timeoutMs: 1000, batchBlocks: 64 },
  );
  return new FileHandle(pinned, new ReadaheadBudget(1 << 20), MOUNT_DEFAULTS.readahead, async () => await Promise.resolve(Buffer.alloc(0)));
}

describe('FileHandle close', () => {
  test('aborts a signal taken before close with an AbortedError naming the path', () => {
    const h = handle();
    const s = h.signal;
    assert.equal(s.aborted, false);
    h.close();
    assert.equal(s.aborted, true);
    assert.ok(s.reason instanceof AbortedError);
    assert.match((s.reason as Error).message, /\/f: file handle closed/);
  });

  test('a signal first taken after close is already aborted', () => {
    const h = handle();
    h.close();
    assert.equal(h.closed, true);
    assert.equal(h.signal.aborted, true);
    assert.ok(h.signal.reason instanceof AbortedError);
  });

  test('aborts operations in flight, and refuses new ones', async () => {
    const h = handle();
    const pending = h.run(async (signal) => await new Promise<never>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    }));
    h.close();
    await assert.rejects(pending, AbortedError);
    await assert.rejects(h.run(async () => await Promise.resolve(1)), AbortedError);
  });

  test('close is idempotent and the signal keeps its first reason', () => {
    const h = handle();
    const s = h.signal;
    h.close();
    const reason: unknown = s.reason;
    h.close();
    assert.equal(s.reason, reason);
  });
});
