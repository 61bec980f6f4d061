// `oss://bucket/prefix` driver on ali-oss (Aliyun OSS, V1 signatures). ali-oss has no
// AbortSignal support, so a caller's abort settles the call at once and destroys any stream
// that arrives later; its own retry is off and transient failures are retried here.
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import OSS from 'ali-oss';
import { AbortedError, ValidationError, VersionMismatchError, type EddyError } from '@eddy/core';
import { silentLogger, type Logger } from '@eddy/core';
import type {
  UfsListEntry, UfsListOptions, UfsMountConfig, UfsObjectInfo, UfsReadOptions, UnderFileSystem,
} from './under-file-system.js';
import { normalizeReadRange, normalizeUfsPath } from './normalize-ufs-path.js';
import { parseBucketUrl } from './parse-bucket-url.js';
import { mapStoreError, markRetryable, stripEtag } from './map-store-error.js';
import { retryWithBackoff } from '@eddy/core';
import { storeRetryOptions } from './store-retry-options.js';
import { sliceStream } from './slice-stream.js';
import { parseEndpoint, resolveUfsClientOptions, type ResolvedUfsClientOptions, type UfsClientOptions } from './ufs-client-options.js';

const CREDENTIAL_FIELDS = 'fs.oss.accessKeyId / fs.oss.accessKeySecret';
const REQUIRED = ['fs.oss.endpoint', 'fs.oss.accessKeyId', 'fs.oss.accessKeySecret'] as const;
const LIST_PAGE = 1000;

interface OssError { code?: unknown; status?: unknown; name?: unknown; message?: unknown }

export class OssUfs implements UnderFileSystem {
  readonly description: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: OSS;
  private readonly agent: http.Agent;
  private readonly opts: ResolvedUfsClientOptions;
  private readonly logger: Logger;
  /** urllib takes [connect, response] deadlines; the response one ends once headers arrive. */
  private readonly timeout: [number, number];
  private closed = false;

