// The raw TCP baseline of the remote-workers bench: a sender that streams N bytes of one random
// buffer per connection (no framing, no copies beyond the socket's), and a sink, run as a child
// process in the other network namespace, that connects `streams` times at once, discards what it
// reads and prints the bytes and the wall time as JSON. What the data channel plus FUSE are held to.
//   node bench/lib/src/remote/tcp-stream.js --connect HOST:PORT --streams 4 --bytes N
import { createServer, connect, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CHUNK = 1024 * 1024;

export const TCP_STREAM_SCRIPT = fileURLToPath(import.meta.url);

export interface SinkResult { bytes: number; ms: number }

/** Serves `bytesPerStream` bytes on every connection, then ends it. */
export async function startTcpSender(host: string, bytesPerStream: number): Promise<{ address: string; close(): Promise<void> }> {
  const chunk = randomBytes(CHUNK);
  const server: Server = createServer((socket) => {
    let left = bytesPerStream;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(CHUNK, left);
        left -= n;
        if (!socket.write(n === CHUNK ? chunk : chunk.subarray(0, n))) { socket.once('drain', pump); return; }
      }
      socket.end();
    };
    socket.on('error', () => socket.destroy());
    pump();
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, host, resolve); });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('the TCP sender has no port');
  return {
    address: `${host}:${addr.port}`,
    close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())); },
  };
}

async function sink(address: string, streams: number, expected: number): Promise<SinkResult> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  const port = Number(address.slice(i + 1));
  const t0 = performance.now();
  const counts = await Promise.all(Array.from({ length: streams }, async () => await new Promise<number>((resolve, reject) => {
    let n = 0;
    const s = connect({ host, port });
    s.on('data', (d: Buffer) => { n += d.length; });
    s.once('end', () => resolve(n));
    s.once('error', reject);
  })));
  const ms = performance.now() - t0;
  const bytes = counts.reduce((a, b) => a + b, 0);
  if (bytes !== expected * streams) throw new Error(`the sink read ${bytes} bytes, expected ${expected * streams}`);
  return { bytes, ms };
}

if (process.argv[1] === TCP_STREAM_SCRIPT) {
  const { values } = parseArgs({ options: { connect: { type: 'string' }, streams: { type: 'string', default: '1' }, bytes: { type: 'string' } } });
  if (!values.connect || !values.bytes) {
    console.error('usage: tcp-stream --connect HOST:PORT --streams N --bytes PER_STREAM');
    process.exit(2);
  }
  const r = await sink(values.connect, Number(values.streams), Number(values.bytes));
  console.log(JSON.stringify(r));
}
