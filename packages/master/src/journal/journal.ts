// The master's durable state: a key/value map kept in memory and persisted as an append-only
// log of framed records (length + CRC32 + JSON) plus a periodic snapshot. Manifests (secrets
// included), DataLoad history and dataset status live here; block placement does not (soft state).
//
// Layout under `dir` (0700): `journal.log` and `snapshot.bin` (both 0600).
// Frame: u32 BE payload length | u32 BE crc32(payload) | payload (UTF-8 JSON).
// Log payloads are `{"k":key,"v":value}` (put) or `{"k":key,"d":1}` (delete); the snapshot is one
// frame holding `{"v":1,"entries":[[key,value],...]}` written temp + fsync + rename.
// On open a torn or corrupt log tail (a crash mid-append, or garbage) is truncated with a
// warning; every record before it is kept.
import { mkdir, open, readFile, rename, chmod, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from '@node-rs/crc32';
import type { Logger } from 'pino';
import { CorruptBlockError, EddyError } from '@eddy/core';
import { MASTER_DEFAULTS } from '../master-options.js';

export const JOURNAL_LOG_FILE = 'journal.log';
export const JOURNAL_SNAPSHOT_FILE = 'snapshot.bin';
const HEADER_BYTES = 8;
/** A single record larger than this is refused: the journal holds manifests and status, not data. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export interface JournalOptions {
  /** Directory holding the journal (created 0700). */
  dir: string;
  logger: Logger;
  /** Compact into a snapshot after this many log records (MASTER_DEFAULTS.journalCompactAfterRecords). */
  compactAfterRecords?: number;
}

export type JsonValue = unknown;

function frame(payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload) >>> 0, 4);
  return Buffer.concat([header, payload]);
}

interface ParsedFrames {
  payloads: Buffer[];
  /** Offset just past the last good frame. */
  goodEnd: number;
  /** Why parsing stopped early, if it did. */
  problem?: string;
}

function parseFrames(buf: Buffer): ParsedFrames {
  const payloads: Buffer[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < HEADER_BYTES) return { payloads, goodEnd: pos, problem: 'truncated record header' };
    const len = buf.readUInt32BE(pos);
    const sum = buf.readUInt32BE(pos + 4);
    if (len > MAX_RECORD_BYTES) return { payloads, goodEnd: pos, problem: `implausible record length ${len}` };
    if (buf.length - pos - HEADER_BYTES < len) return { payloads, goodEnd: pos, problem: 'truncated record body' };
    const payload = buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + len);
    if ((crc32(payload) >>> 0) !== sum) return { payloads, goodEnd: pos, problem: 'checksum mismatch' };
    payloads.push(payload);
    pos += HEADER_BYTES + len;
  }
  return { payloads, goodEnd: pos };
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

export class Journal {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #state = new Map<string, JsonValue>();
  readonly #logPath: string;
  readonly #snapshotPath: string;
  readonly #compactAfter: number;
  #log: FileHandle | undefined;
  #recordsSinceCompaction = 0;
  /** Serialises writes so records reach the log in the order they were made. */
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(dir: string, logger: Logger, compactAfter: number) {
    this.#dir = dir;
    this.#logger = logger;
    this.#logPath = join(dir, JOURNAL_LOG_FILE);
    this.#snapshotPath = join(dir, JOURNAL_SNAPSHOT_FILE);
    this.#compactAfter = compactAfter;
  }

  /** Opens (or creates) the journal in `dir`, replaying snapshot + log into memory. */
  static async open(options: JournalOptions): Promise<Journal> {
    const j = new Journal(options.dir, options.logger, options.compactAfterRecords ?? MASTER_DEFAULTS.journalCompactAfterRecords);
    await j.#load();
    return j;
  }

