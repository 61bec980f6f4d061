// Issue 15, confinement: against real `eddy master` and `eddy worker` processes started with
// `--allow-file-root <the dataset's directory>`, a Dataset over `file:///etc`, over a symlink
// out of the allowed root, over an internal endpoint (with `--allow-endpoint`), or with a secret
// in plain options is refused with a typed error, and the cluster keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMasterClient, type MasterRpc } from '@eddy/protocol';
import { EddyProcess, CleanupStack, eventually, runEddy, startProcCluster, type ProcCluster } from '@eddy/test-cluster';
import { freePort } from '@eddy/testkit';

const TOKEN = 'confinement-token-7a1e';
const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let c: ProcCluster;
let rpc: MasterRpc;

before(async () => {
  c = await startProcCluster({
    token: TOKEN, files: { 'f.bin': Buffer.from('hello') },
    prepare: async ({ ufsDir }) => { await symlink('/etc', join(ufsDir, 'etc-link')); },
  });
  cleanup.add('cluster', () => c.close());
  rpc = createMasterClient(c.masterAddress, { token: TOKEN });
  cleanup.add('master client', () => rpc.close());
});

const dataset = (name: string, mountPoint: string, options = ''): string => `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: ${name}}
spec:
  mounts:
    - mountPoint: ${mountPoint}${options ? `\n      options: ${options}` : ''}
`;

async function assertStillServing(): Promise<void> {
  assert.ok(c.master.running && c.worker.running, 'master and worker processes are alive');
  const st = await rpc.stat({ dataset: 'demo', path: '/f.bin' });
  assert.equal(st.info?.size, 5);
  assert.equal((await rpc.listWorkers({})).workers.filter((w) => w.live).length, 1);
}

test('a Dataset over file:///etc, /, or a symlink out of the allowed root is refused (ACCESS_DENIED) at apply', async () => {
  for (const mp of ['file:///etc', 'file:///', `file://${join(c.ufsDir, 'etc-link')}`, `file://${c.dataDir}`, 'local:///etc']) {
    await assert.rejects(rpc.apply({ manifests: dataset('evil', mp) }),
      (e: Error & { code?: string }) => e.code === 'ACCESS_DENIED' && /not under an allowed directory/.test(e.message), mp);
    // The CLI shows the reason and exits non-zero.
    const file = join(c.dir, 'evil.yaml');
    await writeFile(file, dataset('evil', mp));
    const res = await runEddy(['apply', '-f', file], { env: c.env });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /allow-file-root|not under an allowed directory/);
  }
  await assertStillServing();
});

test('a secret in plain options is refused at apply with an error naming encryptOptions', async () => {
  await assert.rejects(rpc.apply({ manifests: dataset('leaky', 's3://bucket/p', '{fs.s3.accessKeySecret: hunter2}') }),
    (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && /encryptOptions/.test(e.message) && !e.message.includes('hunter2'));
  await assertStillServing();
});

test('with --allow-endpoint, an internal S3 endpoint is refused at apply (ACCESS_DENIED)', async () => {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const master = new EddyProcess(['master', '--listen', address, '--data-dir', join(c.dir, 'state-ep'), '--token-file', c.tokenFile,
    '--allow-endpoint', 's3.example.com'], { env: { EDDY_LOG_LEVEL: 'warn' } });
  cleanup.add('endpoint master', () => master.stop('SIGTERM'));
  const client = createMasterClient(address, { token: TOKEN });
  cleanup.add('endpoint master client', () => client.close());
  await eventually('master answering', 20_000, async () => { await client.listWorkers({}, { timeoutMs: 1_000 }); return true; }, 200);
  for (const ep of ['http://169.254.169.254', 'http://127.0.0.1:9000', 'http://s3.example.com.attacker.net']) {
    await assert.rejects(client.apply({ manifests: dataset('internal', 's3://bucket/p', `{fs.s3.endpoint: "${ep}"}`) }),
      (e: Error & { code?: string }) => e.code === 'ACCESS_DENIED' && /not an allowed endpoint/.test(e.message), ep);
  }
  const ok = await client.apply({ manifests: dataset('fine', 's3://bucket/p', '{fs.s3.endpoint: "https://s3.example.com"}') });
  assert.equal(ok.results[0]?.action, 'created');
  assert.ok(master.running);
});
