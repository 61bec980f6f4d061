// Cuts [skip, skip+take) out of a byte stream. Used when a store ignored a Range header and
// sent the whole object (HTTP 200 instead of 206): the caller still gets exactly its range.
import { Transform, type Readable } from 'node:stream';

export function sliceStream(src: Readable, skip: number, take: number | undefined): Readable {
  const end = take === undefined ? Number.POSITIVE_INFINITY : skip + take;
  let pos = 0;
  let done = false;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (done) { cb(); return; }
      const start = pos;
      pos += chunk.length;
      const a = Math.max(0, skip - start);
      const b = Math.min(chunk.length, end - start);
      if (b > a) this.push(chunk.subarray(a, b));
      if (pos >= end) {
        done = true;
        this.push(null);
        src.unpipe(out);
        src.destroy();
      }
      cb();
    },
  });
  src.once('error', (err) => { if (!done) out.destroy(err); });
  out.once('close', () => { if (!src.destroyed) src.destroy(); });
  src.pipe(out);
  return out;
}
