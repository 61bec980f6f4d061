// The master's durable state: a key/value map kept in memory and persisted as an append-only
// log of framed records (length + CRC32 + JSON) plus a periodic snapshot. Manifests (secrets
// included), DataLoad history and dataset status live here; block placement does not (soft state).
//
// Layout under `dir` (0700): `journal.log` and `snapshot.bin` (both 0600).
// Frame: u32 BE payload length | u32 BE crc32(payload) | payload (UTF-8 JSON).
// Log payloads are `{"k":key,"v":value}` (put), `{"k":key,"d":1}` (delete) or `{"b":[op,...]}`
// (several puts and deletes as one record, so a multi-document apply lands whole or not at all);
// the snapshot is one frame holding `{"v":1,"entries":[[key,value],...]}` written temp + fsync +
// rename. On open a torn or corrupt log tail (a crash mid-append, or garbage) is truncated with a
// warning; every record before it is kept.
//
// Memory changes only after the record's fsync succeeded, so nothing is served that a restart
// would not read back. A failed write or fsync is fatal for the journal: after a failed fsync the
// kernel may have dropped the dirty pages and a retry can report success for lost data
// (PostgreSQL's "fsyncgate"), so every later write is refused with JournalFailedError.
import { mkdir, open, readFile, rename, chmod, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from '@node-rs/crc32';
import type { Logger } from 'pino';
import { CorruptBlockError, EddyError } from '@eddy/core';
import { MASTER_DEFAULTS } from '../master-options.js';

export const JOURNAL_LOG_FILE = 'journal.log';
export const JOURNAL_SNAPSHOT_FILE = 'snapshot.bin';
const HEADER_BYTES = 8;
/** A single record larger than this is refused: the journal holds manifests and status, not data. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The calls the journal makes on its log file; node's FileHandle fits (tests inject failures). */
export interface JournalLogFile {
  write(buf: Buffer): Promise<unknown>;
  sync(): Promise<void>;
  truncate(len: number): Promise<void>;
  close(): Promise<void>;
}

export interface JournalOptions {
  /** Directory holding the journal (created 0700). */
  dir: string;
  logger: Logger;
  /** Compact into a snapshot after this many log records (MASTER_DEFAULTS.journalCompactAfterRecords). */
  compactAfterRecords?: number;
  /** Opens the log for appending. Default: fs.open(path, 'a', 0o600). */
  openLog?: (path: string) => Promise<JournalLogFile>;
  /** Called once when a write or fsync fails and the journal stops taking writes. Default: a fatal log line. */
  onFatal?: (err: Error) => void;
}

export type JsonValue = unknown;

/** One change of a batch: a put (`value` set) or a delete (`delete: true`). */
export type JournalOp = { key: string; value: JsonValue; delete?: false } | { key: string; delete: true };

/** The journal lost a write or an fsync; the master must restart to know what is on disk. */
export class JournalFailedError extends EddyError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNAVAILABLE', message, options);
    this.name = 'JournalFailedError';
  }
}

type LogRecord = { k: string; v?: JsonValue; d?: 1 } | { b: Array<{ k: string; v?: JsonValue; d?: 1 }> };