  async #load(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await chmod(this.#dir, 0o700);
    const snap = await readIfExists(this.#snapshotPath);
    if (snap) {
      const parsed = parseFrames(snap);
      const first = parsed.payloads[0];
      // The snapshot is written temp + fsync + rename, so a bad one means the disk lied:
      // refuse to start rather than silently dropping every manifest.
      if (parsed.problem || !first) throw new CorruptBlockError(`journal snapshot ${this.#snapshotPath} is corrupt (${parsed.problem ?? 'empty'}); move it away to start empty`);
      const body = JSON.parse(first.toString('utf8')) as { v: number; entries: Array<[string, JsonValue]> };
      for (const [k, v] of body.entries) this.#state.set(k, v);
    }
    const logBuf = await readIfExists(this.#logPath);
    if (logBuf) {
      const parsed = parseFrames(logBuf);
      let applied = 0;
      for (const p of parsed.payloads) {
        const rec = JSON.parse(p.toString('utf8')) as { k: string; v?: JsonValue; d?: 1 };
        if (rec.d) this.#state.delete(rec.k); else this.#state.set(rec.k, rec.v);
        applied++;
      }
      this.#recordsSinceCompaction = applied;
      if (parsed.problem) {
        this.#logger.warn({ file: this.#logPath, keptRecords: applied, truncatedAt: parsed.goodEnd, droppedBytes: logBuf.length - parsed.goodEnd, reason: parsed.problem },
          'journal tail is torn or corrupt; truncating it and keeping the earlier records');
        const fh = await open(this.#logPath, 'r+');
        try { await fh.truncate(parsed.goodEnd); await fh.sync(); } finally { await fh.close(); }
      }
    }
    this.#log = await open(this.#logPath, 'a', 0o600);
    await chmod(this.#logPath, 0o600);
    this.#logger.debug({ dir: this.#dir, keys: this.#state.size }, 'journal opened');
  }

  get size(): number { return this.#state.size; }

  get<T = JsonValue>(key: string): T | undefined {
    return this.#state.get(key) as T | undefined;
  }

  has(key: string): boolean { return this.#state.has(key); }

  /** Entries whose key starts with `prefix`, in key order. */
  entries<T = JsonValue>(prefix = ''): Array<[string, T]> {
    const out: Array<[string, T]> = [];
    for (const [k, v] of this.#state) if (k.startsWith(prefix)) out.push([k, v as T]);
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out;
  }

  /** Stores `value` (any JSON) under `key`; resolves once the record is on disk (fsync). */
  async put(key: string, value: JsonValue): Promise<void> {
    // Round-trip through JSON now so memory holds exactly what a restart will read back.
    const text = JSON.stringify({ k: key, v: value });
    this.#state.set(key, (JSON.parse(text) as { v: JsonValue }).v);
    await this.#append(text);
  }

  /** Removes `key`; resolves to whether it existed, once the removal is on disk. */
  async delete(key: string): Promise<boolean> {
    if (!this.#state.has(key)) return false;
    this.#state.delete(key);
    await this.#append(JSON.stringify({ k: key, d: 1 }));
    return true;
  }

  async #append(text: string): Promise<void> {
    if (this.#closed) throw new EddyError('UNAVAILABLE', 'journal is closed');
    const buf = frame(Buffer.from(text, 'utf8'));
    if (buf.length - HEADER_BYTES > MAX_RECORD_BYTES) throw new EddyError('INVALID_ARGUMENT', `journal record of ${buf.length} bytes is too large`);
    const run = this.#chain.then(async () => {
      const log = this.#log;
      if (!log) throw new EddyError('UNAVAILABLE', 'journal is closed');
      await log.write(buf);
      await log.sync();
      this.#recordsSinceCompaction++;
      if (this.#recordsSinceCompaction >= this.#compactAfter) await this.#compactNow();
    });
    // Keep the chain alive after a failure; the caller still sees the error.
    this.#chain = run.catch(() => undefined);
    await run;
  }

  /** Writes a snapshot of the whole state and empties the log. */
  async compact(): Promise<void> {
    const run = this.#chain.then(() => this.#compactNow());
    this.#chain = run.catch(() => undefined);
    await run;
  }

  async #compactNow(): Promise<void> {
    if (!this.#log) return;
    const body = JSON.stringify({ v: 1, entries: [...this.#state.entries()] });
    const tmp = `${this.#snapshotPath}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.write(frame(Buffer.from(body, 'utf8')));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, this.#snapshotPath);
    await fsyncDir(this.#dir);
    // A crash between the rename and this truncate replays the old log over the new snapshot:
    // records are whole values, so the replay is idempotent.
    await this.#log.truncate(0);
    await this.#log.sync();
    this.#recordsSinceCompaction = 0;
    this.#logger.debug({ keys: this.#state.size }, 'journal compacted');
  }

  /** Bytes currently in the log file (for tests and diagnostics). */
  async logBytes(): Promise<number> {
    return (await stat(this.#logPath)).size;
  }

  /** Waits for pending writes, then closes the log. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain;
    const log = this.#log;
    this.#log = undefined;
    await log?.close();
  }
}