  constructor(config: UfsMountConfig, options: UfsClientOptions = {}) {
    const { bucket, prefix } = parseBucketUrl(config.url, 'oss');
    this.bucket = bucket;
    this.prefix = prefix;
    this.description = `oss://${bucket}/${prefix}`;
    this.opts = resolveUfsClientOptions(options);
    this.logger = (options.logger ?? silentLogger()).child({ ufs: this.description });
    const o = config.options;
    for (const field of REQUIRED) {
      if (!o[field]) throw new ValidationError(`${field} is missing for ${this.description}: set it in the mount's options (e.g. from a Secret)`, field);
    }
    const endpoint = parseEndpoint(o['fs.oss.endpoint'] as string, 'fs.oss.endpoint');
    const secure = endpoint.protocol === 'https:';
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: this.opts.maxSockets, maxFreeSockets: Math.min(16, this.opts.maxSockets) })
      : new http.Agent({ keepAlive: true, maxSockets: this.opts.maxSockets, maxFreeSockets: Math.min(16, this.opts.maxSockets) });
    this.timeout = [this.opts.connectTimeoutMs, this.opts.requestTimeoutMs];
    this.client = new OSS({
      endpoint: endpoint.origin,
      secure,
      bucket,
      accessKeyId: o['fs.oss.accessKeyId'] as string,
      accessKeySecret: o['fs.oss.accessKeySecret'] as string,
      timeout: this.opts.requestTimeoutMs,
      // Not in @types/ali-oss, but read by the client: our bounded pool, no built-in retry.
      ...({ agent: this.agent, httpsAgent: this.agent, retryMax: 0 } as object),
    });
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<UfsObjectInfo> {
    const key = normalizeUfsPath(path);
    const res = await this.call(`stat ${JSON.stringify(key)}`, options.signal, async () =>
      (await this.client.head(this.prefix + key, this.reqOptions())).res);
    const h = res.headers as Record<string, string | undefined>;
    const lm = h['last-modified'];
    return { path: key, size: Number(h['content-length'] ?? 0), version: stripEtag(h['etag']), mtimeMs: lm ? Date.parse(lm) : 0 };
  }

  async *list(prefix: string, options: UfsListOptions = {}): AsyncIterable<UfsListEntry> {
    const base = normalizeUfsPath(prefix, { allowEmpty: true, field: 'prefix' });
    const recursive = options.recursive ?? true;
    const keyPrefix = this.prefix + (base === '' ? '' : `${base}/`);
    let token: string | undefined;
    for (;;) {
      const query: OSS.ListV2ObjectsQuery = { prefix: keyPrefix, 'max-keys': LIST_PAGE };
      if (!recursive) query.delimiter = '/';
      if (token !== undefined) query['continuation-token'] = token;
      const page = await this.call(`list ${JSON.stringify(base)}`, options.signal, () => this.client.listV2(query, this.reqOptions()));
      for (const p of page.prefixes ?? []) {
        const rel = p.slice(this.prefix.length).replace(/\/$/, '');
        if (rel !== '') yield { path: rel, size: 0, version: '', mtimeMs: 0, isDirectory: true };
      }
      for (const obj of page.objects ?? []) {
        if (obj.name.endsWith('/')) continue; // directory markers are not objects
        yield { path: obj.name.slice(this.prefix.length), size: Number(obj.size), version: stripEtag(obj.etag), mtimeMs: Date.parse(obj.lastModified) || 0 };
      }
      if (!page.isTruncated || !page.nextContinuationToken) return;
      token = page.nextContinuationToken;
    }
  }

  async read(path: string, options: UfsReadOptions = {}): Promise<Readable> {
    const key = normalizeUfsPath(path);
    const { offset, length } = normalizeReadRange(options.offset, options.length);
    const what = `read ${JSON.stringify(key)}`;
    if (length === 0) {
      await this.checkVersion(key, options.ifMatch, options.signal);
      return Readable.from([]);
    }
    // "standard" makes OSS answer 416 to a range past EOF instead of sending the whole object.
    const headers: Record<string, string> = { 'x-oss-range-behavior': 'standard' };
    if (offset > 0 || length !== undefined) headers['Range'] = `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
    let result: { stream: Readable; res: { status: number; headers: object } };
    try {
      result = await this.call(what, options.signal, async () => {
        const r = await this.client.getStream(this.prefix + key, { ...this.reqOptions(), headers });
        return r as { stream: Readable; res: { status: number; headers: object } };
      }, (r) => r.stream.destroy());
    } catch (err) {
      const cause = (err as EddyError).cause as OssError | undefined;
      if (cause?.status === 416 || cause?.code === 'InvalidRange') {
        await this.checkVersion(key, options.ifMatch, options.signal);
        return Readable.from([]);
      }
      throw err;
    }
    const stream = result.stream;
    if (options.ifMatch !== undefined) {
      const got = stripEtag((result.res.headers as Record<string, string | undefined>)['etag']);
      if (got !== '' && got !== options.ifMatch) {
        stream.destroy();
        throw new VersionMismatchError(`${this.description}: ${what}: the object is at version ${got}, not ${options.ifMatch}`);
      }
    }
    if (options.signal) {
      const signal = options.signal;
      const onAbort = (): void => { stream.destroy(new AbortedError(`${this.description}: ${what} aborted`)); };
      signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    // Legacy OSS (or a proxy) may ignore the range and send the whole object with 200.
    if (result.res.status === 200 && headers['Range'] !== undefined) return sliceStream(stream, offset, length);
    return stream;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.agent.destroy();
  }

  private reqOptions(): { timeout: number } {
    // urllib accepts [connectMs, responseMs]; the typings only know a number.
    return { timeout: this.timeout as unknown as number };
  }

  private async checkVersion(key: string, ifMatch: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    const st = await this.stat(key, signal ? { signal } : {});
    if (ifMatch !== undefined && st.version !== ifMatch) {
      throw new VersionMismatchError(`${this.description}: read ${JSON.stringify(key)}: the object is at version ${st.version}, not ${ifMatch}`);
    }
  }

  private async call<T>(operation: string, signal: AbortSignal | undefined, fn: () => Promise<T>, discard?: (late: T) => void): Promise<T> {
    return await retryWithBackoff(async () => {
      try {
        return await withAbort(fn(), signal, discard);
      } catch (err) {
        const e = err as OssError;
        const status = typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
        let code = typeof e.code === 'string' ? e.code : undefined;
        if (e.name === 'ConnectionTimeoutError' || e.name === 'ResponseTimeoutError' || e.name === 'SocketAssignTimeoutError') code = e.name;
        else if (e.status === -1 || e.status === -2) code = netCode(String(e.message)) ?? code;
        const mapped = mapStoreError({ description: this.description, operation, credentialFields: CREDENTIAL_FIELDS, code, status, cause: err });
        throw mapped.retryable ? markRetryable(mapped.error) : mapped.error;
      }
    }, storeRetryOptions(this.opts, this.logger, operation, signal));
  }
}

/** urllib reports network failures as status -1 with the errno only in the message. */
function netCode(message: string): string | undefined {
  return /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(message)?.[1];
}

async function withAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, discard?: (late: T) => void): Promise<T> {
  if (!signal) return await p;
  if (signal.aborted) {
    p.then((v) => discard?.(v), () => undefined);
    throw new AbortedError();
  }
  return await new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      p.then((v) => discard?.(v), () => undefined);
      reject(new AbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      if (!settled) { settled = true; resolve(v); }
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort);
      if (!settled) { settled = true; reject(err as Error); }
    });
  });
}
