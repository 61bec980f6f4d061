// `s3://bucket/prefix` driver on the MinIO JS client (any S3-compatible store: AWS, MinIO,
// versitygw). minio's own retry is off (it logs with console.warn and retries blindly); this
// driver retries transient failures itself and bounds connects and waits through its transport.
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import * as Minio from 'minio';
import { ValidationError, VersionMismatchError, type EddyError } from '@eddy/core';
import { silentLogger, type Logger } from '@eddy/core';
import type {
  UfsListEntry, UfsListOptions, UfsMountConfig, UfsObjectInfo, UfsReadOptions, UnderFileSystem,
} from './under-file-system.js';
import { normalizeReadRange, normalizeUfsPath } from './normalize-ufs-path.js';
import { parseBucketUrl } from './parse-bucket-url.js';
import { parseListObjectsXml, uriEscape } from './parse-list-objects-xml.js';
import { mapStoreError, markRetryable, stripEtag } from './map-store-error.js';
import { retryWithBackoff } from '@eddy/core';
import { storeRetryOptions } from './store-retry-options.js';
import { sliceStream } from './slice-stream.js';
import { createTimedTransport, ufsRequestContext, type UfsRequestContext } from './timed-http-transport.js';
import { parseEndpoint, resolveUfsClientOptions, type ResolvedUfsClientOptions, type UfsClientOptions } from './ufs-client-options.js';

const CREDENTIAL_FIELDS = 'fs.s3.accessKeyId / fs.s3.accessKeySecret';
const LIST_PAGE = 1000;

export class S3Ufs implements UnderFileSystem {
  readonly description: string;
  readonly bucket: string;
  /** Key prefix of the mount: '' or ending in '/'. */
  readonly prefix: string;
  private readonly client: Minio.Client;
  private readonly agent: http.Agent;
  private readonly opts: ResolvedUfsClientOptions;
  private readonly logger: Logger;
  private closed = false;

  constructor(config: UfsMountConfig, options: UfsClientOptions = {}) {
    const { bucket, prefix } = parseBucketUrl(config.url, 's3');
    this.bucket = bucket;
    this.prefix = prefix;
    this.description = `s3://${bucket}/${prefix}`;
    this.opts = resolveUfsClientOptions(options);
    this.logger = (options.logger ?? silentLogger()).child({ ufs: this.description });

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
    this.agent = new AgentClass({ keepAlive: true, maxSockets: this.opts.maxSockets, maxFreeSockets: Math.min(16, this.opts.maxSockets) });
    const region = o['fs.s3.region'];
    this.client = new Minio.Client({
      endPoint: endpoint.hostname.replace(/^\[|\]$/g, ''),
      port: endpoint.port ? Number(endpoint.port) : (useSSL ? 443 : 80),
      useSSL,
      accessKey,
      secretKey,
      ...(region ? { region } : {}),
      pathStyle: pathStyleRaw !== 'false',
      transport: createTimedTransport({
        protocol: useSSL ? 'https:' : 'http:',
        connectTimeoutMs: this.opts.connectTimeoutMs,
        responseTimeoutMs: this.opts.requestTimeoutMs,
      }) as unknown as Minio.ClientOptions['transport'],
      transportAgent: this.agent,
      retryOptions: { disableRetry: true },
    });
  }

  async stat(path: string, options: { signal?: AbortSignal } = {}): Promise<UfsObjectInfo> {
    const key = normalizeUfsPath(path);
    const st = await this.call(`stat ${JSON.stringify(key)}`, options.signal, () => this.client.statObject(this.bucket, this.prefix + key));
    return { path: key, size: st.size, version: stripEtag(st.etag), mtimeMs: st.lastModified.getTime() };
  }

  async *list(prefix: string, options: UfsListOptions = {}): AsyncIterable<UfsListEntry> {
    const base = normalizeUfsPath(prefix, { allowEmpty: true, field: 'prefix' });
    const recursive = options.recursive ?? true;
    const keyPrefix = this.prefix + (base === '' ? '' : `${base}/`);
    let token: string | undefined;
    for (;;) {
      const q = [`list-type=2`, `encoding-type=url`, `max-keys=${LIST_PAGE}`, `prefix=${uriEscape(keyPrefix)}`];
      if (!recursive) q.push(`delimiter=${uriEscape('/')}`);
      if (token !== undefined) q.push(`continuation-token=${uriEscape(token)}`);
      const page = await this.call(`list ${JSON.stringify(base)}`, options.signal, async () => {
        const res = await this.client.makeRequestAsync({ method: 'GET', bucketName: this.bucket, query: q.sort().join('&') }, '', [200]);
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        return parseListObjectsXml(Buffer.concat(chunks).toString('utf8'));
      });
      for (const p of page.prefixes) {
        const rel = p.slice(this.prefix.length).replace(/\/$/, '');
        if (rel !== '') yield { path: rel, size: 0, version: '', mtimeMs: 0, isDirectory: true };
      }
      for (const item of page.objects) {
        if (item.key.endsWith('/')) continue; // directory markers are not objects
        yield {
          path: item.key.slice(this.prefix.length),
          size: item.size,
          version: stripEtag(item.etag),
          mtimeMs: Date.parse(item.lastModified) || 0,
        };
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
      // An empty range is not expressible in HTTP; still report a missing or changed object.
      await this.checkVersion(key, options.ifMatch, options.signal);
      return Readable.from([]);
    }
    const headers: Record<string, string> = {};
    if (offset > 0 || length !== undefined) headers['range'] = `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    let res: IncomingMessage;
    try {
      res = await this.call(what, options.signal, () => this.client.makeRequestAsync(
        { method: 'GET', bucketName: this.bucket, objectName: this.prefix + key, headers }, '', [200, 206]));
    } catch (err) {
      // 416: the range starts at or past EOF. That is an empty read, once the version is confirmed.
      if ((err as EddyError).cause !== undefined && errCode((err as EddyError).cause) === 'InvalidRange') {
        await this.checkVersion(key, options.ifMatch, options.signal);
        return Readable.from([]);
      }
      throw err;
    }
    // Some stores ignore If-Match on GET; never hand out bytes of another version.
    if (options.ifMatch !== undefined) {
      const got = stripEtag(headerValue(res.headers.etag));
      if (got !== '' && got !== options.ifMatch) {
        res.destroy();
        throw new VersionMismatchError(`${this.description}: ${what}: the object is at version ${got}, not ${options.ifMatch}`);
      }
    }
    if (res.statusCode === 200 && headers['range'] !== undefined) return sliceStream(res, offset, length);
    return res;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.agent.destroy();
  }

  private async checkVersion(key: string, ifMatch: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    const st = await this.stat(key, signal ? { signal } : {});
    if (ifMatch !== undefined && st.version !== ifMatch) {
      throw new VersionMismatchError(`${this.description}: read ${JSON.stringify(key)}: the object is at version ${st.version}, not ${ifMatch}`);
    }
  }

  /** Runs one client call with the caller's signal, typed errors and retries of transient failures. */
  private async call<T>(operation: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return await retryWithBackoff(async () => {
      const ctx: UfsRequestContext = { signal };
      try {
        return await ufsRequestContext.run(ctx, fn);
      } catch (err) {
        const mapped = mapStoreError({
          description: this.description, operation, credentialFields: CREDENTIAL_FIELDS,
          code: errCode(err), status: ctx.status, cause: err,
        });
        throw mapped.retryable ? markRetryable(mapped.error) : mapped.error;
      }
    }, storeRetryOptions(this.opts, this.logger, operation, signal));
  }
}

function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
