// A throwaway certificate authority and a server certificate for 127.0.0.1/localhost, made with
// the openssl command line for TLS tests (no key material is committed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFixture {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  cleanup(): void;
}

export function createTlsFixture(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-tls-'));
  const run = (args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=eddy-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.crt']);
  const f = (n: string): string => join(dir, n);
  return {
    dir, caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key'),
    ca: readFileSync(f('ca.crt')), cert: readFileSync(f('server.crt')), key: readFileSync(f('server.key')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
