// The one connection resolver: flag over env over default for the address, the token (with the
// `eddy up` token as last resort) and the CA, for every command that talks to the master.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@eddy/core';
import { CLI_DEFAULTS } from '../src/connection/cli-defaults.js';
import { resolveConnection, resolveTokenFile } from '../src/connection/resolve-connection.js';
import { UsageError } from '../src/usage-error.js';

test('address: --master over EDDY_MASTER over the default; servers must name it; HOST:PORT checked', () => {
  const env = { XDG_STATE_HOME: '/nonexistent' };
  assert.equal(resolveConnection({}, env).address, CLI_DEFAULTS.master);
  assert.equal(resolveConnection({}, { ...env, EDDY_MASTER: 'm:1' }).address, 'm:1');
  assert.equal(resolveConnection({ master: '[::1]:2' }, { ...env, EDDY_MASTER: 'm:1' }).address, '[::1]:2');
  assert.throws(() => resolveConnection({}, { ...env, EDDY_MASTER: '' }, { requireMaster: true }),
    (e: unknown) => e instanceof UsageError && /no master: pass --master/.test(e.message));
  for (const bad of ['nohostport', ':19998', 'a b:1', 'h:99999']) {
    assert.throws(() => resolveConnection({ master: bad }, env), new UsageError(`--master must be HOST:PORT, got ${JSON.stringify(bad)}`));
  }
});

test('token and CA: flag over env, else the token of a local eddy up, else none; unreadable files name the flag', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-conn-'));
  try {
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    assert.deepEqual(resolveConnection({}, env), { address: CLI_DEFAULTS.master, token: '', tokenFile: undefined, ca: undefined });
    await mkdir(join(dir, 'state', 'eddy', 'up'), { recursive: true });
    const upToken = join(dir, 'state', 'eddy', 'up', 'admin-token');
    await writeFile(upToken, 'up-token\n');
    assert.equal(resolveConnection({}, env).token, 'up-token');
    assert.equal(resolveTokenFile({}, env, false), undefined, 'the master never takes the eddy up token');
    assert.equal(resolveConnection({}, env, { upFallback: false }).token, '', 'nor does a worker');
    await writeFile(join(dir, 'state', 'eddy', 'up', 'client-token'), 'up-client datasets=demo\n');
    assert.equal(resolveConnection({}, env, { upFallback: 'client' }).token, 'up-client', 'a mount takes the client token');
    await writeFile(join(dir, 'env-token'), 'env-token\n');
    await writeFile(join(dir, 'flag-token'), 'flag-token\n');
    const withEnv = { ...env, EDDY_TOKEN_FILE: join(dir, 'env-token') };
    assert.equal(resolveConnection({}, withEnv).token, 'env-token');
    assert.equal(resolveConnection({ tokenFile: join(dir, 'flag-token') }, withEnv).token, 'flag-token');
    await writeFile(join(dir, 'ca.pem'), 'PEM');
    assert.equal(resolveConnection({}, { ...env, EDDY_TLS_CA: join(dir, 'ca.pem') }).ca?.toString(), 'PEM');
    assert.throws(() => resolveConnection({ tlsCa: join(dir, 'missing.pem') }, env),
      (e: unknown) => e instanceof ValidationError && /^--tls-ca: cannot read .*ENOENT/.test(e.message));
    assert.throws(() => resolveConnection({ tokenFile: join(dir, 'missing') }, env),
      (e: unknown) => e instanceof ValidationError && /^--token-file: cannot read/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
