import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '@eddy/core';
import { parseSchedule } from '../src/cron-schedule.js';

const UTC = { timezone: 'UTC' };
const at = (iso: string): Date => new Date(iso);
/** The next `n` fire times after `iso`, as ISO strings. */
function runs(expr: string, iso: string, n = 3): string[] {
  const s = parseSchedule(expr, UTC);
  const out: string[] = [];
  let t = at(iso);
  for (let i = 0; i < n; i++) {
    const next = s.nextRun(t);
    assert.ok(next, `${expr} should fire`);
    out.push(next.toISOString());
    t = next;
  }
  return out;
}

function rejects(expr: unknown, field: string, fragment: string): void {
  assert.throws(() => parseSchedule(expr, UTC), (err: unknown) => {
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.field, field, err.message);
    assert.ok(err.message.includes(fragment), err.message);
    return true;
  });
}

describe('parseSchedule', () => {
  test('the seed schedules: every 2 minutes, every minute', () => {
    // 2024-01-01 is a Monday.
    assert.deepEqual(runs('*/2 * * * *', '2024-01-01T00:00:30Z'), ['2024-01-01T00:02:00.000Z', '2024-01-01T00:04:00.000Z', '2024-01-01T00:06:00.000Z']);
    assert.deepEqual(runs('* * * * *', '2024-01-01T00:00:00Z', 2), ['2024-01-01T00:01:00.000Z', '2024-01-01T00:02:00.000Z']);
  });

  test('nextRun is strictly after the given time', () => {
    assert.equal(parseSchedule('0 * * * *', UTC).nextRun(at('2024-01-01T05:00:00Z'))?.toISOString(), '2024-01-01T06:00:00.000Z');
  });

  test('% is the seed\'s spelling of a step', () => {
    const s = parseSchedule('*%10 * * * *', UTC);
    assert.equal(s.expression, '*/10 * * * *');
    assert.equal(s.source, '*%10 * * * *');
    assert.deepEqual(runs('*%10 * * * *', '2024-01-01T00:00:30Z', 2), ['2024-01-01T00:10:00.000Z', '2024-01-01T00:20:00.000Z']);
  });

  test('lists and ranges', () => {
    assert.deepEqual(runs('1,3,4,7 * * * *', '2024-01-01T00:02:00Z', 3), ['2024-01-01T00:03:00.000Z', '2024-01-01T00:04:00.000Z', '2024-01-01T00:07:00.000Z']);
    assert.deepEqual(runs('1-6 * * * *', '2024-01-01T00:05:00Z', 2), ['2024-01-01T00:06:00.000Z', '2024-01-01T01:01:00.000Z']);
    assert.deepEqual(runs('10-30/10 9 * * *', '2024-01-01T00:00:00Z', 4), ['2024-01-01T09:10:00.000Z', '2024-01-01T09:20:00.000Z', '2024-01-01T09:30:00.000Z', '2024-01-02T09:10:00.000Z']);
  });

  test('7 and 0 and sun are all Sunday', () => {
    const sunday = '2024-01-07T00:00:00.000Z';
    for (const dow of ['7', '0', 'sun', 'SUN', 'Sun']) {
      assert.equal(parseSchedule(`0 0 * * ${dow}`, UTC).nextRun(at('2024-01-01T12:00:00Z'))?.toISOString(), sunday, dow);
    }
    // A range ending at 7 reaches Sunday; fri-sun by names likewise.
    assert.deepEqual(runs('0 0 * * 5-7', '2024-01-01T12:00:00Z'), ['2024-01-05T00:00:00.000Z', '2024-01-06T00:00:00.000Z', '2024-01-07T00:00:00.000Z']);
    assert.deepEqual(runs('0 0 * * fri-sun', '2024-01-01T12:00:00Z'), ['2024-01-05T00:00:00.000Z', '2024-01-06T00:00:00.000Z', '2024-01-07T00:00:00.000Z']);
    assert.deepEqual(runs('0 0 * * mon,wed', '2024-01-01T12:00:00Z', 2), ['2024-01-03T00:00:00.000Z', '2024-01-08T00:00:00.000Z']);
  });

  test('month names and day of month', () => {
    assert.equal(parseSchedule('30 6 15 mar *', UTC).nextRun(at('2024-04-01T00:00:00Z'))?.toISOString(), '2025-03-15T06:30:00.000Z');
    assert.equal(parseSchedule('0 0 29 feb *', UTC).nextRun(at('2024-03-01T00:00:00Z'))?.toISOString(), '2028-02-29T00:00:00.000Z');
  });

  test('day-of-month and day-of-week restricted together fire on either (Vixie cron)', () => {
    // 13th of the month OR a Friday: Fri 5 Jan, Fri 12 Jan, Sat 13 Jan.
    assert.deepEqual(runs('0 0 13 * fri', '2024-01-01T12:00:00Z'), ['2024-01-05T00:00:00.000Z', '2024-01-12T00:00:00.000Z', '2024-01-13T00:00:00.000Z']);
  });

  test('six fields: leading seconds', () => {
    const s = parseSchedule('30 */10 * * * *', UTC);
    assert.equal(s.hasSeconds, true);
    assert.deepEqual(runs('30 */10 * * * *', '2024-01-01T00:00:00Z', 2), ['2024-01-01T00:00:30.000Z', '2024-01-01T00:10:30.000Z']);
  });

  test('a/n means from a to the end of the field', () => {
    assert.equal(parseSchedule('5/20 * * * *', UTC).expression, '5-59/20 * * * *');
    assert.deepEqual(runs('5/20 * * * *', '2024-01-01T00:00:00Z', 4), ['2024-01-01T00:05:00.000Z', '2024-01-01T00:25:00.000Z', '2024-01-01T00:45:00.000Z', '2024-01-01T01:05:00.000Z']);
  });

  test('macros and whitespace', () => {
    assert.equal(parseSchedule('@hourly').expression, '0 * * * *');
    assert.equal(parseSchedule('@DAILY').expression, '0 0 * * *');
    assert.equal(parseSchedule('  */5   *\t* * *  ').expression, '*/5 * * * *');
  });

  test('time zones', () => {
    const s = parseSchedule('0 9 * * *', { timezone: 'Asia/Shanghai' });
    assert.equal(s.nextRun(at('2024-01-01T00:00:00Z'))?.toISOString(), '2024-01-01T01:00:00.000Z');
    assert.throws(() => parseSchedule('0 9 * * *', { timezone: 'Mars/Olympus' }), (e: unknown) => e instanceof ValidationError && e.field === 'timezone');
  });

  test('bad expressions name the field and the problem', () => {
    rejects('61 * * * *', 'minute', '61 is outside 0-59');
    rejects('* 24 * * *', 'hour', '24 is outside 0-23');
    rejects('* * 0 * *', 'day-of-month', '0 is outside 1-31');
    rejects('* * * 13 *', 'month', '13 is outside 1-12');
    rejects('* * * foo *', 'month', 'jan,feb');
    rejects('* * * * 8', 'day-of-week', '8 is outside 0-7');
    rejects('* * * * funday', 'day-of-week', 'sun,mon');
    rejects('5-1 * * * *', 'minute', 'backwards');
    rejects('*/0 * * * *', 'minute', 'positive integer');
    rejects('*/61 * * * *', 'minute', 'larger than');
    rejects('1,,2 * * * *', 'minute', 'empty list item');
    rejects('1/2/3 * * * *', 'minute', 'more than one step');
    rejects('L * * * *', 'minute', 'not a number');
    rejects('* * * *', 'schedule', '4 fields');
    rejects('* * * * * * *', 'schedule', '7 fields');
    rejects('', 'schedule', '0 fields');
    rejects('@sometimes', 'schedule', 'not a known macro');
    rejects(5, 'schedule', 'must be a string');
    rejects('0 0 31 2 *', 'schedule', 'never fires');
    rejects('60 * * * * *', 'second', '60 is outside 0-59');
    rejects('* *\u0000 * * *', 'schedule', 'control characters');
  });

  test('property: any input either parses or throws ValidationError, quickly', () => {
    const token = fc.constantFrom('*', '?', '/', '%', '-', ',', '0', '1', '7', '59', '60', '99999', 'sun', 'jan', 'L', 'W', '#', ' ', '  ', '@daily', '@', 'x', '\t');
    const exprs = fc.oneof(fc.string(), fc.array(token, { maxLength: 30 }).map((t) => t.join('')));
    fc.assert(fc.property(exprs, (expr) => {
      const start = Date.now();
      try {
        const s = parseSchedule(expr, UTC);
        const next = s.nextRun(at('2024-01-01T00:00:00Z'));
        assert.ok(next === null || next.getTime() > at('2024-01-01T00:00:00Z').getTime());
      } catch (err) {
        assert.ok(err instanceof ValidationError, `${JSON.stringify(expr)} threw ${String(err)}`);
      }
      assert.ok(Date.now() - start < 2000, `slow on ${JSON.stringify(expr)}`);
    }), { numRuns: 600 });
  });

  test('property: random valid 5-field expressions fire at a matching minute', () => {
    const field = (min: number, max: number) => fc.oneof(
      fc.constant('*'),
      fc.integer({ min, max }).map(String),
      fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.integer({ min: 1, max: max - min + 1 }).map((s) => `*/${s}`),
    );
    fc.assert(fc.property(field(0, 59), field(0, 23), (m, h) => {
      const s = parseSchedule(`${m} ${h} * * *`, UTC);
      const next = s.nextRun(at('2024-01-01T00:00:00Z'));
      assert.ok(next);
      assert.equal(next.getUTCSeconds(), 0);
      assert.ok(next.getTime() - at('2024-01-01T00:00:00Z').getTime() <= 2 * 24 * 3600 * 1000);
    }), { numRuns: 200 });
  });

  test('names of Object.prototype members are not macros (found by the property above)', () => {
    for (const expr of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.throws(() => parseSchedule(expr, UTC), ValidationError, expr);
    }
  });
});
