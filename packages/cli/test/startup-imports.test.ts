// What a command loads: `eddy --help` only commander and the CLI's own small modules; a client
// command (`eddy get`) the gRPC client but none of the master, worker, FUSE or UFS packages, zod
// or yaml. Checked by recording every module URL the process loads (no timing asserted here:
// bench/cli-startup.ts measures the time), for the compiled modules (EDDY_CLI_BUNDLE=0) and for
// the bundle `npm run build` makes (scripts/bundle-cli.mjs), which bin/eddy.js runs by default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MASTER_DEFAULTS } from '@eddy/master';
import { CLI_DEFAULTS } from '../src/connection/cli-defaults.js';

const EDDY = fileURLToPath(new URL('../../bin/eddy.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../lib/bundle/', import.meta.url));
const CORE = fileURLToPath(new URL('../../../core/lib/src/', import.meta.url));
/** The compiled modules, not the bundle: the tests below check what each command imports. */
const MODULES = { EDDY_CLI_BUNDLE: '0' };

// A module hook that appends each loaded URL to the file named by EDDY_LOAD_LOG, and the same for
// every file CommonJS code requires (pino, grpc-js and protobufjs load their parts with require).
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.EDDY_LOAD_LOG, url + '\\n'); return next(url, context); }`;
const REGISTER = `import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolve.apply(this, args);
  appendFileSync(process.env.EDDY_LOAD_LOG, file + '\\n');
  return file;
};`;

async function loadedBy(args: string[], env: NodeJS.ProcessEnv): Promise<{ urls: string[]; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-imports-'));
  try {
    const log = join(dir, 'loaded.txt');
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, EDDY, ...args], {
      env: { ...process.env, ...env, EDDY_LOAD_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    await new Promise((resolve) => child.on('close', resolve));
    return { urls: (await readFile(log, 'utf8')).split('\n').filter(Boolean), stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What no client command needs: the component packages, the UFS SDKs, zod and yaml. */
const COMPONENTS = [
  'zod', 'yaml', 'minio', 'ali-oss', '/packages/master/', '/packages/worker/', '/packages/fuse-client/', '/packages/ufs/', '/packages/manifest/',
];
/** What `--help` does not need either: the gRPC stack and the logger. */
const HEAVY = ['@grpc/', 'protobufjs', 'pino', ...COMPONENTS];

test('eddy --help loads commander and the CLI only', async () => {
  const { urls, stdout } = await loadedBy(['--help'], MODULES);
  assert.match(stdout, /Usage: eddy/);
  const heavy = urls.filter((u) => HEAVY.some((h) => u.includes(h)));
  assert.deepEqual(heavy, []);
});

/** Port 1 refuses at once: the command fails after loading everything a real `get` loads. */
const REFUSED = { EDDY_MASTER: '127.0.0.1:1', EDDY_TOKEN_FILE: '', XDG_STATE_HOME: tmpdir() };

test('eddy get loads the gRPC client, but no component package, zod, yaml, logger or .proto parser', async () => {
  const { urls } = await loadedBy(['get', 'dataset'], { ...MODULES, ...REFUSED });
  assert.ok(urls.some((u) => u.includes('@grpc/grpc-js')), 'the gRPC client is loaded');
  // The messages come from the generated JSON descriptor (protobufjs/light): no proto-loader, no parser.
  const heavy = urls.filter((u) => [...COMPONENTS, 'pino', '@grpc/proto-loader', 'protobufjs/src/parse.js', '.proto'].some((h) => u.includes(h)));
  assert.deepEqual(heavy, []);
});

/** Files a process loaded other than Node's built-ins and bin/eddy.js. */
function files(urls: string[]): string[] {
  const paths = urls.filter((u) => !u.startsWith('node:') && u.includes('/')).map((u) => (u.startsWith('file:') ? fileURLToPath(u) : u));
  return [...new Set(paths)].filter((f) => f !== EDDY);
}

test('from the bundle, eddy --help loads bundle files only, not the gRPC client', async () => {
  const { urls, stdout } = await loadedBy(['--help'], {});
  assert.match(stdout, /Usage: eddy/);
  const loaded = files(urls);
  assert.ok(loaded.includes(join(BUNDLE, 'main.js')), `the bundle runs (did \`npm run build\` bundle the CLI?): ${loaded.join(', ')}`);
  assert.deepEqual(loaded.filter((f) => !f.startsWith(BUNDLE)), []);
  // The gRPC client stack is one chunk of ~800 KiB; what --help loads besides main.js is small.
  const sizes = await Promise.all(loaded.filter((f) => f !== join(BUNDLE, 'main.js')).map(async (f) => (await stat(f)).size));
  assert.ok(sizes.every((n) => n < 64 * 1024), `chunk sizes ${sizes.join(', ')}`);
});

test('from the bundle, eddy get loads bundle files and @eddy/core only', async () => {
  const { urls } = await loadedBy(['get', 'dataset'], REFUSED);
  const loaded = files(urls);
  assert.ok(loaded.includes(join(BUNDLE, 'main.js')), 'the bundle runs');
  assert.deepEqual(loaded.filter((f) => !f.startsWith(BUNDLE) && !f.startsWith(CORE)), []);
});

test('eddy master --help shows the master\'s own defaults; up listens where clients look', async () => {
  const { stdout } = await loadedBy(['master', '--help'], {});
  const help = stdout.replace(/\s+/g, ' ');
  assert.match(help, new RegExp(`--listen <host:port> .*\\(default: ${MASTER_DEFAULTS.listen.replace(/\./g, '\\.')}\\)`));
  assert.match(help, new RegExp(`--heartbeat-interval <ms> .*\\(default: ${MASTER_DEFAULTS.heartbeatIntervalMs}\\)`));
  assert.match(help, new RegExp(`--worker-timeout <ms> .*\\(default: ${MASTER_DEFAULTS.workerTimeoutMs}\\)`));
  assert.equal(CLI_DEFAULTS.master, MASTER_DEFAULTS.listen, 'clients look for the master where it listens by default');
});
