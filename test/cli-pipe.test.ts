// The CLI at the edge of a shell pipeline: a reader that stops early (`eddy ls … | head`) is not
// an error, and a bucket URL that names nothing is one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDDY_BIN } from '@eddy/test-cluster';

test('eddy ls piped into head exits 0 without an EPIPE crash; a missing file:// directory is an error naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-cli-pipe-'));
  try {
    // Enough lines to overflow the pipe buffer (64 KiB) after head has gone.
    await mkdir(join(dir, 'd'));
    await Promise.all(Array.from({ length: 3000 }, (_, i) => writeFile(join(dir, 'd', `some-longish-object-name-${String(i).padStart(5, '0')}.bin`), 'x')));
    const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${EDDY_BIN}" ls "file://${dir}" | head -1; exit "\${PIPESTATUS[0]}"`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(piped.stdout.trim().split('\n').length, 1, piped.stdout);
    assert.doesNotMatch(piped.stderr, /EPIPE|Unhandled|at /, piped.stderr);
    assert.equal(piped.status, 0, piped.stderr);

    const missing = spawnSync(process.execPath, [EDDY_BIN, 'ls', `file://${join(dir, 'nope')}`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope" does not exist \(check the file:\/\/ URL\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
