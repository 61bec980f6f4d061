// `oss://bucket/prefix` driver on ali-oss (Aliyun OSS, V1 signatures). ali-oss has no
// AbortSignal support, so a caller's abort settles the call at once and destroys any stream
// that arrives later; its own retry is off and transient failures are retried here.
// In a bucket with versioning, stat and list report each object's versionId and read() can
// fetch an older version by it.
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import OSS from 'ali-oss';
import { AbortedError, ValidationError, type EddyError } from '@eddy/core';
import { silentLogger, type Logger } from '@eddy/core';
import type {
  UfsListEntry, UfsListOptions, UfsMountConfig, UfsObjectInfo, UfsReadOptions, UnderFileSystem,
} from './under-file-system.js';
import { normalizeReadRange, normalizeUfsPath } from './normalize-ufs-path.js';
import { parseBucketUrl } from './parse-bucket-url.js';
import { mapStoreError, markRetryable, requireEtag } from './map-store-error.js';
import { checkResponseVersion, checkStatVersion, prefixDirectories } from './object-response.js';
import { retryWithBackoff } from '@eddy/core';
import { storeRetryOptions } from './store-retry-options.js';
import { sliceStream } from './slice-stream.js';
import { BucketVersioning, versionIdField } from './bucket-versioning.js';
import { parseEndpoint, resolveUfsClientOptions, type ResolvedUfsClientOptions, type UfsClientOptions } from './ufs-client-options.js';

const CREDENTIAL_FIELDS = 'fs.oss.accessKeyId / fs.oss.accessKeySecret';
const REQUIRED = ['fs.oss.endpoint', 'fs.oss.accessKeyId', 'fs.oss.accessKeySecret'] as const;
const LIST_PAGE = 1000;

/** The versioning calls of ali-oss, which @types/ali-oss does not declare. */
interface OssVersionsApi {
  getBucketVersioning(bucket: string, options?: object): Promise<{ versionStatus?: string }>;
  getBucketVersions(query: {
    prefix?: string; delimiter?: string; maxKeys?: number; keyMarker?: string; versionIdMarker?: string;
  }, options?: object): Promise<{
    objects: Array<{ name: string; versionId: string; isLatest: boolean; etag: string; size: number; lastModified: string }>;
    prefixes: string[] | null;
    isTruncated: boolean;
    nextKeyMarker: string | null;
    nextVersionIdMarker: string | null;
  }>;
}

interface OssError { code?: unknown; status?: unknown; name?: unknown; message?: unknown }

export class OssUfs implements UnderFileSystem {
  readonly description: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: OSS & OssVersionsApi;
  readonly #agent: http.Agent;
  readonly #opts: ResolvedUfsClientOptions;
  readonly #logger: Logger;
  /** urllib takes [connect, response] deadlines; the response one ends once headers arrive. */
  readonly #timeout: [number, number];
  #closed = false;
  readonly #versioning: BucketVersioning;

