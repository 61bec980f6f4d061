// A TCP proxy that delays every chunk by a fixed one-way latency in both directions, preserving
// order and keeping chunks in flight (it models propagation delay, not a slow hop). The bench
// runs it inside the WAN network namespace in front of the S3 server when the kernel lacks
// `sch_netem`; the link's bandwidth is limited separately with tc tbf on the veth pair.
//   node bench/lib/delay-proxy.js --listen HOST:PORT --target HOST:PORT --delay-ms 15
import { createServer, connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string' }, target: { type: 'string' }, 'delay-ms': { type: 'string' } } });
const split = (hp: string | undefined): [string, number] => {
  const m = /^(.*):(\d+)$/.exec(hp ?? '');
  if (!m) { console.error('usage: delay-proxy --listen HOST:PORT --target HOST:PORT --delay-ms N'); process.exit(2); }
  return [m[1]!, Number(m[2])];
};
const [lHost, lPort] = split(values.listen);
const [tHost, tPort] = split(values.target);
const delayMs = Number(values['delay-ms'] ?? '0');
const HIGH_WATER = 8 * 1024 * 1024;

function pipeDelayed(src: Socket, dst: Socket): void {
  const queue: { due: number; buf: Buffer }[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const maybeResume = (): void => {
    if (src.isPaused() && queued < HIGH_WATER && dst.writableLength < HIGH_WATER) src.resume();
  };
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now) {
      const { buf } = queue.shift()!;
      queued -= buf.length;
      dst.write(buf);
    }
    maybeResume();
    schedule();
  };
  const schedule = (): void => {
    if (timer) return;
    if (queue.length === 0) { if (ended) dst.end(); return; }
    timer = setTimeout(flush, Math.max(0, queue[0]!.due - performance.now()));
  };
  src.on('data', (buf: Buffer) => {
    queue.push({ due: performance.now() + delayMs, buf });
    queued += buf.length;
    if (queued >= HIGH_WATER || dst.writableLength >= HIGH_WATER) src.pause();
    schedule();
  });
  dst.on('drain', maybeResume);
  src.on('end', () => { ended = true; schedule(); });
}

// Half-open sockets: an end travels through the delay queue like data, so a response still in
// flight is not cut off when the server closes its side.
const server = createServer({ allowHalfOpen: true }, (client) => {
  const upstream = connect({ port: tPort, host: tHost, allowHalfOpen: true });
  const kill = (err: Error): void => { if (process.env['DELAY_PROXY_DEBUG']) console.error(`delay-proxy: ${err.message}`); client.destroy(); upstream.destroy(); };
  client.on('error', kill);
  upstream.on('error', kill);
  pipeDelayed(client, upstream);
  pipeDelayed(upstream, client);
});
server.listen(lPort, lHost, () => console.error(`delay-proxy ${lHost}:${lPort} -> ${tHost}:${tPort} (+${delayMs} ms each way)`));
process.on('SIGTERM', () => { server.close(); process.exit(0); });
