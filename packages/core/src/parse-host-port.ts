// `host:port` / `[v6]:port` as used by every Eddy address flag and field.
import { ValidationError } from './errors.js';

export function parseHostPort(address: string, field = 'address'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ValidationError(`${field} must be HOST:PORT (e.g. 127.0.0.1:7070), got ${JSON.stringify(address)}`, field);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
