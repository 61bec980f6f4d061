// The role table and the authenticator in isolation: every RPC has a rule, each role gets what the
// table says and nothing else, dataset scopes hold, and credential files parse as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionDeniedError, ValidationError } from '@eddy/core';
import { Authenticator } from '../src/rpc/authenticator.js';
import { parseCredentials } from '../src/rpc/credential-file.js';
import { loadEddyProto } from '../src/rpc/load-proto.js';
import { authorize, DATA_CHANNEL_ROLES, MASTER_RPC_ROLES, WORKER_RPC_ROLES, type Principal, type RoleTable } from '../src/rpc/rpc-roles.js';

const admin: Principal = { role: 'admin', datasets: undefined, directUfs: false };
const worker: Principal = { role: 'worker', datasets: undefined, directUfs: false };
const client: Principal = { role: 'client', datasets: undefined, directUfs: false };
const scoped: Principal = { role: 'client', datasets: new Set(['a']), directUfs: false };

function allowed(table: RoleTable, method: string, p: Principal, req: unknown = {}): boolean {
  try {
    authorize(table, method, p, req);
    return true;
  } catch (err) {
    assert.ok(err instanceof PermissionDeniedError, `${method}: ${String(err)}`);
    return false;
  }
}

test('every Master and Worker RPC has exactly one rule (a new RPC without one is refused by wrapService)', () => {
  const { master, worker: w } = loadEddyProto();
  const names = (svc: Record<string, { originalName?: string }>): string[] => Object.values(svc).map((d) => d.originalName ?? '').sort();
  assert.deepEqual(names(master.eddy.v1.Master.service), Object.keys(MASTER_RPC_ROLES).sort());
  assert.deepEqual(names(w.eddy.v1.Worker.service), Object.keys(WORKER_RPC_ROLES).sort());
});

test('role table: admin everything; worker and client only their calls', () => {
  const expect: Record<string, Array<'admin' | 'worker' | 'client'>> = {
    registerWorker: ['admin', 'worker'], heartbeat: ['admin', 'worker'], listWorkers: ['admin', 'worker', 'client'],
    stat: ['admin', 'client'], list: ['admin', 'client'], getBlockLocations: ['admin', 'client'], getMounts: ['admin', 'worker', 'client'],
    holdVersions: ['admin', 'client'], refresh: ['admin', 'client'], reportReads: ['admin', 'client'], apply: ['admin'], get: ['admin', 'client'], delete: ['admin'],
  };
  for (const [method, roles] of Object.entries(expect)) {
    for (const p of [admin, worker, client]) {
      assert.equal(allowed(MASTER_RPC_ROLES, method, p), roles.includes(p.role), `${p.role} ${method}`);
    }
  }
  for (const method of Object.keys(WORKER_RPC_ROLES)) {
    assert.ok(allowed(WORKER_RPC_ROLES, method, worker));
    assert.ok(!allowed(WORKER_RPC_ROLES, method, client), `client ${method}`);
  }
  for (const frame of ['READ', 'LOCAL', 'FETCH', 'RELEASE']) assert.ok(allowed(DATA_CHANNEL_ROLES, frame, client));
  assert.ok(!allowed(MASTER_RPC_ROLES, 'noSuchMethod', client), 'deny by default');
  assert.ok(allowed(MASTER_RPC_ROLES, 'noSuchMethod', admin));
});

test('dataset scope: a scoped credential names only its datasets, everywhere the request names one', () => {
  assert.ok(allowed(MASTER_RPC_ROLES, 'stat', scoped, { dataset: 'a', path: '/' }));
  assert.ok(!allowed(MASTER_RPC_ROLES, 'stat', scoped, { dataset: 'b', path: '/' }));
  assert.ok(!allowed(MASTER_RPC_ROLES, 'getMounts', scoped, { dataset: 'b' }));
  assert.ok(!allowed(MASTER_RPC_ROLES, 'reportReads', scoped, { reads: [{ dataset: 'a' }, { dataset: 'b' }] }));
  assert.ok(allowed(MASTER_RPC_ROLES, 'reportReads', scoped, { reads: [{ dataset: 'a' }] }));
  assert.ok(!allowed(DATA_CHANNEL_ROLES, 'READ', scoped, { ref: { dataset: 'b' } }));
  assert.ok(allowed(DATA_CHANNEL_ROLES, 'READ', scoped, { ref: { dataset: 'a' } }));
  const scopedWorker: Principal = { ...worker, datasets: new Set(['a']) };
  assert.ok(!allowed(MASTER_RPC_ROLES, 'registerWorker', scopedWorker, { runtime: 'b' }));
  assert.ok(!allowed(WORKER_RPC_ROLES, 'loadBlocks', scopedWorker, { blocks: [{ dataset: 'b' }] }));
});

