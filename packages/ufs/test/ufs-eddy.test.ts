// Runs the UFS conformance suite against eddy://, an upstream Eddy cluster (a master and a worker,
// each its own process, over a real S3 server) standing in for the bucket. Objects put behind
// the driver's back land in the upstream's bucket and the upstream master is told to list again
// (a downstream sees what its upstream lists, as a downstream of a bucket sees what the bucket lists).
// The driver holds what a downstream region holds: a client credential of the upstream scoped to the dataset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AccessDeniedError, ValidationError } from '@eddy/core';
import { freePort, s3DatasetManifests } from '@eddy/testkit';
import { EddyCluster } from '@eddy/test-cluster';
import { createUfs } from '../src/create-ufs.js';
import { EddyUfs } from '../src/eddy/eddy-ufs.js';
import { runUfsConformance, readAll } from './ufs-conformance.js';

let upstream: EddyCluster;
const PREFIX = 'mnt';

before(async () => {
  upstream = await EddyCluster.start('ufs-eddy', { startTimeoutMs: 120_000 });
  // 64 KiB upstream blocks: the suite's objects span several blocks, so reads cross block edges.
  await upstream.apply(s3DatasetManifests(upstream.bucket, upstream.s3, { blockSize: '64Ki' }));
  await upstream.startWorker({ id: 'w1' });
});
after(async () => { await upstream?.close(); });

/** The upstream's client credential scoped to `models`, the dataset the mounts read. */
const scopedToken = (): string => upstream.credentials.scopedClient.token;

function eddyUrl(address = upstream.masterAddress): string {
  return `eddy://${address}/models/${PREFIX}`;
}

/** One upstream refresh for every put finished before it starts; a later put waits for the next. */
let nextRefresh: Promise<void> | undefined;
async function refreshAfterPut(): Promise<void> {
  nextRefresh ??= new Promise((resolve) => setTimeout(resolve, 20)).then(async () => {
    nextRefresh = undefined;
    await upstream.refresh();
  });
  await nextRefresh;
}

runUfsConformance('eddy', async () => {
  const ufs = createUfs({ url: eddyUrl(), options: { 'fs.eddy.token': scopedToken() } });
  return {
    ufs,
    async put(key, data) {
      await upstream.s3.client.putObject(upstream.bucket, `${PREFIX}/${key}`, data, data.length);
      await refreshAfterPut();
    },
    wrongCredentials() {
      const secret = 'wrong-upstream-token-5a4b3c2d1e';
      return { ufs: createUfs({ url: eddyUrl(), options: { 'fs.eddy.token': secret } }), secret };
    },
    async unreachable() {
      return createUfs({ url: eddyUrl(`127.0.0.1:${await freePort()}`), options: { 'fs.eddy.token': scopedToken() } });
    },
    async close() { await ufs.close(); },
  };
});

test('eddy:// URLs and options are checked up front, naming the field and the fix', () => {
  const token = { 'fs.eddy.token': 't0k3n' };
  const bad: Array<[string, Record<string, string>, string, RegExp]> = [
    ['eddy://master/models', token, 'url', /HOST:PORT/],
    ['eddy://master:0/models', token, 'url', /port in 1-65535/],
    ['eddy://master:7070', token, 'url', /names no dataset/],
    ['eddy://master:7070/Models_X', token, 'url', /not a Dataset name/],
    ['eddy://user:pw@master:7070/models', token, 'url', /fs\.eddy\.token/],
    ['eddy://master:7070/models/../x', token, 'url', /'\.\.'/],
    ['eddy://master:7070/models', {}, 'fs.eddy.token', /encryptOptions/],
    ['eddy://master:7070/models', { ...token, 'fs.eddy.tlsCA': '/etc/ca.pem' }, 'fs.eddy.tlsCA', /PEM/],
    ['eddy://master:7070/models', { ...token, 'fs.eddy.fallback': 'eddy://other:7070/models' }, 'fs.eddy.fallback', /bucket/],
    ['eddy://master:7070/models', { ...token, 'fs.eddy.probeIntervalSeconds': 'soon' }, 'fs.eddy.probeIntervalSeconds', /seconds/],
  ];
  for (const [url, options, field, message] of bad) {
    assert.throws(() => createUfs({ url, options }), (err: Error) => {
      assert.ok(err instanceof ValidationError, `${url}: ${err.name}`);
      assert.equal(err.field, field, url);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('t0k3n'), 'never the token');
      return true;
    });
  }
  const ok = new EddyUfs({ url: 'eddy://[::1]:7070/models/a/b/', options: token });
  assert.equal(ok.description, 'eddy://[::1]:7070/models/a/b/');
  void ok.close();
});

test('a wrong token is AccessDenied naming fs.eddy.token; a version the upstream does not have is refused', async () => {
  await upstream.s3.client.putObject(upstream.bucket, `${PREFIX}/checked.bin`, Buffer.from('checked bytes'), 13);
  await upstream.refresh();
  const ufs = createUfs({ url: eddyUrl(), options: { 'fs.eddy.token': scopedToken() } });
  try {
    const st = await ufs.stat('checked.bin');
    assert.equal(st.version, (await upstream.s3.client.statObject(upstream.bucket, `${PREFIX}/checked.bin`)).etag, "the bucket's ETag");
    assert.equal((await readAll(await ufs.read('checked.bin', { offset: 8, ifMatch: st.version }))).toString(), 'bytes');
    await assert.rejects(ufs.read('checked.bin', { ifMatch: `${st.version}-other` }), (e: Error) => e.name === 'VersionMismatchError');
  } finally {
    await ufs.close();
  }
  const wrong = createUfs({ url: eddyUrl(), options: { 'fs.eddy.token': 'nope' } });
  try {
    await assert.rejects(wrong.stat('checked.bin'), (e: Error) => e instanceof AccessDeniedError && /fs\.eddy\.token/.test(e.message));
  } finally {
    await wrong.close();
  }
});
