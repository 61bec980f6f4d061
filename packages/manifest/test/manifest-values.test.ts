import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '@eddy/core';
import { defaultFuseOptions, parseFuseArgs } from '../src/fuse-options.js';
import { parseQuantity } from '../src/quantity.js';
import { parseWatermark } from '../src/watermark.js';

const Ki = 1024;
const Mi = 1024 ** 2;
const Gi = 1024 ** 3;

describe('parseQuantity', () => {
  test('binary and decimal suffixes, fractions, exponents, plain bytes', () => {
    assert.equal(parseQuantity('2Gi'), 2 * Gi);
    assert.equal(parseQuantity('500Mi'), 500 * Mi);
    assert.equal(parseQuantity('10G'), 10e9);
    assert.equal(parseQuantity('1.5Gi'), 1.5 * Gi);
    assert.equal(parseQuantity('1048576'), Mi);
    assert.equal(parseQuantity(1048576), Mi);
    assert.equal(parseQuantity('1Ki'), Ki);
    assert.equal(parseQuantity('1k'), 1000);
    assert.equal(parseQuantity('1M'), 1e6);
    assert.equal(parseQuantity('2T'), 2e12);
    assert.equal(parseQuantity('1Ti'), 1024 ** 4);
    assert.equal(parseQuantity('1Pi'), 1024 ** 5);
    assert.equal(parseQuantity('1P'), 1e15);
  });

  test('exact arithmetic and rounding up', () => {
    assert.equal(parseQuantity('0.3M'), 300000);
    assert.equal(parseQuantity('0.1Gi'), Math.ceil(0.1 * Gi));
    assert.equal(parseQuantity('.5Ki'), 512);
    assert.equal(parseQuantity('1.'), 1);
    assert.equal(parseQuantity('1.5'), 2);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('1E6'), 1e6);
    assert.equal(parseQuantity('15e-1'), 2);
    assert.equal(parseQuantity(' 2Gi '), 2 * Gi);
    assert.equal(parseQuantity('+1Ki'), Ki);
    assert.equal(parseQuantity('0'), 0);
    assert.equal(parseQuantity('-0'), 0);
    assert.equal(parseQuantity('4Pi'), 4 * 1024 ** 5);
  });

  test('rejects nonsense with a hint', () => {
    const cases: [unknown, string][] = [
      ['lots', '"lots" is not a Kubernetes quantity (e.g. 2Gi, 500Mi)'],
      ['100m', 'milli suffix'],
      ['2GB', 'write 2G'],
      ['2GiB', 'write 2Gi'],
      ['2gi', 'write 2Gi'],
      ['-1Gi', 'must not be negative'],
      [-5, 'must not be negative'],
      ['', 'not a Kubernetes quantity'],
      ['Gi', 'not a Kubernetes quantity'],
      ['1.2.3', 'not a Kubernetes quantity'],
      ['8Ei', 'too large'],
      ['7E', 'too large'],
      ['1e999', 'too large'],
      [Infinity, 'not a Kubernetes quantity'],
      [null, 'got null'],
      [{}, 'got object'],
      ['x'.repeat(1000), 'not a Kubernetes quantity'],
    ];
    for (const [v, frag] of cases) {
      assert.throws(() => parseQuantity(v, 'quota'), (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.field, 'quota');
        assert.ok(e.message.includes(frag), `${String(v)}: ${e.message}`);
        return true;
      });
    }
  });

  test('property: n with a suffix is n times the multiplier', () => {
    const suffixes: [string, number][] = [['', 1], ['Ki', Ki], ['Mi', Mi], ['Gi', Gi], ['k', 1e3], ['M', 1e6], ['G', 1e9]];
    fc.assert(fc.property(fc.nat({ max: 100000 }), fc.constantFrom(...suffixes), (n, [suffix, mult]) => {
      assert.equal(parseQuantity(`${n}${suffix}`), n * mult);
    }));
  });

  test('property: strings never throw anything but ValidationError', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      try {
        const n = parseQuantity(s);
        assert.ok(Number.isSafeInteger(n) && n >= 0);
      } catch (e) {
        assert.ok(e instanceof ValidationError);
      }
    }), { numRuns: 500 });
  });
});

describe('parseWatermark', () => {
  test('strings and numbers in (0, 1]', () => {
    assert.equal(parseWatermark('0.99'), 0.99);
    assert.equal(parseWatermark(0.8), 0.8);
    assert.equal(parseWatermark('1'), 1);
    assert.equal(parseWatermark('.5'), 0.5);
    for (const bad of ['0', 0, '1.01', 2, '-0.5', 'high', '', null, Number.NaN, '0x1']) {
      assert.throws(() => parseWatermark(bad, 'high'), (e: unknown) => e instanceof ValidationError && e.field === 'high', String(bad));
    }
  });
});

