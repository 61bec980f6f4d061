import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startS3Server } from '../src/index.js';

test('S3 server starts, creates a bucket, stores an object, stops and restarts', async () => {
  const s3 = await startS3Server();
  try {
    const bucket = await s3.createBucket('kit');
    await s3.client.putObject(bucket, 'a/b.txt', Buffer.from('hello'));
    const st = await s3.client.statObject(bucket, 'a/b.txt');
    assert.equal(st.size, 5);
    await s3.restart();
    const again = await s3.client.statObject(bucket, 'a/b.txt');
    assert.equal(again.etag, st.etag);
  } finally {
    await s3.close();
    await s3.close();
  }
});
