// Issue 15, Secret lookup honours the namespace: against a real `eddy master`, through `eddy apply`,
// a Dataset of namespace team-x whose encryptOptions name a Secret that only namespace team-y has
// is refused, whether that Secret was applied before or in the same file, with an error naming the
// field (spec.mounts[0].encryptOptions[0].valueFrom.secretKeyRef.name) and the namespace; nothing
// of the refused file is stored and no Secret value is printed. The master stores objects by kind
// and name, so a Secret of the same name in another namespace is refused too (it would replace
// the first one); what a worker's GetMounts hands over is always the Dataset's own namespace's value.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMasterClient, type MasterRpc } from '@eddy/protocol';
import { CleanupStack, runEddy, startProcCluster, type ProcCluster } from '@eddy/test-cluster';

const ADMIN = 'secret-ns-admin-token-3e71';
const Y_VALUE = 'team-y-canary-value-0c41d9';
const X_VALUE = 'team-x-value-77a2b0';
const FIELD = 'spec.mounts[0].encryptOptions[0].valueFrom.secretKeyRef.name';
const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let c: ProcCluster;
let admin: MasterRpc;

function secret(name: string, namespace: string, value: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: ${namespace}}\nstringData:\n  fs.s3.accessKeySecret: ${value}\n`;
}

function dataset(name: string, namespace: string, secretName: string): string {
  return `apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  mounts:\n`
    + `    - mountPoint: file://${c.ufsDir}\n      encryptOptions:\n`
    + `        - {name: fs.s3.accessKeySecret, valueFrom: {secretKeyRef: {name: ${secretName}, key: fs.s3.accessKeySecret}}}\n`;
}

/** `eddy apply -f` of `docs` as the admin; its exit code and output. */
async function apply(file: string, ...docs: string[]): Promise<{ code: number | null; out: string }> {
  const path = join(c.dir, file);
  await writeFile(path, docs.join('---\n'));
  const res = await runEddy(['apply', '-f', path], { env: c.env });
  return { code: res.code, out: `${res.stdout}${res.stderr}` };
}

async function names(kind: string): Promise<string[]> {
  return (await admin.get({ kind, name: '' })).resources.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`).sort();
}

before(async () => {
  c = await startProcCluster({ token: ADMIN, files: { 'f.bin': Buffer.from('hello') } });
  cleanup.add('cluster', () => c.close());
  admin = createMasterClient(c.masterAddress, { token: ADMIN });
  cleanup.add('admin client', () => admin.close());
  const applied = await apply('y.yaml', secret('creds', 'team-y', Y_VALUE));
  assert.equal(applied.code, 0, applied.out);
});

test('a Dataset of namespace X naming a Secret of namespace Y is refused, naming the field and the namespace', async () => {
  const before = await names('dataset');
  const cases = {
    'the Secret applied before': await apply('x-alone.yaml', dataset('dx', 'team-x', 'creds')),
    'the Secret in the same file, in the other namespace': await apply('x-with-y.yaml', secret('other-creds', 'team-y', Y_VALUE),
      dataset('dx', 'team-x', 'other-creds')),
  };
  for (const [what, res] of Object.entries(cases)) {
    assert.notEqual(res.code, 0, `${what}: refused`);
    assert.ok(res.out.includes(FIELD), `${what}: names the field: ${res.out}`);
    assert.match(res.out, /does not exist in namespace "team-x"/, what);
    assert.ok(!res.out.includes(Y_VALUE), `${what}: the other namespace's value is not printed`);
  }
  assert.deepEqual(await names('dataset'), before, 'no Dataset stored');
  assert.deepEqual(await names('secret'), ['team-y/creds'], 'nothing of the refused file stored');
});

test('a Secret of the same name in another namespace cannot replace it; a worker gets its own namespace\'s value', async () => {
  const clash = await apply('x-clash.yaml', secret('creds', 'team-x', X_VALUE), dataset('dx', 'team-x', 'creds'));
  assert.notEqual(clash.code, 0);
  assert.match(clash.out, /Secret "creds" of namespace "team-x": a Secret of that name exists in namespace "team-y"/);
  assert.ok(!clash.out.includes(X_VALUE) && !clash.out.includes(Y_VALUE));
  assert.deepEqual(await names('secret'), ['team-y/creds']);

  const ok = await apply('x-own.yaml', secret('x-creds', 'team-x', X_VALUE), dataset('dx', 'team-x', 'x-creds'));
  assert.equal(ok.code, 0, ok.out);
  const worker = createMasterClient(c.masterAddress, { token: c.credentials.worker.token });
  try {
    const mounts = await worker.getMounts({ dataset: 'dx', withCredentials: true });
    assert.equal(mounts.mounts[0]?.options['fs.s3.accessKeySecret'], X_VALUE, 'the value of the Dataset\'s own namespace');
  } finally { worker.close(); }
  assert.ok(c.master.running, 'the master keeps serving');
  assert.equal((await admin.stat({ dataset: 'demo', path: '/f.bin' })).info?.size, 5);
});
