// DataLoad schedules: standard cron (5 fields, or 6 with leading seconds) checked field by field
// here, so errors name the field, then matched by croner. Vixie semantics: when both day-of-month
// and day-of-week are restricted, a day matching either fires (croner's default, domAndDow false).
import { Cron } from 'croner';
import { ValidationError } from '@eddy/core';
import { quoteValue } from './quantity.js';
import { hasControlCharacter } from './text-checks.js';

export interface CronSchedule {
  /** The expression as croner runs it: single spaces, `%` written `/`, `a/n` written `a-max/n`. */
  readonly expression: string;
  /** The expression as given. */
  readonly source: string;
  /** True when the expression has a leading seconds field. */
  readonly hasSeconds: boolean;
  /** First fire time strictly after `after`, or null if there is none. */
  nextRun(after: Date): Date | null;
}

export interface ParseScheduleOptions {
  /** IANA time zone the schedule is read in; default: the process's local zone. */
  timezone?: string;
}

interface FieldSpec { name: string; min: number; max: number; names?: readonly string[] }

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const FIVE: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const SHAPE = 'expected 5 fields "minute hour day-of-month month day-of-week" (or 6 with leading seconds), e.g. "*/2 * * * *"';

function fieldError(spec: FieldSpec, text: string, problem: string): ValidationError {
  return new ValidationError(`${spec.name} field ${quoteValue(text)}: ${problem}`, spec.name);
}

function parseValue(spec: FieldSpec, text: string, token: string): number {
  if (/^\d{1,4}$/.test(token)) {
    const n = Number(token);
    if (n < spec.min || n > spec.max) throw fieldError(spec, text, `${n} is outside ${spec.min}-${spec.max}`);
    return n;
  }
  const idx = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  if (idx >= 0) return spec.names === MONTHS ? idx + 1 : idx;
  const hint = spec.names ? ` or a name (${spec.names.join(',')})` : '';
  throw fieldError(spec, text, `${quoteValue(token)} is not a number in ${spec.min}-${spec.max}${hint}`);
}

/** Check one field and return it normalised for croner. */
function normaliseField(spec: FieldSpec, text: string): string {
  if (text === '') throw fieldError(spec, text, 'is empty');
  const items = text.replace(/%/g, '/').split(',');
  return items.map((item) => {
    if (item === '') throw fieldError(spec, text, 'has an empty list item');
    const parts = item.split('/');
    if (parts.length > 2) throw fieldError(spec, text, `${quoteValue(item)} has more than one step`);
    const [range = '', stepText] = parts;
    let step: number | undefined;
    if (stepText !== undefined) {
      if (!/^\d{1,4}$/.test(stepText) || Number(stepText) < 1) throw fieldError(spec, text, `step ${quoteValue(stepText)} must be a positive integer`);
      step = Number(stepText);
      if (step > spec.max - spec.min + 1) throw fieldError(spec, text, `step ${step} is larger than the field's range ${spec.min}-${spec.max}`);
    }
    if (range === '*' || range === '?') return step === undefined ? '*' : `*/${step}`;
    const bounds = range.split('-');
    if (bounds.length > 2) throw fieldError(spec, text, `${quoteValue(range)} is not a value or a range a-b`);
    const lo = parseValue(spec, text, bounds[0] ?? '');
    if (bounds.length === 2) {
      let hi = parseValue(spec, text, bounds[1] ?? '');
      // `fri-sun` / `5-0`: Sunday at the end of a range is day 7.
      if (spec.name === 'day-of-week' && hi === 0 && lo > 0) hi = 7;
      if (hi < lo) throw fieldError(spec, text, `range ${lo}-${hi} is backwards; write ${hi}-${lo}`);
      return step === undefined ? `${lo}-${hi}` : `${lo}-${hi}/${step}`;
    }
    // `a/n` means "from a to the end, every n" (as in most crons); croner wants it spelled out.
    // Day-of-week ends at 6 here, so 7 (Sunday again) is not a second match for the same day.
    const end = spec.name === 'day-of-week' ? 6 : spec.max;
    return step === undefined ? String(lo) : `${lo}-${Math.max(lo, end)}/${step}`;
  }).join(',');
}

/**
 * Parse a cron expression. Accepts 5 fields, or 6 with leading seconds; lists, ranges, `*`,
 * steps (`/`, or `%` as the seed writes it), month and weekday names, 7 = Sunday, and the
 * macros @hourly @daily @midnight @weekly @monthly @yearly @annually. Throws ValidationError
 * naming the offending field; a schedule that can never fire (e.g. 31 February) is an error.
 */
export function parseSchedule(expr: unknown, options: ParseScheduleOptions = {}): CronSchedule {
  if (typeof expr !== 'string') throw new ValidationError(`schedule must be a string, got ${expr === null ? 'null' : typeof expr}; ${SHAPE}`, 'schedule');
  if (expr.length > 256) throw new ValidationError('schedule is longer than 256 characters', 'schedule');
  if (hasControlCharacter(expr.replace(/\t/g, ' '))) throw new ValidationError('schedule contains control characters', 'schedule');
  const source = expr;
  const trimmed = expr.trim();
  // Own keys only: `__proto__` or `constructor` must not find Object.prototype members.
  const macro = Object.hasOwn(MACROS, trimmed.toLowerCase()) ? MACROS[trimmed.toLowerCase()] : undefined;
  if (trimmed.startsWith('@') && macro === undefined) {
    throw new ValidationError(`schedule ${quoteValue(trimmed)} is not a known macro (${Object.keys(MACROS).join(' ')})`, 'schedule');
  }
  const fields = (macro ?? trimmed).split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ValidationError(`schedule ${quoteValue(trimmed)} has ${fields.length} field${fields.length === 1 ? '' : 's'}; ${SHAPE}`, 'schedule');
  }
  const specs = fields.length === 6 ? [SECOND, ...FIVE] : FIVE;
  const normalised = fields.map((f, i) => normaliseField(specs[i] as FieldSpec, f));
  const expression = normalised.join(' ');
  const timezone = options.timezone;
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw new ValidationError(`time zone ${quoteValue(timezone)} is not a known IANA zone (e.g. UTC, Europe/Berlin)`, 'timezone');
    }
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, mode: fields.length === 6 ? '6-part' : '5-part', ...(timezone !== undefined ? { timezone } : {}) });
  } catch (err) {
    throw new ValidationError(`schedule ${quoteValue(trimmed)}: ${err instanceof Error ? err.message : String(err)}`, 'schedule');
  }
  if (cron.nextRun(new Date(0)) === null) {
    throw new ValidationError(`schedule ${quoteValue(trimmed)} never fires (no date matches its day-of-month and month)`, 'schedule');
  }
  return {
    expression,
    source,
    hasSeconds: fields.length === 6,
    nextRun(after: Date): Date | null {
      return cron.nextRun(after);
    },
  };
}
