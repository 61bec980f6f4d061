// A separate process holding only a client credential (its --token-file), run by
// test/security-roles.test.ts: it tries what a taken-over FUSE node might try against the master
// and a worker's data channel, then one legitimate read, and prints one JSON line per attempt
// ({ attack, ok, name, code, bytes }). It never prints its token.
import { readFileSync } from 'node:fs';
import { EddyError } from '@eddy/core';
import { createMasterClient, DataChannelClient, readTokenFile, type proto } from '@eddy/protocol';

interface Spec {
  master: string;
  dataAddress: string;
  tokenFile: string;
  /** The dataset this credential may read, and a block of it; another dataset and a block of that. */
  own: { dataset: string; ref: proto.BlockRef };
  other: { dataset: string; ref: proto.BlockRef };
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Spec;
const token = readTokenFile(spec.tokenFile);
const rpc = createMasterClient(spec.master, { token });
const channel = new DataChannelClient(spec.dataAddress, { token });

async function attempt(attack: string, fn: () => Promise<number | undefined>): Promise<void> {
  try {
    const bytes = await fn();
    process.stdout.write(`${JSON.stringify({ attack, ok: true, bytes })}\n`);
  } catch (err) {
    const e = err as EddyError;
    process.stdout.write(`${JSON.stringify({ attack, ok: false, name: e.name, code: e instanceof EddyError ? e.code : 'UNTYPED', message: e.message })}\n`);
  }
}

const manifest = 'apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: takeover}\nspec:\n  mounts:\n    - mountPoint: file:///etc\n';
await attempt('apply', async () => { await rpc.apply({ manifests: manifest }); return undefined; });
const internal = `${manifest.replace('takeover', 'probe').replace('file:///etc', 's3://b/p')}      options: {fs.s3.endpoint: "http://169.254.169.254"}\n`;
await attempt('applyInternalEndpoint', async () => { await rpc.apply({ manifests: internal }); return undefined; });
await attempt('delete', async () => { await rpc.delete({ kind: 'dataset', name: spec.own.dataset }); return undefined; });
await attempt('registerWorker', async () => {
  await rpc.registerWorker({
    workerId: 'rogue', runtime: spec.own.dataset, address: { workerId: 'rogue', hostId: 'h', grpcAddress: '127.0.0.1:1', dataAddress: '127.0.0.1:1' },
    tiers: [], blockKeys: [],
  });
  return undefined;
});
await attempt('heartbeat', async () => { await rpc.heartbeat({ workerId: 'rogue', added: [], removed: [], tiers: [] }); return undefined; });
await attempt('getMountsOther', async () => { await rpc.getMounts({ dataset: spec.other.dataset }); return undefined; });
await attempt('getMountsCredentials', async () => { await rpc.getMounts({ dataset: spec.own.dataset, withCredentials: true }); return undefined; });
await attempt('statOther', async () => { await rpc.stat({ dataset: spec.other.dataset, path: '/' }); return undefined; });
await attempt('readOther', async () => (await channel.readBlock(spec.other.ref, 0, 4)).length);
await attempt('fetchOther', async () => await channel.fetchBlock(spec.other.ref));
// What the credential is for: still served, on the same connection.
await attempt('getMountsOwn', async () => Object.keys((await rpc.getMounts({ dataset: spec.own.dataset })).mounts[0]?.options ?? {}).length);
await attempt('readOwn', async () => (await channel.readBlock(spec.own.ref, 0, Number(spec.own.ref.fileSize))).length);
rpc.close();
await channel.close();
