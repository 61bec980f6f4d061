import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadEddyProto, plainEncodable } from '../src/rpc/load-proto.js';
import { messageCodec } from '../src/rpc/message-codecs.js';
import { codecWarmOrder, warmMessageCodecs } from '../src/rpc/warm-codecs.js';
import type * as proto from '../src/gen/eddy/v1/index-types.js';

const { Master } = loadEddyProto().master.eddy.v1;
const worker = { workerId: 'w1', dataAddress: '127.0.0.1:4001', hostId: 'h1', grpcAddress: '127.0.0.1:5001' };

/** What @grpc/proto-loader writes for `value` of message `name`: fromObject, then encode. */
function viaFromObject(name: string, value: object): Buffer {
  const codec = messageCodec(name);
  return Buffer.from(codec.encode(codec.fromObject(value)).finish());
}

test('a List reply is encoded from the plain object to the bytes fromObject + encode give, and decodes back the same', () => {
  const file = (path: string, size: number | string): proto.FileInfo => ({ path, size, version: 'v1', mtimeMs: 1_764_620_000_000, isDir: false, versionId: '' });
  const res: proto.ListResponse = {
    entries: [{ path: '/d', isDir: true, size: 0 }, file('/big', '9007199254740993')],
    nextPageToken: '',
    blockSize: 4 << 20,
    located: [{ path: '/big', blocks: [{ index: 0, key: 'k0', length: 4 << 20, holders: [worker, worker], preferred: worker }] }],
    subdirs: [
      { path: '/d', entries: [file('/d/a', 5)], located: [{ path: '/d/a', blocks: [{ index: 0, key: 'k1', length: '5', holders: [] }] }] },
      { path: '/d/e', entries: [] },
    ],
  };
  assert.ok(plainEncodable('ListResponse'));
  const wire = Master.service.List.responseSerialize(res);
  assert.deepEqual(wire, viaFromObject('ListResponse', res));
  const back = Master.service.List.responseDeserialize(wire) as proto.ListResponse__Output;
  assert.equal(back.subdirs[0]?.located[0]?.blocks[0]?.length, 5);
  assert.equal(back.located[0]?.blocks[0]?.preferred?.workerId, 'w1');
  assert.equal(back.subdirs[1]?.entries.length, 0);
  assert.equal(back.entries[0]?.isDir, true);
});

test('bytes and map fields encode from the plain object as fromObject gives them', () => {
  const heartbeat: proto.HeartbeatResponse = { free: ['k'], reregister: false, verifiers: [{ sha256: Buffer.from([1, 2, 3]), role: 'client', scoped: true, datasets: ['a'] }] };
  assert.deepEqual(Master.service.Heartbeat.responseSerialize(heartbeat), viaFromObject('HeartbeatResponse', heartbeat));
  const base64: proto.HeartbeatResponse = { verifiers: [{ sha256: Buffer.from([9, 8]).toString('base64'), role: 'admin' }] };
  assert.deepEqual(Master.service.Heartbeat.responseSerialize(base64), viaFromObject('HeartbeatResponse', base64));
  const mounts: proto.GetMountsResponse = { mounts: [{ url: 's3://b/p', path: '/', options: { region: 'x', endpoint: 'http://e' } }], blockSize: '1048576' };
  assert.deepEqual(Master.service.GetMounts.responseSerialize(mounts), viaFromObject('GetMountsResponse', mounts));
});

test('a message type outside eddy.v1 is not taken as plain-encodable', () => {
  assert.equal(plainEncodable('NoSuchMessage'), false);
  assert.equal(plainEncodable('Master'), false); // a service, no fields
});

test('codecs are warmed for every eddy.v1 message once, the served service\'s first', async () => {
  const order = codecWarmOrder('Master');
  assert.equal(new Set(order).size, order.length);
  assert.equal(order[0], 'RegisterWorkerRequest');
  // A reply's nested messages come right after it, unless an earlier method's brought them.
  const list = order.indexOf('ListResponse');
  assert.ok(list >= 0);
  for (const nested of ['FileInfo', 'ListedBlocks', 'BlockLocation', 'WorkerAddress', 'ListedDir']) assert.ok(order.indexOf(nested) <= list + 3, nested);
  assert.deepEqual(new Set(order), new Set(codecWarmOrder('Worker')));
  assert.equal(await warmMessageCodecs('Worker'), order.length);
  assert.equal(await warmMessageCodecs('Master', { signal: AbortSignal.abort() }), 0);
});
