// POSIX `cksum` (CRC-32 + length, coreutils; hardware-accelerated where the CPU has pclmul) is
// how the bench checks the bytes every reader got: cheap enough to run inline with a timed read
// without taking the CPU the filesystem under test needs (sha256 costs ~2 s per GiB here).
// The fixture pipes each object it uploads through the same tool, so the expected value is
// computed once, from the bytes actually sent.
import { spawn } from 'node:child_process';

/** "CRC BYTES" as cksum prints it for one input. */
export type CksumValue = string;

/** Parses "CRC BYTES[ PATH]" lines into { crc, bytes, path }. */
export function parseCksum(line: string): { crc: string; bytes: number; path: string } | undefined {
  const m = /^(\d+) (\d+)(?: (.*))?$/.exec(line.trim());
  if (!m) return undefined;
  return { crc: m[1]!, bytes: Number(m[2]), path: m[3] ?? '' };
}

/** Feeds chunks to a `cksum` child; digest() ends the input and resolves to "CRC BYTES". */
export class CksumStream {
  readonly #child = spawn('cksum', [], { stdio: ['pipe', 'pipe', 'inherit'] });
  readonly #out: Promise<string>;

  constructor() {
    let text = '';
    this.#child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
    this.#out = new Promise((resolve, reject) => {
      this.#child.once('error', reject);
      this.#child.once('close', (code) => {
        const v = parseCksum(text);
        if (code === 0 && v) resolve(`${v.crc} ${v.bytes}`); else reject(new Error(`cksum exited ${code}: ${text}`));
      });
    });
  }

  update(chunk: Buffer): void {
    this.#child.stdin.write(chunk);
  }

  async digest(): Promise<CksumValue> {
    this.#child.stdin.end();
    return await this.#out;
  }
}
