// `s3://bucket/prefix` driver on the MinIO JS client (any S3-compatible store: AWS, MinIO,
// versitygw). minio's own retry is off (it logs with console.warn and retries blindly); this
// driver retries transient failures itself and bounds connects and waits through its transport.
// In a bucket that keeps versions, stat and list report each object's versionId and read() can
// fetch an older version by it.
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import * as Minio from 'minio';
import { EddyError, ValidationError } from '@eddy/core';
import { silentLogger, type Logger } from '@eddy/core';
import type {
  UfsListEntry, UfsListOptions, UfsMountConfig, UfsObjectInfo, UfsReadOptions, UnderFileSystem,
} from './under-file-system.js';
import { normalizeReadRange, normalizeUfsPath } from './normalize-ufs-path.js';
import { parseBucketUrl } from './parse-bucket-url.js';
import { parseListObjectsXml, uriEscape } from './parse-list-objects-xml.js';
import { parseListVersionsXml } from './parse-list-versions-xml.js';
import { BucketVersioning, versionIdField } from './bucket-versioning.js';
import { mapStoreError, markRetryable, requireEtag } from './map-store-error.js';
import { checkResponseVersion, checkStatVersion, prefixDirectories } from './object-response.js';
import { retryWithBackoff } from '@eddy/core';
import { storeRetryOptions } from './store-retry-options.js';
import { sliceStream } from './slice-stream.js';
import { createTimedTransport, type UfsRequestState } from './timed-http-transport.js';
import { S3RequestClient } from './s3-request-client.js';
import { xmlField } from './xml-fields.js';
import { parseEndpoint, resolveUfsClientOptions, type ResolvedUfsClientOptions, type UfsClientOptions } from './ufs-client-options.js';

const CREDENTIAL_FIELDS = 'fs.s3.accessKeyId / fs.s3.accessKeySecret';
const LIST_PAGE = 1000;

export class S3Ufs implements UnderFileSystem {
  readonly description: string;
  readonly bucket: string;
  /** Key prefix of the mount: '' or ending in '/'. */
  readonly prefix: string;
  readonly #client: S3RequestClient;
  readonly #agent: http.Agent;
  readonly #opts: ResolvedUfsClientOptions;
  readonly #logger: Logger;
  #closed = false;
  readonly #versioning: BucketVersioning;

