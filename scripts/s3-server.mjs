#!/usr/bin/env node
// Runs the test S3 server (versitygw, built by scripts/setup.sh) in the foreground on a free
// loopback port (or --port N) with a temp directory and known credentials, creates a bucket,
// prints how to reach it, and stops cleanly (data removed) on Ctrl-C / SIGTERM.
import { startS3Server } from '../packages/testkit/lib/src/index.js';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error('--port: expected an integer in 1..65535');
  process.exit(2);
}
const s3 = await startS3Server(port ? { port } : {});
const bucket = await s3.createBucket('demo');
console.log(`S3 server listening on ${s3.endpoint}
bucket:      ${bucket}
access key:  ${s3.accessKey}
secret key:  (the test secret in packages/testkit/src/s3-server.ts)
export EDDY_TEST_S3_ENDPOINT=${s3.endpoint}
Press Ctrl-C to stop.`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await s3.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