  constructor(config: UfsMountConfig, options: UfsClientOptions = {}) {
    const { bucket, prefix } = parseBucketUrl(config.url, 'oss');
    this.bucket = bucket;
    this.prefix = prefix;
    this.description = `oss://${bucket}/${prefix}`;
    this.#opts = resolveUfsClientOptions(options);
    this.#logger = (options.logger ?? silentLogger()).child({ ufs: this.description });
    const o = config.options;
    for (const field of REQUIRED) {
      if (!o[field]) throw new ValidationError(`${field} is missing for ${this.description}: set it in the mount's options (e.g. from a Secret)`, field);
    }
    const endpoint = parseEndpoint(o['fs.oss.endpoint'] as string, 'fs.oss.endpoint');
    const secure = endpoint.protocol === 'https:';
    this.#agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: this.#opts.maxSockets, maxFreeSockets: Math.min(16, this.#opts.maxSockets) })
      : new http.Agent({ keepAlive: true, maxSockets: this.#opts.maxSockets, maxFreeSockets: Math.min(16, this.#opts.maxSockets) });
    this.#timeout = [this.#opts.connectTimeoutMs, this.#opts.requestTimeoutMs];
    // ali-oss has the versioning calls; only its typings lack them.
    this.#client = new OSS({
      endpoint: endpoint.origin,
      secure,
      bucket,
      accessKeyId: o['fs.oss.accessKeyId'] as string,
      accessKeySecret: o['fs.oss.accessKeySecret'] as string,
      timeout: this.#opts.requestTimeoutMs,
      // Not in @types/ali-oss, but read by the client: our bounded pool, no built-in retry.
      ...({ agent: this.#agent, httpsAgent: this.#agent, retryMax: 0 } as object),
    }) as OSS & OssVersionsApi;
    this.#versioning = new BucketVersioning(async () =>
      (await this.#call('get bucket versioning', undefined, () => this.#client.getBucketVersioning(this.bucket, this.#reqOptions()))).versionStatus,
    this.#logger);
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<UfsObjectInfo> {
    return await this.#statKey(normalizeUfsPath(path), undefined, options.signal);
  }

  async #statKey(key: string, versionId: string | undefined, signal: AbortSignal | undefined): Promise<UfsObjectInfo> {
    const res = await this.#call(`stat ${JSON.stringify(key)}`, signal, async () =>
      (await this.#client.head(this.prefix + key, { ...this.#reqOptions(), ...(versionId === undefined ? {} : { versionId }) })).res);
    const h = res.headers as Record<string, string | undefined>;
    const lm = h['last-modified'];
    return {
      path: key, size: Number(h['content-length'] ?? 0), version: requireEtag(h['etag'], this.description, key), mtimeMs: lm ? Date.parse(lm) : 0,
      ...versionIdField(h['x-oss-version-id']),
    };
  }

  async *list(prefix: string, options: UfsListOptions = {}): AsyncIterable<UfsListEntry> {
    const base = normalizeUfsPath(prefix, { allowEmpty: true, field: 'prefix' });
    const recursive = options.recursive ?? true;
    const keyPrefix = this.prefix + (base === '' ? '' : `${base}/`);
    if (await this.#versioning.keepsVersions()) yield* this.#listVersions(base, keyPrefix, recursive, options.signal);
    else yield* this.#listCurrent(base, keyPrefix, recursive, options.signal);
  }

  async *#listCurrent(base: string, keyPrefix: string, recursive: boolean, signal: AbortSignal | undefined): AsyncIterable<UfsListEntry> {
    let token: string | undefined;
    for (;;) {
      const query: OSS.ListV2ObjectsQuery = { prefix: keyPrefix, 'max-keys': LIST_PAGE };
      if (!recursive) query.delimiter = '/';
      if (token !== undefined) query['continuation-token'] = token;
      const page = await this.#call(`list ${JSON.stringify(base)}`, signal, () => this.#client.listV2(query, this.#reqOptions()));
      yield* prefixDirectories(page.prefixes ?? [], this.prefix);
      for (const obj of page.objects ?? []) {
        if (obj.name.endsWith('/')) continue; // directory markers are not objects
        yield { path: obj.name.slice(this.prefix.length), size: Number(obj.size), version: requireEtag(obj.etag, this.description, obj.name),
          mtimeMs: Date.parse(obj.lastModified) || 0 };
      }
      if (!page.isTruncated || !page.nextContinuationToken) return;
      token = page.nextContinuationToken;
    }
  }

  /** A listing of a versioned bucket: the current version of each key, with its versionId. */
  async *#listVersions(base: string, keyPrefix: string, recursive: boolean, signal: AbortSignal | undefined): AsyncIterable<UfsListEntry> {
    let marker: { keyMarker: string; versionIdMarker?: string } | undefined;
    let lastKey: string | undefined; // as in S3Ufs: a store that repeats the marker's entry does not list it twice
    for (;;) {
      const query = { prefix: keyPrefix, maxKeys: LIST_PAGE, ...(recursive ? {} : { delimiter: '/' }), ...marker };
      const page = await this.#call(`list ${JSON.stringify(base)}`, signal, () => this.#client.getBucketVersions(query, this.#reqOptions()));
      yield* prefixDirectories(page.prefixes ?? [], this.prefix);
      for (const obj of page.objects) {
        if (!obj.isLatest || obj.name.endsWith('/') || obj.name === lastKey) continue; // older versions; directory markers are not objects
        lastKey = obj.name;
        yield {
          path: obj.name.slice(this.prefix.length), size: Number(obj.size), version: requireEtag(obj.etag, this.description, obj.name),
          mtimeMs: Date.parse(obj.lastModified) || 0, ...versionIdField(obj.versionId),
        };
      }
      if (!page.isTruncated || !page.nextKeyMarker) return;
      marker = { keyMarker: page.nextKeyMarker, ...(page.nextVersionIdMarker ? { versionIdMarker: page.nextVersionIdMarker } : {}) };
    }
  }


  async read(path: string, options: UfsReadOptions = {}): Promise<Readable> {
    const key = normalizeUfsPath(path);
    const { offset, length } = normalizeReadRange(options.offset, options.length);
    const what = `read ${JSON.stringify(key)}`;
    if (length === 0) {
      await this.#checkVersion(key, options, options.signal);
      return Readable.from([]);
    }
    // "standard" makes OSS answer 416 to a range past EOF instead of sending the whole object.
    const headers: Record<string, string> = { 'x-oss-range-behavior': 'standard' };
    if (offset > 0 || length !== undefined) headers['Range'] = `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
    let result: { stream: Readable; res: { status: number; headers: object } };
    try {
      result = await this.#call(what, options.signal, async () => {
        const subres = options.versionId === undefined ? {} : { subres: { versionId: options.versionId } };
        const r = await this.#client.getStream(this.prefix + key, { ...this.#reqOptions(), headers, ...subres });
        return r as { stream: Readable; res: { status: number; headers: object } };
      }, (r) => r.stream.destroy());
    } catch (err) {
      const cause = (err as EddyError).cause as OssError | undefined;
      if (cause?.status === 416 || cause?.code === 'InvalidRange') {
        await this.#checkVersion(key, options, options.signal);
        return Readable.from([]);
      }
      throw err;
    }
    const stream = result.stream;
    const resHeaders = result.res.headers as Record<string, string | undefined>;
    try {
      checkResponseVersion(`${this.description}: ${what}`, options, { etag: resHeaders['etag'], versionId: resHeaders['x-oss-version-id'] });
    } catch (err) {
      stream.destroy();
      throw err;
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
    if (this.#closed) return;
    this.#closed = true;
    this.#agent.destroy();
  }

  #reqOptions(): { timeout: number } {
    // urllib accepts [connectMs, responseMs]; the typings only know a number.
    return { timeout: this.#timeout as unknown as number };
  }

  async #checkVersion(key: string, want: { ifMatch?: string; versionId?: string }, signal: AbortSignal | undefined): Promise<void> {
    const st = await this.#statKey(key, want.versionId, signal);
    checkStatVersion(`${this.description}: read ${JSON.stringify(key)}`, want, st.version);
  }

  async #call<T>(operation: string, signal: AbortSignal | undefined, fn: () => Promise<T>, discard?: (late: T) => void): Promise<T> {
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
    }, storeRetryOptions(this.#opts, this.#logger, operation, signal));
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