  constructor(config: UfsMountConfig, options: UfsClientOptions = {}) {
    const { bucket, prefix } = parseBucketUrl(config.url, 's3');
    this.bucket = bucket;
    this.prefix = prefix;
    this.description = `s3://${bucket}/${prefix}`;
    this.#opts = resolveUfsClientOptions(options);
    this.#logger = (options.logger ?? silentLogger()).child({ ufs: this.description });

    const o = config.options;
    const endpoint = parseEndpoint(o['fs.s3.endpoint'] ?? 'https://s3.amazonaws.com', 'fs.s3.endpoint');
    const pathStyleRaw = o['fs.s3.pathStyleAccess'];
    if (pathStyleRaw !== undefined && pathStyleRaw !== 'true' && pathStyleRaw !== 'false') {
      throw new ValidationError(`fs.s3.pathStyleAccess must be "true" or "false", got ${JSON.stringify(pathStyleRaw)}`, 'fs.s3.pathStyleAccess');
    }
    const accessKey = o['fs.s3.accessKeyId'] ?? '';
    const secretKey = o['fs.s3.accessKeySecret'] ?? '';
    if ((accessKey === '') !== (secretKey === '')) {
      const missing = accessKey === '' ? 'fs.s3.accessKeyId' : 'fs.s3.accessKeySecret';
      throw new ValidationError(`${missing} is missing for ${this.description}: set both fs.s3.accessKeyId and fs.s3.accessKeySecret, or neither for anonymous access`, missing);
    }
    const useSSL = endpoint.protocol === 'https:';
    const AgentClass = useSSL ? https.Agent : http.Agent;
    this.#agent = new AgentClass({ keepAlive: true, maxSockets: this.#opts.maxSockets, maxFreeSockets: Math.min(16, this.#opts.maxSockets) });
    const region = o['fs.s3.region'];
    this.#client = new S3RequestClient({
      endPoint: endpoint.hostname.replace(/^\[|\]$/g, ''),
      port: endpoint.port ? Number(endpoint.port) : (useSSL ? 443 : 80),
      useSSL,
      accessKey,
      secretKey,
      ...(region ? { region } : {}),
      pathStyle: pathStyleRaw !== 'false',
      transport: createTimedTransport({
        protocol: useSSL ? 'https:' : 'http:',
        connectTimeoutMs: this.#opts.connectTimeoutMs,
        responseTimeoutMs: this.#opts.requestTimeoutMs,
      }) as unknown as Minio.ClientOptions['transport'],
      transportAgent: this.#agent,
      retryOptions: { disableRetry: true },
    });
    // No caller's signal: the answer is shared, and one caller giving up must not fail the others.
    this.#versioning = new BucketVersioning(async () => {
      const xml = await this.#call('get bucket versioning', undefined, async (state) =>
        await readBody(await this.#client.request(state, { method: 'GET', bucketName: this.bucket, query: 'versioning' }, [200])));
      return xmlField(xml, 'Status');
    }, this.#logger);
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<UfsObjectInfo> {
    return await this.#statKey(normalizeUfsPath(path), undefined, options.signal);
  }

  async #statKey(key: string, versionId: string | undefined, signal: AbortSignal | undefined): Promise<UfsObjectInfo> {
    const query = versionId === undefined ? '' : `versionId=${uriEscape(versionId)}`;
    const headers = await this.#call(`stat ${JSON.stringify(key)}`, signal, async (state) => {
      const res = await this.#client.request(state, { method: 'HEAD', bucketName: this.bucket, objectName: this.prefix + key, query }, [200]);
      await readBody(res);
      return res.headers;
    });
    return {
      path: key, size: parseInt(headerValue(headers['content-length']) ?? '', 10),
      version: requireEtag(headerValue(headers.etag), this.description, key),
      mtimeMs: new Date(headerValue(headers['last-modified']) ?? '').getTime(),
      ...versionIdField(headerValue(headers['x-amz-version-id']) ?? null),
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
      const q = ['list-type=2', 'encoding-type=url', `max-keys=${LIST_PAGE}`, `prefix=${uriEscape(keyPrefix)}`];
      if (!recursive) q.push(`delimiter=${uriEscape('/')}`);
      if (token !== undefined) q.push(`continuation-token=${uriEscape(token)}`);
      const page = parseListObjectsXml(await this.#listRequest(base, q, signal));
      yield* prefixDirectories(page.prefixes, this.prefix);
      for (const item of page.objects) {
        if (item.key.endsWith('/')) continue; // directory markers are not objects
        yield {
          path: item.key.slice(this.prefix.length),
          size: item.size,
          version: requireEtag(item.etag, this.description, item.key),
          mtimeMs: Date.parse(item.lastModified) || 0,
        };
      }
      if (!page.isTruncated || !page.nextContinuationToken) return;
      token = page.nextContinuationToken;
    }
  }

  /**
   * A listing of a versioned bucket: the current version of each key, with its versionId.
   * versitygw repeats the marker's entry at the top of the next page (AWS starts after it), so an
   * entry equal to the last one yielded is skipped; keys arrive in order, so that is the only repeat.
   */
  async *#listVersions(base: string, keyPrefix: string, recursive: boolean, signal: AbortSignal | undefined): AsyncIterable<UfsListEntry> {
    let marker: { key: string; versionId: string | undefined } | undefined;
    let lastKey: string | undefined;
    const prefixesSeen = new Set<string>();
    for (;;) {
      const q = ['versions=', 'encoding-type=url', `max-keys=${LIST_PAGE}`, `prefix=${uriEscape(keyPrefix)}`];
      if (!recursive) q.push(`delimiter=${uriEscape('/')}`);
      if (marker) {
        q.push(`key-marker=${uriEscape(marker.key)}`);
        if (marker.versionId !== undefined) q.push(`version-id-marker=${uriEscape(marker.versionId)}`);
      }
      const page = parseListVersionsXml(await this.#listRequest(base, q, signal));
      yield* prefixDirectories(page.prefixes.filter((p) => !prefixesSeen.has(p)), this.prefix);
      for (const p of page.prefixes) prefixesSeen.add(p);
      for (const item of page.objects) {
        if (item.key.endsWith('/') || item.key === lastKey) continue; // directory markers are not objects
        lastKey = item.key;
        yield {
          path: item.key.slice(this.prefix.length),
          size: item.size,
          version: requireEtag(item.etag, this.description, item.key),
          mtimeMs: Date.parse(item.lastModified) || 0,
          ...versionIdField(item.versionId),
        };
      }
      if (!page.isTruncated || !page.nextKeyMarker) return;
      if (marker && page.nextKeyMarker === marker.key && page.nextVersionIdMarker === marker.versionId) {
        throw new EddyError('INTERNAL', `${this.description}: list ${JSON.stringify(base)}: the store repeated its page marker`);
      }
      marker = { key: page.nextKeyMarker, versionId: page.nextVersionIdMarker };
    }
  }

  async #listRequest(base: string, q: string[], signal: AbortSignal | undefined): Promise<string> {
    return await this.#call(`list ${JSON.stringify(base)}`, signal, async (state) =>
      await readBody(await this.#client.request(state, { method: 'GET', bucketName: this.bucket, query: q.sort().join('&') }, [200])));
  }


  async read(path: string, options: UfsReadOptions = {}): Promise<Readable> {
    const key = normalizeUfsPath(path);
    const { offset, length } = normalizeReadRange(options.offset, options.length);
    const what = `read ${JSON.stringify(key)}`;
    if (length === 0) {
      // An empty range is not expressible in HTTP; still report a missing or changed object.
      await this.#checkVersion(key, options, options.signal);
      return Readable.from([]);
    }
    const headers: Record<string, string> = {};
    if (offset > 0 || length !== undefined) headers['range'] = `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    const query = options.versionId === undefined ? {} : { query: `versionId=${uriEscape(options.versionId)}` };
    let res: IncomingMessage;
    try {
      res = await this.#call(what, options.signal, async (state) => await this.#client.request(
        state, { method: 'GET', bucketName: this.bucket, objectName: this.prefix + key, headers, ...query }, [200, 206]));
    } catch (err) {
      // 416: the range starts at or past EOF. That is an empty read, once the version is confirmed.
      if ((err as EddyError).cause !== undefined && errCode((err as EddyError).cause) === 'InvalidRange') {
        await this.#checkVersion(key, options, options.signal);
        return Readable.from([]);
      }
      throw err;
    }
    try {
      checkResponseVersion(`${this.description}: ${what}`, options,
        { etag: headerValue(res.headers.etag), versionId: headerValue(res.headers['x-amz-version-id']) });
    } catch (err) {
      res.destroy();
      throw err;
    }
    if (res.statusCode === 200 && headers['range'] !== undefined) return sliceStream(res, offset, length);
    return res;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#agent.destroy();
  }

  async #checkVersion(key: string, want: { ifMatch?: string; versionId?: string }, signal: AbortSignal | undefined): Promise<void> {
    const st = await this.#statKey(key, want.versionId, signal);
    checkStatVersion(`${this.description}: read ${JSON.stringify(key)}`, want, st.version);
  }

  /** Runs one client call with the caller's signal, typed errors and retries of transient failures. */
  async #call<T>(operation: string, signal: AbortSignal | undefined, fn: (state: UfsRequestState) => Promise<T>): Promise<T> {
    return await retryWithBackoff(async () => {
      const state: UfsRequestState = { signal };
      try {
        return await fn(state);
      } catch (err) {
        const mapped = mapStoreError({
          description: this.description, operation, credentialFields: CREDENTIAL_FIELDS,
          code: errCode(err), status: state.status, cause: err,
        });
        throw mapped.retryable ? markRetryable(mapped.error) : mapped.error;
      }
    }, storeRetryOptions(this.#opts, this.#logger, operation, signal));
  }
}

function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The whole body of a small response (a listing, a HEAD's empty one), as text. */
async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
