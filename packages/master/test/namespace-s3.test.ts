import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMasterClient } from '@eddy/protocol';
import { silentLogger, NotFoundError } from '@eddy/core';
import { startS3Server, waitFor } from '@eddy/testkit';
import { startMaster } from '../src/index.js';

const TOKEN = 'ns-token';

function datasetYaml(name: string, bucket: string, endpoint: string, region: string, secretName: string): string {
  return `
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata:
  name: ${name}
spec:
  mounts:
    - mountPoint: s3://${bucket}/data
      name: main
      options:
        fs.s3.endpoint: ${endpoint}
        fs.s3.region: ${region}
      encryptOptions:
        - name: fs.s3.accessKeyId
          valueFrom:
            secretKeyRef:
              name: ${secretName}
              key: id
        - name: fs.s3.accessKeySecret
          valueFrom:
            secretKeyRef:
              name: ${secretName}
              key: secret
`;
}

test('namespace over a real S3 server: nested keys, paginated List, on-demand refresh, Failed phase', { timeout: 90_000 }, async () => {
  const s3 = await startS3Server();
  const root = await mkdtemp(join(tmpdir(), 'eddy-ns-'));
  const master = await startMaster({ listen: '127.0.0.1:0', dataDir: join(root, 'data'), token: TOKEN, logger: silentLogger() });
  const cli = createMasterClient(master.address, { token: TOKEN });
  try {
    const bucket = await s3.createBucket('ns');
    const put = (key: string, body: string): Promise<unknown> => s3.client.putObject(bucket, key, Buffer.from(body));
    await put('data/a.txt', 'hello');
    await put('data/dir1/b.txt', 'bee!');
    await put('data/dir1/dir2/c.txt', 'sea');
    for (let i = 0; i < 25; i++) await put(`data/many/f-${String(i).padStart(3, '0')}`, 'x'.repeat(i));
    await put('other/outside.txt', 'not in the dataset');

    const wrongSecret = 'definitely-wrong-secret-value';
    await cli.apply({ manifests: `
apiVersion: v1
kind: Secret
metadata:
  name: s3creds
stringData:
  id: ${s3.accessKey}
  secret: ${s3.secretKey}
---
apiVersion: v1
kind: Secret
metadata:
  name: badcreds
stringData:
  id: ${s3.accessKey}
  secret: ${wrongSecret}
---${datasetYaml('demo', bucket, s3.endpoint, s3.region, 's3creds')}
---${datasetYaml('bad', bucket, s3.endpoint, s3.region, 'badcreds')}` });

    const c = await cli.stat({ dataset: 'demo', path: '/dir1/dir2/c.txt' });
    assert.equal(c.info?.size, 3);
    assert.ok(c.info?.version);
    assert.equal((await cli.stat({ dataset: 'demo', path: '/dir1/dir2' })).info?.isDir, true);
    await assert.rejects(cli.stat({ dataset: 'demo', path: '/outside.txt' }), NotFoundError);

    const top = await cli.list({ dataset: 'demo', path: '/', pageToken: '', pageSize: 0 });
    assert.deepEqual(top.entries.map((e) => `${e.path}${e.isDir ? '/' : ''}`), ['/a.txt', '/dir1/', '/many/']);
    assert.equal(top.nextPageToken, '');

    // Pagination: 25 entries in pages of 10, in order, each exactly once.
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await cli.list({ dataset: 'demo', path: '/many', pageToken: token, pageSize: 10 });
      seen.push(...page.entries.map((e) => e.path));
      token = page.nextPageToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `/many/f-${String(i).padStart(3, '0')}`));

    const ds = (await cli.get({ kind: 'dataset', name: 'demo' })).resources[0]?.dataset?.status;
    assert.equal(ds?.fileNum, 28);
    assert.equal(ds?.ufsTotalBytes, 5 + 4 + 3 + (24 * 25) / 2);
    assert.equal(ds?.phase, 'NotBound');

    // A mount that cannot be listed makes the dataset Failed, with a reason that holds no secret.
    const bad = await waitFor(async () => {
      const d = (await cli.get({ kind: 'dataset', name: 'bad' })).resources[0]?.dataset?.status;
      return d?.phase === 'Failed' ? d : undefined;
    }, { timeoutMs: 20_000, what: 'bad dataset Failed' });
    assert.ok(bad.reason.length > 0);
    assert.ok(!bad.reason.includes(wrongSecret));
    assert.ok(!bad.reason.includes(s3.secretKey));

    // A new object shows up through an on-demand refresh of an unknown path (rate limited to one per 2 s).
    await put('data/new/late.txt', 'late');
    await sleep(2100);
    const ns = master.core.namespaces.get('demo');
    const gen = ns?.generation ?? 0;
    assert.equal((await cli.stat({ dataset: 'demo', path: '/new/late.txt' })).info?.size, 4);
    assert.equal(ns?.generation, gen + 1);
    // A missing path is cached as missing: the second miss does not list again.
    await sleep(2100);
    await assert.rejects(cli.stat({ dataset: 'demo', path: '/still-missing' }), NotFoundError);
    const afterMiss = ns?.generation;
    await assert.rejects(cli.stat({ dataset: 'demo', path: '/still-missing' }), NotFoundError);
    assert.equal(ns?.generation, afterMiss);
    // Refresh RPC reports the counts.
    const r = await cli.refresh({ dataset: 'demo' });
    assert.equal(r.files, 29);
  } finally {
    cli.close();
    await master.close();
    await s3.close();
    await rm(root, { recursive: true, force: true });
  }
});
