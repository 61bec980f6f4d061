import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveMountPath } from '../src/resolve-mount-path.js';
import { NotFoundError, ValidationError } from '@eddy/core';

test('the longest whole-segment mount path wins', () => {
  const mounts = [{ path: '/' }, { path: '/models' }, { path: '/models/llama' }, { path: '/modelsx' }];
  assert.deepEqual(resolveMountPath(mounts, '/data/a.bin'), { mountIndex: 0, ufsPath: 'data/a.bin' });
  assert.deepEqual(resolveMountPath(mounts, '/models/bert/w.bin'), { mountIndex: 1, ufsPath: 'bert/w.bin' });
  assert.deepEqual(resolveMountPath(mounts, '/models/llama/7b/w.bin'), { mountIndex: 2, ufsPath: '7b/w.bin' });
  assert.deepEqual(resolveMountPath(mounts, 'models/llama'), { mountIndex: 2, ufsPath: '' });
  assert.deepEqual(resolveMountPath(mounts, '/modelsx/y'), { mountIndex: 3, ufsPath: 'y' });
  assert.deepEqual(resolveMountPath(mounts, '/models/llamas/z'), { mountIndex: 1, ufsPath: 'llamas/z' }, 'no partial-segment match');
  assert.deepEqual(resolveMountPath([{}], '/a b/ü+c'), { mountIndex: 0, ufsPath: 'a b/ü+c' }, 'a mount without path sits at /');
});

test('paths outside every mount and escaping paths are refused', () => {
  assert.throws(() => resolveMountPath([{ path: '/a' }], '/b/c'), NotFoundError);
  assert.throws(() => resolveMountPath([], '/x'), NotFoundError);
  assert.throws(() => resolveMountPath([{ path: '/' }], '/a/../../etc'), ValidationError);
  assert.throws(() => resolveMountPath([{ path: '/' }], '/a\0'), ValidationError);
});
