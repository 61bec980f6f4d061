// A fake worker process for kill -9 tests: argv = masterAddress token workerId runtime blockKey...
// Registers with the given block report, prints "ready", then heartbeats every 100 ms.
import { FakeWorker } from './fake-worker.js';

const [address, token, id, runtime, ...keys] = process.argv.slice(2);
if (!address || !token || !id || !runtime) throw new Error('usage: fake-worker-main ADDRESS TOKEN ID RUNTIME [KEY...]');
const w = new FakeWorker(id, runtime, address, token);
for (const k of keys) w.blocks.add(k);
await w.register();
w.start(100);
process.stdout.write('ready\n');
