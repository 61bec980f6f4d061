import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger, UnavailableError } from '@eddy/core';
import { ClientMetrics, ProcessMetrics } from '@eddy/metrics';
import type { FuseOps } from 'fuse-native';
import type { proto } from '@eddy/protocol';
import { instrumentFuseOps } from '../src/instrument-fuse-ops.js';
import { ReadReporter } from '../src/read-reporter.js';

test('the read reporter sends cumulative totals when they change, retries after a failure, and once more on close', async () => {
  const metrics = new ClientMetrics(new ProcessMetrics().registry);
  const sent: proto.ReportReadsRequest[] = [];
  let fail = false;
  const reporter = new ReadReporter({
    master: {
      reportReads: async (req) => {
        if (fail) throw new UnavailableError('master down');
        sent.push(req);
        return {};
      },
    },
    totals: () => metrics.readTotals(), intervalMs: 3_600_000, timeoutMs: 1000, logger: silentLogger(),
  });
  await reporter.flush();
  assert.equal(sent.length, 0, 'nothing read, nothing sent');
  metrics.read('demo', 'local', 100);
  metrics.read('demo', 'ufs', 20);
  await reporter.flush();
  await reporter.flush();
  assert.equal(sent.length, 1, 'unchanged totals are not sent again');
  assert.deepEqual(sent[0]!.reads, [{ dataset: 'demo', localBytes: 100, remoteBytes: 0, ufsBytes: 20 }]);
  assert.match(sent[0]!.clientId ?? '', /\/\d+\/[0-9a-f]{8}$/);
  fail = true;
  metrics.read('demo', 'remote', 5);
  await reporter.flush();
  fail = false;
  await reporter.close();
  await reporter.close();
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[1]!.reads, [{ dataset: 'demo', localBytes: 100, remoteBytes: 5, ufsBytes: 20 }]);
});

test('every FUSE operation is counted and timed, with read results judged by their byte count', async () => {
  const pm = new ProcessMetrics();
  const raw: FuseOps = {
    getattr: (_path, cb) => cb(-2),
    read: (_p, _fd, _b, len, _pos, cb) => cb(len),
    release: (_p, _fd, cb) => cb(0),
  };
  const ops = instrumentFuseOps(raw, (op) => pm.client.startFuseOp('demo', op));
  await new Promise<void>((r) => ops.getattr!('/x', () => r()));
  await new Promise<void>((r) => ops.read!('/x', 1, Buffer.alloc(4), 4, 0, () => r()));
  await new Promise<void>((r) => ops.release!('/x', 1, () => r()));
  const out = await pm.registry.metrics();
  assert.match(out, /^eddy_fuse_operations_total\{dataset="demo",op="getattr",result="error"\} 1$/m);
  assert.match(out, /^eddy_fuse_operations_total\{dataset="demo",op="read",result="ok"\} 1$/m);
  assert.match(out, /^eddy_fuse_operation_duration_seconds_count\{dataset="demo",op="release"\} 1$/m);
});