describe('parseFuseArgs', () => {
  test('Fluid defaults per access mode', () => {
    assert.deepEqual(parseFuseArgs([], 'ReadOnlyMany'), { kernelCache: true, autoCache: false, readOnly: true, attrTimeout: 7200, entryTimeout: 7200, negativeTimeout: 7200, extra: [] });
    assert.deepEqual(parseFuseArgs([], 'ReadWriteMany'), { kernelCache: false, autoCache: true, readOnly: false, attrTimeout: 0, entryTimeout: 0, negativeTimeout: 0, extra: [] });
    assert.deepEqual(defaultFuseOptions('ReadOnlyMany'), parseFuseArgs([]));
  });

  test('the seed\'s args', () => {
    const o = parseFuseArgs(['-okernel_cache', '-oro', '-oattr_timeout=60', '-oentry_timeout=60', '-onegative_timeout=60'], 'ReadOnlyMany');
    assert.deepEqual(o, { kernelCache: true, autoCache: false, readOnly: true, attrTimeout: 60, entryTimeout: 60, negativeTimeout: 60, extra: [] });
  });

  test('all spellings: -oX, -o X, -oX,Y, and -o followed by a separate argument', () => {
    const a = parseFuseArgs(['-okernel_cache,ro,attr_timeout=5'], 'ReadWriteMany');
    const b = parseFuseArgs(['-o kernel_cache', '-o ro', '-o attr_timeout=5'], 'ReadWriteMany');
    const c = parseFuseArgs(['-o', 'kernel_cache,ro', '-o', 'attr_timeout=5'], 'ReadWriteMany');
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
    assert.equal(a.kernelCache, true);
    assert.equal(a.autoCache, true);
    assert.equal(a.readOnly, true);
    assert.equal(a.attrTimeout, 5);
    assert.equal(a.entryTimeout, 0);
  });

  test('max_read, allow_other, pass-through options, later wins, fractional timeouts', () => {
    const o = parseFuseArgs(['-omax_read=131072,allow_other,direct_io,umask=022,uid=1000', '-ouid=2000', '-oentry_timeout=0.5'], 'ReadOnlyMany');
    assert.equal(o.maxRead, 131072);
    assert.equal(o.allowOther, true);
    assert.equal(o.entryTimeout, 0.5);
    assert.deepEqual(o.extra, ['direct_io', 'umask=022', 'uid=2000']);
  });

  test('overrides on top of a base (eddy mount -o)', () => {
    const base = parseFuseArgs(['-oattr_timeout=60'], 'ReadOnlyMany');
    const o = parseFuseArgs(['-oentry_timeout=5'], 'ReadOnlyMany', base);
    assert.equal(o.attrTimeout, 60);
    assert.equal(o.entryTimeout, 5);
    assert.equal(base.entryTimeout, 7200, 'base is not mutated');
  });

  test('errors name the option and the argument index', () => {
    const cases: [string[], string, string][] = [
      [['-oro', '-okernel_cache,turbo'], 'args[1]', 'unknown fuse option "turbo"'],
      [['-f'], 'args[0]', 'unsupported fuse argument "-f"'],
      [['kernel_cache'], 'args[0]', 'unsupported fuse argument'],
      [['-o'], 'args[0]', 'must be followed by options'],
      [['-oattr_timeout'], 'args[0]', 'needs a value'],
      [['-oattr_timeout=soon'], 'args[0]', 'non-negative number of seconds'],
      [['-oattr_timeout=-1'], 'args[0]', 'non-negative number of seconds'],
      [['-okernel_cache=1'], 'args[0]', 'takes no value'],
      [['-omax_read=12'], 'args[0]', 'at least 4096'],
      [['-orw'], 'args[0]', 'ReadWriteMany'],
      [['-oumask=999'], 'args[0]', 'octal'],
      [['-ofsname=a b'], 'args[0]', 'unsafe value'],
      [['-oro\n'], 'args[0]', 'control characters'],
    ];
    for (const [args, field, frag] of cases) {
      assert.throws(() => parseFuseArgs(args, 'ReadOnlyMany'), (e: unknown) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.equal(e.field, field);
        assert.ok(e.message.includes(frag), e.message);
        return true;
      }, args.join(' '));
    }
    assert.equal(parseFuseArgs(['-orw'], 'ReadWriteMany').readOnly, false);
    assert.equal(parseFuseArgs(['-oro'], 'ReadWriteMany').readOnly, true);
  });
});