test('authenticator: token to role, unknown refused, digests learned by a worker', () => {
  const auth = Authenticator.fromCredentials({
    admin: [{ token: 'admin-token-0123456789' }], worker: [{ token: 'worker-token-0123456789' }],
    client: [{ token: 'client-token-0123456789', datasets: ['a'] }, { token: 'client-old-0123456789' }],
  });
  assert.equal(auth.authenticate('admin-token-0123456789')?.role, 'admin');
  assert.equal(auth.authenticate('worker-token-0123456789')?.role, 'worker');
  assert.deepEqual([...auth.authenticate('client-token-0123456789')!.datasets!], ['a']);
  assert.equal(auth.authenticate('client-old-0123456789')?.datasets, undefined, 'two client tokens (rotation)');
  for (const bad of [undefined, '', 'admin-token-012345678', 'nope']) assert.equal(auth.authenticate(bad), undefined);
  // A worker knows its own token and learns digests, never tokens.
  const w = Authenticator.fromCredentials({ worker: [{ token: 'worker-token-0123456789' }] });
  assert.equal(w.authenticate('client-token-0123456789'), undefined);
  w.learn(auth.verifiers(['admin', 'client']));
  assert.equal(w.authenticate('client-token-0123456789')?.role, 'client');
  assert.equal(w.authenticate('worker-token-0123456789')?.role, 'worker');
  assert.ok(auth.verifiers(['client']).every((v) => v.sha256.length === 32 && !v.sha256.toString('latin1').includes('client')));
  // No credential at all: open (local tests only), every caller admin.
  assert.equal(Authenticator.fromCredentials({}).authenticate(undefined)?.role, 'admin');
});

test('credential files: one per line, attributes, comments; errors name the line, never the token', () => {
  const creds = parseCredentials('# admin\nabc123\n\ntok-2 datasets=a,b ufs=direct  # scoped\n', 'f', '--client-token-file');
  assert.deepEqual(creds, [{ token: 'abc123' }, { token: 'tok-2', datasets: ['a', 'b'], directUfs: true }]);
  assert.throws(() => parseCredentials('# nothing\n', 'f', '--x'), ValidationError);
  assert.throws(() => parseCredentials('secret-tok datasets=\n', 'f', '--x'), (e: unknown) => e instanceof ValidationError && !e.message.includes('secret-tok'));
  assert.throws(() => parseCredentials('secret-tok role=admin\n', 'f', '--x'), /line 1: unknown attribute "role"/);
  assert.throws(() => parseCredentials('secret-tok datasets=Bad_Name\n', 'f', '--x'), /datasets=/);
});

test('worker binding: a credential with workers= registers and heartbeats only as those ids', () => {
  const [bound] = parseCredentials('w-tok datasets=rt workers=w-1,host.a:2\n', 'f', '--worker-token-file');
  assert.deepEqual(bound, { token: 'w-tok', datasets: ['rt'], workers: ['w-1', 'host.a:2'] });
  assert.throws(() => parseCredentials('w-tok workers=\n', 'f', '--x'), /workers= takes comma-separated worker ids/);
  const p = Authenticator.fromCredentials({ worker: [bound!] }).authenticate('w-tok')!;
  assert.deepEqual([...p.workers!], ['w-1', 'host.a:2']);
  assert.ok(allowed(MASTER_RPC_ROLES, 'registerWorker', p, { workerId: 'w-1', runtime: 'rt' }));
  assert.ok(allowed(MASTER_RPC_ROLES, 'heartbeat', p, { workerId: 'host.a:2' }));
  assert.ok(!allowed(MASTER_RPC_ROLES, 'registerWorker', p, { workerId: 'w-2', runtime: 'rt' }), 'another worker id');
  assert.ok(!allowed(MASTER_RPC_ROLES, 'registerWorker', p, { workerId: 'w-1', runtime: 'other' }), 'another runtime');
  assert.ok(!allowed(MASTER_RPC_ROLES, 'heartbeat', p, { workerId: 'w-2' }));
  assert.ok(!allowed(MASTER_RPC_ROLES, 'heartbeat', p, {}), 'no worker id is not one of its ids');
  // Unbound: any id, as before.
  assert.ok(allowed(MASTER_RPC_ROLES, 'registerWorker', worker, { workerId: 'anything', runtime: 'rt' }));
});

test('authenticator.replace: the new set applies at once, the old tokens are refused; an empty set is refused', () => {
  const auth = Authenticator.fromCredentials({ admin: [{ token: 'admin-old-0123456789' }], client: [{ token: 'client-old-0123456789' }] });
  auth.replace({ admin: [{ token: 'admin-new-0123456789' }], client: [{ token: 'client-old-0123456789' }, { token: 'client-new-0123456789' }] });
  assert.equal(auth.authenticate('admin-old-0123456789'), undefined);
  assert.equal(auth.authenticate('admin-new-0123456789')?.role, 'admin');
  assert.equal(auth.authenticate('client-old-0123456789')?.role, 'client');
  assert.equal(auth.authenticate('client-new-0123456789')?.role, 'client');
  assert.deepEqual(auth.verifiers(['client']).length, 2, 'what workers learn follows');
  assert.throws(() => auth.replace({}), ValidationError);
  assert.equal(auth.authenticate('admin-new-0123456789')?.role, 'admin', 'kept after a refused replace');
});
