import { createMasterClient, DataChannelClient, blockKey } from '@eddy/common';
import { readFileSync } from 'node:fs';
const token = readFileSync('/tmp/eddy-fuse-bench-NL4MRl/token', 'utf8').trim();
const m = createMasterClient('127.0.0.1:40995', { token });
const st = await m.stat({ dataset: 'models', path: '/run-0/shard-0.bin' });
const a = st.info;
const w = (await m.listWorkers({ runtime: 'models' })).workers[0];
const addr = w.dataAddress || w.data_address || w.address; console.log(Object.keys(w));
const c = new DataChannelClient(w.address.dataAddress, { token });
const bs = 16 << 20; const size = Number(a.size);
for (let i = 0; i < 8; i++) {
  const ref = { key: blockKey('models', '/run-0/shard-0.bin', a.version, i, bs), dataset: 'models', path: '/run-0/shard-0.bin', version: a.version, index: i, blockSize: bs, fileSize: size };
  const t = performance.now(); const l = await c.openLocal(ref); const t2 = performance.now();
  console.log(i, (t2 - t).toFixed(1), 'ms', l?.path);
}
await c.close(); m.close();
