// A hostile data channel client, run as its own process by the attack tests (issue 15): one
// attack per run, the outcome as one JSON line on stdout. Where the attack needs a credential it
// reads TOKEN_FILE, a client credential in the tests (test/security-resources.test.ts).
//
//   big-block  ADDRESS TOKEN_FILE REF_JSON         a READ and a FETCH of a ref with a 1 GiB block
//   slow-hello ADDRESS CONNECTIONS INTERVAL_MS      HELLOs sent a byte at a time, no token needed
//   pin-flood  ADDRESS TOKEN_FILE REF_JSON COUNT    COUNT LOCALs of one cached block, never released
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { blockKey } from '@eddy/core';
import { DataChannelClient, FrameDecoder, FrameType, SERVER_FRAME_TYPES, encodeMessage, type proto } from '@eddy/protocol';

const [attack, address, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
const [host, portText] = address.split(':') as [string, string];
const token = (file: string | undefined): string => readFileSync(file!, 'utf8').trim();
const failure = (err: unknown): { code: string; message: string } => ({
  code: (err as { code?: string }).code ?? 'none', message: err instanceof Error ? err.message : String(err),
});

async function bigBlock(tokenFile: string, refJson: string): Promise<unknown> {
  const ref = JSON.parse(refJson) as proto.BlockRef;
  const blockSize = 1024 ** 3;
  const big = { ...ref, index: 0, blockSize, key: blockKey(ref.dataset!, ref.path!, ref.version!, 0, blockSize) };
  const client = new DataChannelClient(address, { token: token(tokenFile) });
  try {
    const read = await client.readBlock(big, 0, 1024 * 1024).then(() => ({ code: 'ok', message: '' }), failure);
    const fetch = await client.fetchBlock(big).then(() => ({ code: 'ok', message: '' }), failure);
    return { read, fetch };
  } finally { await client.close(); }
}

/** One connection trickling a HELLO; resolves with how long it lived and whether HELLO_OK came. */
function trickle(intervalMs: number): Promise<{ lifetimeMs: number; helloOk: boolean; sent: number }> {
  return new Promise((resolve) => {
    const socket = connect(Number(portText), host);
    const decoder = new FrameDecoder({ accept: SERVER_FRAME_TYPES });
    const bytes = encodeMessage(FrameType.HELLO, { version: 1, token: 'x'.repeat(4000) });
    const started = Date.now();
    let helloOk = false;
    let sent = 0;
    const timer = setInterval(() => { if (sent < bytes.length && !socket.destroyed) socket.write(bytes.subarray(sent, ++sent)); }, intervalMs);
    socket.on('data', (c: Buffer) => { try { if (decoder.push(c).some((f) => f.type === FrameType.HELLO_OK)) helloOk = true; } catch { /* closing */ } });
    socket.on('error', () => undefined);
    socket.on('close', () => { clearInterval(timer); resolve({ lifetimeMs: Date.now() - started, helloOk, sent }); });
  });
}

async function slowHello(connections: string, intervalMs: string): Promise<unknown> {
  const all = await Promise.all(Array.from({ length: Number(connections) }, async () => await trickle(Number(intervalMs))));
  return {
    closed: all.length, helloOk: all.filter((c) => c.helloOk).length,
    maxLifetimeMs: Math.max(...all.map((c) => c.lifetimeMs)), maxBytesSent: Math.max(...all.map((c) => c.sent)),
  };
}

async function pinFlood(tokenFile: string, refJson: string, count: string): Promise<unknown> {
  const ref = JSON.parse(refJson) as proto.BlockRef;
  const client = new DataChannelClient(address, { token: token(tokenFile), maxConnections: 1 });
  try {
    await client.fetchBlock(ref);
    let pinned = 0;
    let refused: { code: string; message: string } | undefined;
    for (let i = 0; i < Number(count); i++) {
      try {
        if (await client.openLocal(ref)) pinned++;
      } catch (err) {
        refused ??= failure(err);
      }
    }
    return { pinned, refused };
  } finally { await client.close(); }
}

const result = attack === 'big-block' ? await bigBlock(rest[0]!, rest[1]!)
  : attack === 'slow-hello' ? await slowHello(rest[0]!, rest[1]!)
  : attack === 'pin-flood' ? await pinFlood(rest[0]!, rest[1]!, rest[2]!)
  : { error: `unknown attack ${attack}` };
process.stdout.write(`${JSON.stringify(result)}\n`);
