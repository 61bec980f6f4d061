import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger, ValidationError } from '@eddy/core';
import { createProcessRegistry, HttpEndpoint, metricsRoute, isLoopbackHost } from '../src/index.js';

const TOKEN = 'metrics-test-token-1234';
const basic = (password: string): string => `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}`;

async function get(url: string, authorization?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, authorization ? { headers: { authorization } } : {});
  return { status: res.status, body: await res.text(), headers: res.headers };
}

test('loopback: /metrics answers without a credential, in the Prometheus text format with process metrics', async () => {
  const ep = await HttpEndpoint.start({ listen: '127.0.0.1:0', token: TOKEN, routes: [metricsRoute(createProcessRegistry())], logger: silentLogger() });
  try {
    assert.equal(ep.requiresCredential, false);
    const r = await get(`http://${ep.address}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(r.body, /^# HELP process_cpu_user_seconds_total /m);
    assert.match(r.body, /^nodejs_eventloop_lag_seconds /m);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal((await get(`http://${ep.address}/other`)).status, 404);
    const post = await fetch(`http://${ep.address}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
  } finally {
    await ep.close();
    await ep.close();
  }
});

test('a listener off loopback refuses to start without the cluster token', async () => {
  await assert.rejects(
    HttpEndpoint.start({ listen: '0.0.0.0:0', token: '', routes: [], logger: silentLogger(), flag: '--metrics-listen' }),
    (err: unknown) => err instanceof ValidationError && /--metrics-listen 0\.0\.0\.0:0 is not a loopback address/.test(err.message),
  );
});

test('a listener off loopback requires the token, as a bearer token or the Basic auth password', async () => {
  const ep = await HttpEndpoint.start({ listen: '0.0.0.0:0', token: TOKEN, routes: [metricsRoute(createProcessRegistry())], logger: silentLogger() });
  try {
    assert.equal(ep.requiresCredential, true);
    const url = `http://127.0.0.1:${ep.port}/metrics`;
    const none = await get(url);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="eddy"/);
    assert.doesNotMatch(none.body, /process_cpu/);
    assert.equal((await get(url, 'Bearer wrong-token')).status, 401);
    assert.equal((await get(url, `Bearer ${TOKEN}x`)).status, 401);
    assert.equal((await get(url, basic('wrong'))).status, 401);
    assert.equal((await get(url, `Bearer ${TOKEN}`)).status, 200);
    assert.equal((await get(url, basic(TOKEN))).status, 200);
    // Unknown paths are not revealed before the credential either.
    assert.equal((await get(`http://127.0.0.1:${ep.port}/nope`)).status, 401);
  } finally {
    await ep.close();
  }
});

test('alwaysRequireCredential applies the token on loopback too', async () => {
  const ep = await HttpEndpoint.start({
    listen: '127.0.0.1:0', token: TOKEN, routes: [metricsRoute(createProcessRegistry())], logger: silentLogger(), alwaysRequireCredential: true,
  });
  try {
    assert.equal((await get(`http://${ep.address}/metrics`)).status, 401);
    assert.equal((await get(`http://${ep.address}/metrics`, `Bearer ${TOKEN}`)).status, 200);
  } finally {
    await ep.close();
  }
});

test('loopback hosts', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
});
