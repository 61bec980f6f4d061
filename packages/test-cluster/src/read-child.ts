// Reads one file start to end and prints one JSON line {ok, bytes, sha256} or {ok: false, error}.
// Run as a child process by the fault tests: argv = FILE CHUNK PAUSE_AFTER FLAG_FILE GO_FILE. With
// PAUSE_AFTER >= 0 it writes FLAG_FILE once that many bytes are read and waits for GO_FILE, so a
// test can inject a fault while every reader holds an open, half-read handle.
import { createHash } from 'node:crypto';
import { existsSync, openSync, readSync, writeFileSync } from 'node:fs';

const [file, chunkText, pauseText, flagFile, goFile] = process.argv.slice(2);
const chunk = Number(chunkText);
const pauseAfter = Number(pauseText);
const hash = createHash('sha256');
const buf = Buffer.alloc(chunk);
let pos = 0;
let paused = false;
try {
  const fd = openSync(file!, 'r');
  for (;;) {
    const n = readSync(fd, buf, 0, chunk, pos);
    if (n === 0) break;
    hash.update(buf.subarray(0, n));
    pos += n;
    if (!paused && pauseAfter >= 0 && pos >= pauseAfter) {
      paused = true;
      writeFileSync(flagFile!, '');
      while (!existsSync(goFile!)) await new Promise((r) => setTimeout(r, 20));
    }
  }
  process.stdout.write(`${JSON.stringify({ ok: true, bytes: pos, sha256: hash.digest('hex') })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, bytes: pos, error: (err as NodeJS.ErrnoException).code ?? String(err) })}\n`);
}
