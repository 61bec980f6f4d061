// A hostile "worker" process for the local-handoff attack test (issue 15): it registers with the
// master under the FUSE client's host id, claims every block of one file, and answers each LOCAL
// with a LOCAL_OK naming a file that is not a block file of its tier: a secret of exactly the
// block's length outside its registered tier directory (even blocks), or a symlink planted in
// that directory leading to the secret (odd blocks). READ and FETCH get ERROR, so the client has
// to find the bytes elsewhere. It prints `ready` once registered and `LOCAL_OK <path>` per answer.
//
// It holds only a worker credential (it cannot Stat), so the test hands it the file's version and size.
//
// argv: masterAddress tokenFile runtime dataset path blockSize hostId tierRoot secretPath version size
import { readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { blockCount, blockKey, blockLength } from '@eddy/core';
import { CLIENT_FRAME_TYPES, FrameDecoder, FrameType, createMasterClient, encodeMessage, parseMessage } from '@eddy/protocol';

const [masterAddress, tokenFile, runtime, dataset, path, blockSizeText, hostId, tierRoot, secretPath, version, sizeText] = process.argv.slice(2) as string[];
const token = readFileSync(tokenFile!, 'utf8').trim();
const blockSize = Number(blockSizeText);
const master = createMasterClient(masterAddress!, { token });
const size = Number(sizeText);
const keys = Array.from({ length: blockCount(size, blockSize) }, (_, i) => blockKey(dataset!, path!, version!, i, blockSize));

function serve(socket: Socket): void {
  const decoder = new FrameDecoder({ accept: CLIENT_FRAME_TYPES });
  let handle = 0;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      if (f.type === FrameType.HELLO) socket.write(encodeMessage(FrameType.HELLO_OK, { version: 1, hostId: hostId! }));
      else if (f.type === FrameType.LOCAL) void answerLocal(socket, parseMessage(FrameType.LOCAL, f.payload).ref, ++handle);
      else if (f.type === FrameType.RELEASE) socket.write(encodeMessage(FrameType.RELEASE_OK, {}));
      else socket.write(encodeMessage(FrameType.ERROR, { code: 'UNAVAILABLE', message: 'lying worker serves no bytes' }));
    }
  });
}

async function answerLocal(socket: Socket, ref: { key: string; index: number; fileSize: number; blockSize: number }, handle: number): Promise<void> {
  let named = secretPath!;
  if (ref.index % 2 === 1) {
    named = join(tierRoot!, `${ref.key}.0badf00d`);
    await symlink(secretPath!, named).catch(() => undefined);
  }
  process.stdout.write(`LOCAL_OK ${named}\n`);
  socket.write(encodeMessage(FrameType.LOCAL_OK, { handle, path: named, size: blockLength(ref.fileSize, ref.blockSize, ref.index) }));
}

const server = createServer(serve);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;
const workerId = `lying-${port}`;
const address = { workerId, hostId: hostId!, grpcAddress: '127.0.0.1:1', dataAddress: `127.0.0.1:${port}` };
const tiers = [{ medium: 'MEM', path: tierRoot!, quotaBytes: 1 << 30, usedBytes: 0, high: 0.95, low: 0.7 }];
const register = async (): Promise<void> => { await master.registerWorker({ workerId, runtime: runtime!, address, tiers, blockKeys: keys }); };
await register();
setInterval(() => {
  master.heartbeat({ workerId, added: [], removed: [], tiers, counters: { hits: 0, misses: 0, bytesServed: 0, ufsBytesRead: 0 } })
    .then(async (res) => { if (res.reregister) await register(); }, () => undefined);
}, 300);
process.stdout.write(`ready ${address.dataAddress}\n`);
process.on('SIGTERM', () => process.exit(0));