function applyRecord(state: Map<string, JsonValue>, rec: LogRecord): void {
  const ops = 'b' in rec ? rec.b : [rec];
  for (const op of ops) {
    if (op.d) state.delete(op.k); else state.set(op.k, op.v);
  }
}

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
  readonly #openLog: (path: string) => Promise<JournalLogFile>;
  readonly #onFatal: (err: Error) => void;
  #log: JournalLogFile | undefined;
  /** Set once a write or fsync failed; every later write is refused with it. */
  #failed: JournalFailedError | undefined;
  #recordsSinceCompaction = 0;
  /** Serialises writes so records reach the log in the order they were made. */
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: JournalOptions) {
    this.#dir = options.dir;
    this.#logger = options.logger;
    this.#logPath = join(options.dir, JOURNAL_LOG_FILE);
    this.#snapshotPath = join(options.dir, JOURNAL_SNAPSHOT_FILE);
    this.#compactAfter = options.compactAfterRecords ?? MASTER_DEFAULTS.journalCompactAfterRecords;
    this.#openLog = options.openLog ?? (async (path) => await open(path, 'a', 0o600));
    this.#onFatal = options.onFatal ?? ((err) => this.#logger.fatal({ err }, 'journal write failed; refusing further changes until the master restarts'));
  }

  /** Opens (or creates) the journal in `dir`, replaying snapshot + log into memory. */
  static async open(options: JournalOptions): Promise<Journal> {
    const j = new Journal(options);
    await j.#load();
    return j;
  }

  async #load(): Promise<void> {
    const createdDir = await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    // A new directory's entry must reach the disk too, or a crash can lose the whole journal.
    if (createdDir !== undefined) {
      for (let d = this.#dir; ; d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === createdDir || dirname(d) === d) break;
      }
    }
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
        applyRecord(this.#state, JSON.parse(p.toString('utf8')) as LogRecord);
        applied++;
      }
      this.#recordsSinceCompaction = applied;
      if (parsed.problem) {
        this.#logger.warn({ file: this.#logPath, keptRecords: applied, truncatedAt: parsed.goodEnd, droppedBytes: logBuf.length - parsed.goodEnd,
          reason: parsed.problem },
        'journal tail is torn or corrupt; truncating it and keeping the earlier records');
        const fh = await open(this.#logPath, 'r+');
        try { await fh.truncate(parsed.goodEnd); await fh.sync(); } finally { await fh.close(); }
      }
    }
    this.#log = await this.#openLog(this.#logPath);
    await chmod(this.#logPath, 0o600);
    // A newly created log is only durable once its directory entry is.
    if (logBuf === undefined) await fsyncDir(this.#dir);
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

  /** Stores `value` (any JSON) under `key`; memory changes once the record is on disk (fsync). */
  async put(key: string, value: JsonValue): Promise<void> {
    await this.#append({ k: key, v: value });
  }

  /** Removes `key`; resolves to whether it existed, once the removal is on disk. */
  async delete(key: string): Promise<boolean> {
    if (!this.#state.has(key)) return false;
    await this.#append({ k: key, d: 1 });
    return true;
  }

  /** Applies several puts and deletes as one record: after a crash all of them are there or none. */
  async batch(ops: readonly JournalOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.#append({ b: ops.map((op) => (op.delete === true ? { k: op.key, d: 1 as const } : { k: op.key, v: op.value })) });
  }

  async #append(rec: LogRecord): Promise<void> {
    if (this.#closed) throw new EddyError('UNAVAILABLE', 'journal is closed');
    if (this.#failed) throw this.#failed;
    const text = JSON.stringify(rec);
    const buf = frame(Buffer.from(text, 'utf8'));
    if (buf.length - HEADER_BYTES > MAX_RECORD_BYTES) throw new EddyError('INVALID_ARGUMENT', `journal record of ${buf.length} bytes is too large`);
    // Parsed back from the text so memory holds exactly what a restart will read back.
    const stored = JSON.parse(text) as LogRecord;
    const run = this.#chain.then(async () => {
      const log = this.#log;
      if (!log) throw new EddyError('UNAVAILABLE', 'journal is closed');
      if (this.#failed) throw this.#failed;
      try {
        await log.write(buf);
        await log.sync();
      } catch (err) {
        this.#fail(err);
      }
      applyRecord(this.#state, stored);
      this.#recordsSinceCompaction++;
      if (this.#recordsSinceCompaction >= this.#compactAfter) await this.#compactNow();
    });
    // Keep the chain alive after a failure; the caller still sees the error.
    this.#chain = run.catch(() => undefined);
    await run;
  }

  #fail(err: unknown): never {
    const failed = new JournalFailedError(`journal ${this.#logPath}: a write or fsync failed; the master must restart`, { cause: err });
    if (!this.#failed) {
      this.#failed = failed;
      this.#onFatal(failed);
    }
    throw this.#failed;
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
    try {
      await this.#log.truncate(0);
      await this.#log.sync();
    } catch (err) {
      this.#fail(err);
    }
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
