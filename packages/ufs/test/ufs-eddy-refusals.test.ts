// An upstream that answers wrongly is refused, so a downstream worker's read-through fails and
// nothing is cached: another version than the one pinned, a block key that does not name the
// pinned version, a worker that sends fewer bytes than asked or bytes that do not match the CRC32C
// it announced. The upstream here is scripted: an in-test gRPC master and a data-channel worker
// speaking the real frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { crc32c } from '@node-rs/crc32';
import { blockKey, CorruptBlockError, ProtocolError, silentLogger, VersionMismatchError } from '@eddy/core';
import {
  Authenticator, bindServer, createRpcServer, encodeFrame, encodeMessage, FrameDecoder, FrameType, CLIENT_FRAME_TYPES, loadEddyProto,
  MASTER_RPC_ROLES, parseMessage, wrapService,
  type proto,
} from '@eddy/protocol';
import { EddyUfs } from '../src/eddy/eddy-ufs.js';
import { readAll } from './ufs-conformance.js';

const TOKEN = 'upstream-token';
const BS = 1024;
const DATA = Buffer.alloc(3000, 7);
/** What the scripted upstream gets wrong. */
let fault: 'none' | 'version' | 'key' | 'short' | 'corrupt' = 'none';
let master: ReturnType<typeof createRpcServer>;
let worker: Server;
let masterAddress = '';
let workerAddress = '';

function info(version = 'etag-1'): proto.FileInfo {
  return { path: '/m/a.bin', size: DATA.length, version, mtimeMs: 1, isDir: false };
}

/** HELLO → HELLO_OK; READ → the asked bytes (one short under `short`, one flipped under `corrupt`) and their CRC32C. */
function serveDataChannel(socket: Socket): void {
  const decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES });
  socket.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      if (f.type === FrameType.HELLO) socket.write(encodeMessage(FrameType.HELLO_OK, { version: 1 }));
      if (f.type !== FrameType.READ) continue;
      const r = parseMessage(FrameType.READ, f.payload);
      const from = r.ref.index * r.ref.blockSize + r.offset;
      const bytes = Buffer.from(DATA.subarray(from, from + r.length - (fault === 'short' ? 1 : 0)));
      const crc = crc32c(bytes);
      if (fault === 'corrupt') bytes.writeUInt8(bytes.readUInt8(10) ^ 0xff, 10);
      socket.write(encodeMessage(FrameType.READ_HEADER, { length: bytes.length, source: 'cache' }));
      socket.write(encodeFrame(FrameType.DATA, bytes));
      socket.write(encodeMessage(FrameType.END, r.verify ? { crc32c: crc } : {}));
    }
  });
  socket.on('error', () => undefined);
}

before(async () => {
  worker = createServer(serveDataChannel);
  await new Promise<void>((resolve) => worker.listen(0, '127.0.0.1', resolve));
  workerAddress = `127.0.0.1:${(worker.address() as { port: number }).port}`;
  master = createRpcServer();
  const security = { token: TOKEN };
  master.addService(loadEddyProto().master.eddy.v1.Master.service, wrapService({
    stat: async (): Promise<proto.StatResponse> => ({ info: info() }),
    getBlockLocations: async (req: proto.GetBlockLocationsRequest__Output): Promise<proto.GetBlockLocationsResponse> => {
      const version = fault === 'version' ? 'etag-2' : 'etag-1';
      const first = Math.floor(Number(req.offset) / BS);
      const blocks: proto.BlockLocation[] = [];
      for (let i = first; i * BS < DATA.length; i++) {
        const key = blockKey(req.dataset, '/m/a.bin', fault === 'key' ? 'etag-other' : version, i, BS);
        blocks.push({ index: i, key, length: Math.min(BS, DATA.length - i * BS), holders: [], preferred: { workerId: 'w', dataAddress: workerAddress } });
      }
      return { info: info(version), blockSize: BS, blocks };
    },
  }, { authenticator: Authenticator.fromCredentials({ admin: [{ token: security.token }] }), roles: MASTER_RPC_ROLES }, silentLogger()));
  masterAddress = `127.0.0.1:${await bindServer(master, '127.0.0.1:0', security)}`;
});

after(async () => {
  await new Promise<void>((resolve) => master.tryShutdown(() => resolve()));
  await new Promise<void>((resolve) => worker.close(() => resolve()));
});

async function readWith(f: typeof fault): Promise<Buffer> {
  fault = f;
  const ufs = new EddyUfs({ url: `eddy://${masterAddress}/models/m`, options: { 'fs.eddy.token': TOKEN } });
  try {
    return await readAll(await ufs.read('a.bin', { offset: 500, length: 2000, ifMatch: 'etag-1' }));
  } finally {
    await ufs.close();
  }
}

test('a faithful upstream serves the exact range across its blocks', async () => {
  assert.deepEqual(await readWith('none'), DATA.subarray(500, 2500));
});

test('an upstream that answers another version than the one pinned is refused', async () => {
  await assert.rejects(readWith('version'), VersionMismatchError);
});

test('block keys that do not name the pinned version are refused before any byte is read', async () => {
  await assert.rejects(readWith('key'), (e: Error) => e instanceof ProtocolError && /does not belong to version etag-1/.test(e.message));
});

test('bytes that do not match the CRC32C the worker announced are refused', async () => {
  await assert.rejects(readWith('corrupt'), CorruptBlockError);
});

test('a worker that sends fewer bytes than asked is refused', async () => {
  await assert.rejects(readWith('short'), (e: Error) => e instanceof CorruptBlockError || e instanceof ProtocolError);
});
