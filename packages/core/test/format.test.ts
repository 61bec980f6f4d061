import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../src/errors.js';
import { formatAge } from '../src/format/format-age.js';
import { formatBytes } from '../src/format/format-bytes.js';
import { formatDuration } from '../src/format/format-duration.js';
import { formatPercent } from '../src/format/format-percent.js';

describe('formatBytes', () => {
  test('the seed\'s values', () => {
    assert.equal(formatBytes(603034), '588.90KiB');
    assert.equal(formatBytes(0), '0.00B');
    assert.equal(formatBytes(10 * 1024 ** 3), '10.00GiB');
    assert.equal(formatBytes(1205862), '1.15MiB');
  });

  test('unit boundaries', () => {
    assert.equal(formatBytes(1), '1.00B');
    assert.equal(formatBytes(1023), '1023.00B');
    assert.equal(formatBytes(1024), '1.00KiB');
    assert.equal(formatBytes(1024 * 1024 - 1), '1.00MiB'); // 1023.999KiB would print as 1024.00KiB
    assert.equal(formatBytes(1024 * 1024 - 6), '1023.99KiB');
    assert.equal(formatBytes(1536), '1.50KiB');
    assert.equal(formatBytes(2 * 1024 ** 4), '2.00TiB');
    assert.equal(formatBytes(3 * 1024 ** 5), '3.00PiB');
    assert.equal(formatBytes(2 ** 62), '4.00EiB');
    assert.equal(formatBytes(2 ** 80), '1048576.00EiB');
    assert.equal(formatBytes(-2048), '-2.00KiB');
  });

  test('non-finite input is refused', () => {
    assert.throws(() => formatBytes(Number.NaN), ValidationError);
    assert.throws(() => formatBytes(Infinity), ValidationError);
  });

  test('property: the number part is in [0, 1024) except in the last unit', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
      const m = /^(\d+\.\d\d)(B|KiB|MiB|GiB|TiB|PiB|EiB)$/.exec(formatBytes(n));
      assert.ok(m, formatBytes(n));
      assert.ok(Number(m[1]) < 1024);
    }));
  });
});

describe('formatPercent', () => {
  test('the seed\'s values and edges', () => {
    assert.equal(formatPercent(603034, 603034), '100.0%');
    assert.equal(formatPercent(0, 603034), '0.0%');
    assert.equal(formatPercent(1, 2), '50.0%');
    assert.equal(formatPercent(1, 3), '33.3%');
    assert.equal(formatPercent(2, 3), '66.6%');
    assert.equal(formatPercent(0, 0), '0.0%');
  });

  test('never rounds up to 100.0% before completion, never above 100.0%', () => {
    assert.equal(formatPercent(9999, 10000), '99.9%');
    assert.equal(formatPercent(999999, 1000000), '99.9%');
    assert.equal(formatPercent(1205862, 603034), '100.0%');
    assert.equal(formatPercent(1, 1e9), '0.0%');
    fc.assert(fc.property(fc.nat(), fc.nat(), (a, b) => {
      const p = Number(formatPercent(a, b).slice(0, -1));
      assert.ok(p >= 0 && p <= 100);
      if (a < b) assert.ok(p < 100);
    }));
  });
});

describe('formatAge (kubectl)', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  test('examples', () => {
    assert.equal(formatAge(45 * s), '45s');
    assert.equal(formatAge(2 * m + 7 * s), '2m7s');
    assert.equal(formatAge(3 * h + 5 * m), '3h5m');
    assert.equal(formatAge(2 * d + 3 * h), '2d3h');
    assert.equal(formatAge(3 * m + 51 * s), '3m51s');
  });

  test('thresholds', () => {
    assert.equal(formatAge(0), '0s');
    assert.equal(formatAge(999), '0s');
    assert.equal(formatAge(-500), '0s');
    assert.equal(formatAge(-5000), '<invalid>');
    assert.equal(formatAge(119 * s), '119s');
    assert.equal(formatAge(120 * s), '2m');
    assert.equal(formatAge(9 * m + 59 * s), '9m59s');
    assert.equal(formatAge(10 * m + 30 * s), '10m');
    assert.equal(formatAge(179 * m), '179m');
    assert.equal(formatAge(3 * h), '3h');
    assert.equal(formatAge(7 * h + 59 * m), '7h59m');
    assert.equal(formatAge(8 * h + 30 * m), '8h');
    assert.equal(formatAge(47 * h), '47h');
    assert.equal(formatAge(2 * d), '2d');
    assert.equal(formatAge(7 * d + 23 * h), '7d23h');
    assert.equal(formatAge(8 * d + 5 * h), '8d');
    assert.equal(formatAge(729 * d), '729d');
    assert.equal(formatAge(730 * d), '2y');
    assert.equal(formatAge(775 * d), '2y45d');
    assert.equal(formatAge(3000 * d), '8y');
  });
});

describe('formatDuration (Go time.Duration, whole seconds)', () => {
  test('examples', () => {
    assert.equal(formatDuration(132_000), '2m12s');
    assert.equal(formatDuration(45_000), '45s');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(499), '0s');
    assert.equal(formatDuration(500), '1s');
    assert.equal(formatDuration(120_000), '2m0s');
    assert.equal(formatDuration(3_605_000), '1h0m5s');
    assert.equal(formatDuration(26 * 3_600_000 + 61_000), '26h1m1s');
    assert.equal(formatDuration(-1500), '-2s');
    assert.throws(() => formatDuration(Number.NaN), ValidationError);
  });
});
