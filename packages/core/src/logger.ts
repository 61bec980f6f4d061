// The one way components get a logger: a pino instance (JSON) with secret-bearing
// fields redacted. Library code receives a child logger; it never creates its own output.
//
// pino (a dozen modules with its serializers and thread-stream) is required when the first logger
// is made, not when @eddy/core is imported: a client command that only formats and calls the
// master (`eddy get`) never makes one, and starts faster without it. pino is CommonJS, so a
// synchronous require keeps createLogger synchronous.
import { createRequire } from 'node:module';
import type { Logger, DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Field paths whose values are replaced by "[redacted]" wherever they appear in a log record. */
export const REDACT_PATHS = [
  'token', '*.token', 'secret', '*.secret', 'password', '*.password',
  'accessKeySecret', '*.accessKeySecret', '*.*.accessKeySecret',
  'secretKey', '*.secretKey', '*.*.secretKey',
  'options', '*.options', '*.*.options',
  'stringData', '*.stringData', 'data', '*.data',
  'authorization', '*.authorization', 'headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  destination?: DestinationStream;
}

type Pino = typeof import('pino').pino;
let loaded: Pino | undefined;

function pino(): Pino {
  return (loaded ??= (createRequire(import.meta.url)('pino') as { pino: Pino }).pino);
}

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['EDDY_LOG_LEVEL'] ?? 'info';
  const opts = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  const create = pino();
  return options.destination ? create(opts, options.destination) : create(opts, create.destination(2));
}

/** A logger that drops everything; for tests and for callers that pass none. */
export function silentLogger(): Logger {
  return pino()({ level: 'silent' });
}
