// How the block store checks a block file: CRC32C of the whole file, and (MEM tiers) the file's
// identity, which tells whether it can have changed since it was last checked.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { crc32c } from '@node-rs/crc32';
import { WORKER_DEFAULTS } from '../config/worker-defaults.js';

/** Inode, size, mtime and ctime (ns) of a file: any write to it, or a replacement, changes it. */
export async function fileIdentity(path: string): Promise<string> {
  const st = await stat(path, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * CRC32C of a whole file. Streamed through the thread pool for disk tiers; for a MEM tier (tmpfs,
 * where a read is a memory copy) read inline in 1 MiB pieces into one buffer, yielding to the
 * event loop every 4 MiB: local readers wait on this check every time a block is handed to them,
 * and the stream's per-chunk round trips made it take 3-6 times as long (6-30 ms per 16 MiB).
 */
export async function fileCrc32c(path: string, options: { inMemory?: boolean } = {}): Promise<{ crc: number; size: number }> {
  let crc = 0;
  let size = 0;
  if (options.inMemory) {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(WORKER_DEFAULTS.verifyChunkBytes);
      for (let n = readSync(fd, buf, 0, buf.length, size); n > 0; n = readSync(fd, buf, 0, buf.length, size)) {
        crc = crc32c(buf.subarray(0, n), crc);
        size += n;
        if (size % WORKER_DEFAULTS.verifyYieldBytes === 0) await yieldToEventLoop();
      }
    } finally {
      closeSync(fd);
    }
    return { crc: crc >>> 0, size };
  }
  for await (const chunk of createReadStream(path, { highWaterMark: WORKER_DEFAULTS.verifyChunkBytes })) {
    crc = crc32c(chunk as Buffer, crc);
    size += (chunk as Buffer).length;
  }
  return { crc: crc >>> 0, size };
}
