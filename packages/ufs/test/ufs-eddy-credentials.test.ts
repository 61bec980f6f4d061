// The upstream credential and CA of an eddy:// mount, with roles (issue 15): `fs.eddy.token` is a
// client credential of the upstream scoped to the one dataset the mount reads, `fs.eddy.tlsCA`
// the CA of an upstream that speaks TLS. The upstream is a real master + worker (processes) with
// TLS on both channels, serving the file:// datasets `demo` (the credential's) and `other`.
// Checked: listing, stat, versions, a refresh and block bytes (the data channel, over TLS) of
// `demo`; nothing of `other` (control calls or data-channel frames); no apply; no answer without
// the right CA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccessDeniedError, EddyError, PermissionDeniedError } from '@eddy/core';
import { createMasterClient, DataChannelClient, type MasterRpc } from '@eddy/protocol';
import { createTlsFixture, type TlsFixture } from '@eddy/testkit';
import { CleanupStack, startProcCluster, type ProcCluster } from '@eddy/test-cluster';
import { createUfs } from '../src/create-ufs.js';
import type { UnderFileSystem } from '../src/under-file-system.js';
import { readAll } from './ufs-conformance.js';

const MiB = 1024 * 1024;
const DATA = randomBytes(2 * MiB + 77);
const cleanup = new CleanupStack();
let fx: TlsFixture;
let otherCa: TlsFixture;
let c: ProcCluster;
let admin: MasterRpc;

before(async () => {
  fx = createTlsFixture();
  cleanup.add('tls fixture', () => fx.cleanup());
  otherCa = createTlsFixture();
  cleanup.add('other tls fixture', () => otherCa.cleanup());
  c = await startProcCluster({ token: `admin-${randomBytes(8).toString('hex')}`, tls: fx, files: { 'm/a.bin': DATA } });
  cleanup.add('upstream', () => c.close());
  admin = createMasterClient(c.masterAddress, c.security);
  cleanup.add('admin client', () => admin.close());
  // A second dataset of the same upstream (the same directory: the master allows only that root).
  await admin.apply({ manifests: `apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: other}
spec:
  mounts:
    - mountPoint: file://${c.ufsDir}
` });
});
after(async () => { await cleanup.run(); });

/** The downstream's view: `eddy://UPSTREAM/DATASET` with the scoped client credential and the upstream's CA. */
function mount(dataset: string, options: Record<string, string> = {}): UnderFileSystem {
  const ufs = createUfs({
    url: `eddy://${c.masterAddress}/${dataset}`,
    options: { 'fs.eddy.token': c.credentials.scopedClient.token, 'fs.eddy.tlsCA': fx.ca.toString(), 'fs.eddy.timeoutSeconds': '5', ...options },
  });
  cleanup.add(`ufs ${dataset}`, () => ufs.close());
  return ufs;
}

test('a client credential scoped to the dataset, over TLS (fs.eddy.tlsCA): listing, stat, a refresh, and exact bytes from the worker', async () => {
  const ufs = mount('demo');
  const listed = [];
  for await (const e of ufs.list('')) listed.push(e.path);
  assert.deepEqual(listed, ['m/a.bin']);
  const st = await ufs.stat('m/a.bin');
  assert.equal(st.size, DATA.length);
  // Bytes come through the upstream's worker (read-through of a file:// bucket), across a block edge.
  const range = await readAll(await ufs.read('m/a.bin', { offset: MiB - 10, length: MiB + 20, ifMatch: st.version }));
  assert.ok(range.equals(DATA.subarray(MiB - 10, 2 * MiB + 10)), 'the exact bytes');
  assert.ok((await readAll(await ufs.read('m/a.bin'))).equals(DATA));
  // A new object appears in a downstream listing: the credential may have the upstream list its
  // bucket (no more often than the upstream's on-demand interval, 2 s, which has passed by then).
  await writeFile(join(c.ufsDir, 'm', 'new.bin'), 'new');
  await new Promise((r) => setTimeout(r, 2_100));
  const again = [];
  for await (const e of ufs.list('')) again.push(e.path);
  assert.deepEqual(again.sort(), ['m/a.bin', 'm/new.bin']);
});

test('the scoped credential reads no other dataset of the upstream (control calls or data-channel frames) and cannot apply', async () => {
  const other = mount('other');
  const denied = (e: unknown): boolean => e instanceof AccessDeniedError && /fs\.eddy\.token/.test(e.message) && /other/.test(e.message)
    && !e.message.includes(c.credentials.scopedClient.token);
  await assert.rejects(other.stat('m/a.bin'), denied);
  await assert.rejects(other.read('m/a.bin'), denied);
  await assert.rejects((async () => { for await (const e of other.list('')) void e; })(), denied);

  const scoped = createMasterClient(c.masterAddress, { ...c.security, token: c.credentials.scopedClient.token });
  cleanup.add('scoped client', () => scoped.close());
  await assert.rejects(scoped.apply({ manifests: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n' }), PermissionDeniedError);
  await assert.rejects(scoped.refresh({ dataset: 'other' }), PermissionDeniedError);
  await assert.rejects(scoped.getMounts({ dataset: 'demo', withCredentials: true }), PermissionDeniedError);

  // A data-channel frame naming `other` is refused by the worker, whatever the ref says otherwise.
  const loc = await admin.getBlockLocations({ dataset: 'demo', path: '/m/a.bin', version: '', offset: 0, length: 1 });
  const ref = {
    key: loc.blocks[0]!.key, dataset: 'other', path: '/m/a.bin', version: loc.info!.version, index: 0, blockSize: loc.blockSize, fileSize: loc.info!.size,
  };
  const dc = new DataChannelClient(c.workerDataAddress, { token: c.credentials.scopedClient.token, tls: { ca: fx.ca } });
  cleanup.add('data client', () => dc.close());
  await assert.rejects(dc.readBlock(ref, 0, 16), (e: unknown) => e instanceof EddyError && e.code === 'PERMISSION_DENIED');
  assert.equal((await dc.readBlock({ ...ref, dataset: 'demo' }, 0, 16)).length, 16, 'the same ref in its own dataset reads');
});

test('without fs.eddy.tlsCA, or with another CA, a TLS upstream does not answer (in bounded time) and nothing is read in plaintext', async () => {
  for (const [what, ca] of [['no CA', ''], ['another CA', otherCa.ca.toString()]] as const) {
    const ufs = mount('demo', { 'fs.eddy.tlsCA': ca, 'fs.eddy.timeoutSeconds': '3' });
    await assert.rejects(ufs.stat('m/a.bin'), (e: unknown) => e instanceof EddyError && ['UNAVAILABLE', 'UNREACHABLE', 'TIMEOUT'].includes(e.code), what);
  }
});
