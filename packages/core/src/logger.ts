// The one way components get a logger: a pino instance (JSON) with secret-bearing
// fields redacted. Library code receives a child logger; it never creates its own output.
import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['EDDY_LOG_LEVEL'] ?? 'info';
  const opts = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return options.destination ? pino(opts, options.destination) : pino(opts, pino.destination(2));
}

/** A logger that drops everything; for tests and for callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
