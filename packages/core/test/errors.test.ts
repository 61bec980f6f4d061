import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EddyError, errorFromCode, type EddyErrorCode } from '../src/errors.js';

// Every code a peer can send comes back as the same typed error: a code without a case would turn
// into INTERNAL on the far side of the wire (READ_ONLY did).
const CODES: EddyErrorCode[] = ['NOT_FOUND', 'VERSION_MISMATCH', 'ACCESS_DENIED', 'PERMISSION_DENIED', 'UNREACHABLE', 'TIMEOUT', 'INVALID_ARGUMENT',
  'UNAUTHENTICATED', 'PROTOCOL', 'NO_SPACE', 'CORRUPT', 'UNAVAILABLE', 'ABORTED', 'READ_ONLY', 'INTERNAL'];

test('errorFromCode rebuilds every code as a typed error with its own name', () => {
  const names = new Set<string>();
  for (const code of CODES) {
    const err = errorFromCode(code, `m-${code}`);
    assert.ok(err instanceof EddyError);
    assert.equal(err.code, code);
    assert.equal(err.message, `m-${code}`);
    names.add(err.name);
  }
  assert.equal(names.size, CODES.length, 'one class per code');
});

test('an unknown code is INTERNAL, not a crash', () => {
  assert.equal(errorFromCode('NO_SUCH_CODE', 'x').code, 'INTERNAL');
});
