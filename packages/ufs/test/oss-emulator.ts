// A FAKE Aliyun OSS server for tests only: Aliyun OSS cannot be reached from here, so the
// oss:// driver is tested against this in-memory emulator of the parts of the protocol it
// uses. It checks the OSS V1 request signature ali-oss sends (`Authorization: OSS id:sig`,
// HMAC-SHA1) and serves GetObject (Range, If-Match, x-oss-range-behavior), HeadObject and
// ListObjects v1/v2 (max-keys, marker / continuation-token, delimiter), and for a bucket with
// versioning (setVersioning) GetBucketVersioning, ListObjectVersions and GET/HEAD ?versionId.
// Tests put objects straight into its map with put(); there is no PUT API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIP, type AddressInfo } from 'node:net';

export interface EmulatedObject {
  data: Buffer;
  etag: string;
  mtime: Date;
  /** Set in a bucket with versioning. */
  versionId?: string;
}

export interface OssEmulatorOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
}

/** Query parameters that are part of the signed resource (OSS V1 "sub-resources"). */
const SUB_RESOURCES = new Set([
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append',
  'tagging', 'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style',
  'styleName', 'replication', 'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp',
  'qos', 'live', 'status', 'vod', 'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type',
  'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId', 'udfImageDesc', 'udfApplication',
  'udfApplicationLog', 'restore', 'callback', 'callback-var', 'policy', 'stat', 'encryption', 'versions',
  'versioning', 'versionId', 'sequential', 'continuation-token', 'regionList', 'cloudboxes',
]);

export class OssEmulator {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** bucket → key → object. */
  readonly buckets = new Map<string, Map<string, EmulatedObject>>();
  /** Buckets with versioning: bucket → key → every version put, oldest first. */
  readonly versions = new Map<string, Map<string, EmulatedObject[]>>();
  /** Requests received, by method, for assertions on retries and pagination. */
  readonly requests: Array<{ method: string; url: string; status: number }> = [];
  /** Statuses to answer the next requests with before serving normally (fault injection). */
  readonly injectStatuses: number[] = [];
  /** When set, GET bodies stop after their first byte until releaseBodies() (proves streaming). */
  holdBodies = false;
  /** When set, Range headers are ignored and whole objects are sent with 200 (a non-conforming store). */
  ignoreRanges = false;
  private held: Array<() => void> = [];
  private server: Server | undefined;
  private port = 0;

  constructor(options: OssEmulatorOptions = {}) {
    this.accessKeyId = options.accessKeyId ?? 'emulator-access-id';
    this.accessKeySecret = options.accessKeySecret ?? `emulator-secret-${randomBytes(6).toString('hex')}`;
  }

  static async start(options: OssEmulatorOptions = {}): Promise<OssEmulator> {
    const emu = new OssEmulator(options);
    await emu.listen();
    return emu;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  /** Turns versioning on for a bucket: every later put keeps the previous version. */
  setVersioning(bucket: string): void {
    this.createBucket(bucket);
    if (!this.versions.has(bucket)) this.versions.set(bucket, new Map());
  }

  put(bucket: string, key: string, data: Buffer | string, mtime = new Date()): EmulatedObject {
    this.createBucket(bucket);
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const obj: EmulatedObject = { data: buf, etag: createHash('md5').update(buf).digest('hex').toUpperCase(), mtime: new Date(Math.floor(mtime.getTime() / 1000) * 1000) };
    const history = this.versions.get(bucket);
    if (history) {
      obj.versionId = `CAEQ${randomBytes(12).toString('hex')}`;
      history.set(key, [...(history.get(key) ?? []), obj]);
    }
    this.buckets.get(bucket)?.set(key, obj);
    return obj;
  }

  async close(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    if (!srv) return;
    srv.closeAllConnections();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const srv = createServer((req, res) => this.handle(req, res));
    this.server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (srv.address() as AddressInfo).port;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator');
    const record = (status: number): void => { this.requests.push({ method, url: req.url ?? '', status }); };
    req.resume();
    const injected = this.injectStatuses.shift();
    if (injected !== undefined) {
      record(injected);
      this.sendError(res, method, injected, injected === 503 ? 'ServiceUnavailable' : 'InternalError', 'injected failure');
      return;
    }
    // ali-oss talks to an IP endpoint with `Host: <bucket>.<region host>`; else path-style.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    let bucket: string;
    let key: string;
    const rawPath = url.pathname.slice(1);
    if (host !== '' && isIP(host) === 0 && host !== 'localhost') {
      bucket = host.split('.')[0] ?? '';
      key = decodeURIComponent(rawPath);
    } else {
      const slash = rawPath.indexOf('/');
      bucket = decodeURIComponent(slash < 0 ? rawPath : rawPath.slice(0, slash));
      key = slash < 0 ? '' : decodeURIComponent(rawPath.slice(slash + 1));
    }

    const auth = this.checkSignature(req, method, url, bucket, key);
    if (auth) { record(403); this.sendError(res, method, 403, auth, 'request refused by the emulator'); return; }

    const objects = this.buckets.get(bucket);
    if (!objects) { record(404); this.sendError(res, method, 404, 'NoSuchBucket', 'The specified bucket does not exist.'); return; }

    const history = this.versions.get(bucket);
    if (method === 'GET' && key === '' && url.searchParams.has('versioning')) {
      record(200);
      sendXml(res, `<VersioningConfiguration>${history ? '<Status>Enabled</Status>' : ''}</VersioningConfiguration>`);
      return;
    }
    if (method === 'GET' && key === '' && url.searchParams.has('versions')) { record(200); this.listVersions(res, bucket, history, url.searchParams); return; }
    if (method === 'GET' && key === '') { record(200); this.list(res, bucket, objects, url.searchParams); return; }
    if (method !== 'GET' && method !== 'HEAD') { record(405); this.sendError(res, method, 405, 'MethodNotAllowed', 'only GET and HEAD are emulated'); return; }
    const versionId = url.searchParams.get('versionId');
    const obj = versionId === null ? objects.get(key) : history?.get(key)?.find((v) => v.versionId === versionId);
    if (!obj) {
      record(404);
      if (versionId !== null) this.sendError(res, method, 404, 'NoSuchVersion', 'The specified version does not exist.');
      else this.sendError(res, method, 404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }

    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch.replace(/"/g, '') !== obj.etag) {
      record(412); this.sendError(res, method, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.'); return;
    }
    const size = obj.data.length;
    let start = 0;
    let end = size - 1;
    let partial = false;
    const range = req.headers['range'];
    const standard = req.headers['x-oss-range-behavior'] === 'standard';
    const m = range && !this.ignoreRanges ? /^bytes=(\d*)-(\d*)$/.exec(range) : null;
    if (m) {
      const [, a = '', b = ''] = m;
      let s: number; let e: number;
      if (a === '') { s = Math.max(0, size - Number(b)); e = size - 1; } else { s = Number(a); e = b === '' ? size - 1 : Math.min(Number(b), size - 1); }
      if (s >= size || s > e) {
        // Legacy OSS ignores an invalid range and sends everything; "standard" answers 416.
        if (standard) { record(416); this.sendError(res, method, 416, 'InvalidRange', 'The requested range cannot be satisfied.', { 'content-range': `bytes */${size}` }); return; }
      } else {
        start = s; end = e; partial = true;
      }
    }
    const status = partial ? 206 : 200;
    record(status);
    const headers: Record<string, string> = {
      'content-length': String(Math.max(0, end - start + 1)),
      etag: `"${obj.etag}"`,
      'last-modified': obj.mtime.toUTCString(),
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'x-oss-request-id': randomBytes(12).toString('hex'),
    };
    if (partial) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    if (obj.versionId !== undefined) headers['x-oss-version-id'] = obj.versionId;
    res.writeHead(status, headers);
    if (method === 'HEAD') { res.end(); return; }
    const body = obj.data.subarray(start, end + 1);
    if (this.holdBodies && body.length > 1) {
      res.write(body.subarray(0, 1));
      this.held.push(() => res.end(body.subarray(1)));
      return;
    }
    res.end(body);
  }

  releaseBodies(): void {
    this.holdBodies = false;
    for (const release of this.held.splice(0)) release();
  }

  /** Returns an OSS error code when the request is not correctly signed, else undefined. */
  private checkSignature(req: IncomingMessage, method: string, url: URL, bucket: string, key: string): string | undefined {
    const header = req.headers['authorization'];
    const m = header ? /^OSS ([^:]+):(.+)$/.exec(header) : null;
    if (!m) return 'AccessDenied';
    const [, id, signature] = m;
    if (id !== this.accessKeyId) return 'InvalidAccessKeyId';
    const h = req.headers;
    const ossHeaders = Object.keys(h)
      .filter((k) => k.startsWith('x-oss-'))
      .sort()
      .map((k) => `${k}:${String(h[k]).trim()}`);
    const sub = [...url.searchParams.keys()].filter((k) => SUB_RESOURCES.has(k)).sort();
    let resource = `/${bucket}/${key}`;
    if (sub.length > 0) resource += `?${sub.map((k) => { const v = url.searchParams.get(k); return v ? `${k}=${v}` : k; }).join('&')}`;
    const toSign = [method, h['content-md5'] ?? '', h['content-type'] ?? '', h['x-oss-date'] ?? h['date'] ?? '', ...ossHeaders, resource].join('\n');
    const expected = createHmac('sha1', this.accessKeySecret).update(Buffer.from(toSign, 'utf8')).digest('base64');
    return expected === signature ? undefined : 'SignatureDoesNotMatch';
  }

  private list(res: ServerResponse, bucket: string, objects: Map<string, EmulatedObject>, q: URLSearchParams): void {
    const v2 = q.get('list-type') === '2';
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 100));
    const tokenRaw = v2 ? q.get('continuation-token') : q.get('marker');
    const after = tokenRaw ? (v2 ? Buffer.from(tokenRaw, 'base64url').toString('utf8') : tokenRaw) : (q.get('start-after') ?? '');
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = '';
    let truncated = false;
    for (const k of keys) {
      if (after !== '' && (k <= after || (delimiter !== '' && after.endsWith(delimiter) && k.startsWith(after)))) continue;
      let common: string | undefined;
      if (delimiter !== '') {
        const i = k.indexOf(delimiter, prefix.length);
        if (i >= 0) common = k.slice(0, i + delimiter.length);
      }
      if (common !== undefined && prefixes.includes(common)) continue;
      if (contents.length + prefixes.length >= maxKeys) { truncated = true; break; }
      if (common !== undefined) { prefixes.push(common); last = common; continue; }
      const o = objects.get(k) as EmulatedObject;
      contents.push(`<Contents><Key>${xml(k)}</Key><LastModified>${o.mtime.toISOString()}</LastModified><ETag>"${o.etag}"</ETag><Type>Normal</Type><Size>${o.data.length}</Size><StorageClass>Standard</StorageClass><Owner><ID>0</ID><DisplayName>emulator</DisplayName></Owner></Contents>`);
      last = k;
    }
    const next = truncated
      ? (v2 ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : `<NextMarker>${xml(last)}</NextMarker>`)
      : '';
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix>`
      + `<MaxKeys>${maxKeys}</MaxKeys><Delimiter>${xml(delimiter)}</Delimiter><IsTruncated>${truncated}</IsTruncated>${next}`
      + (v2 ? `<KeyCount>${contents.length + prefixes.length}</KeyCount>` : '')
      + contents.join('') + prefixes.map((p) => `<CommonPrefixes><Prefix>${xml(p)}</Prefix></CommonPrefixes>`).join('')
      + '</ListBucketResult>';
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /**
   * ListObjectVersions: keys in order, each key's versions newest first, directories rolled up by
   * the delimiter; a page starts after (key-marker, version-id-marker), or after key-marker's keys.
   */
  private listVersions(res: ServerResponse, bucket: string, history: Map<string, EmulatedObject[]> | undefined, q: URLSearchParams): void {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 100));
    const keyMarker = q.get('key-marker') ?? '';
    const versionMarker = q.get('version-id-marker') ?? '';
    const items: Array<{ key: string; version?: EmulatedObject; latest?: boolean }> = [];
    for (const k of [...(history?.keys() ?? [])].filter((x) => x.startsWith(prefix)).sort()) {
      const i = delimiter === '' ? -1 : k.indexOf(delimiter, prefix.length);
      if (i >= 0) {
        const common = k.slice(0, i + delimiter.length);
        if (items.at(-1)?.key !== common) items.push({ key: common });
        continue;
      }
      const all = [...(history?.get(k) ?? [])].reverse();
      all.forEach((v, n) => items.push({ key: k, version: v, latest: n === 0 }));
    }
    let from = 0;
    if (keyMarker !== '' && versionMarker !== '') {
      from = items.findIndex((it) => it.key === keyMarker && it.version?.versionId === versionMarker) + 1;
    } else if (keyMarker !== '') {
      from = items.findIndex((it) => it.key > keyMarker && !(keyMarker.endsWith(delimiter) && delimiter !== '' && it.key.startsWith(keyMarker)));
      if (from < 0) from = items.length;
    }
    const page = items.slice(from, from + maxKeys);
    const truncated = from + maxKeys < items.length;
    const last = page.at(-1);
    const marker = truncated && last
      ? `<NextKeyMarker>${xml(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.version?.versionId ?? ''}</NextVersionIdMarker>`
      : '';
    const body = page.map((it) => {
      const v = it.version;
      if (!v) return `<CommonPrefixes><Prefix>${xml(it.key)}</Prefix></CommonPrefixes>`;
      return `<Version><Key>${xml(it.key)}</Key><VersionId>${v.versionId ?? ''}</VersionId><IsLatest>${it.latest === true}</IsLatest>`
        + `<LastModified>${v.mtime.toISOString()}</LastModified><ETag>"${v.etag}"</ETag><Type>Normal</Type><Size>${v.data.length}</Size>`
        + '<StorageClass>Standard</StorageClass><Owner><ID>0</ID><DisplayName>emulator</DisplayName></Owner></Version>';
    }).join('');
    sendXml(res, `<ListVersionsResult><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><MaxKeys>${maxKeys}</MaxKeys>`
      + `<Delimiter>${xml(delimiter)}</Delimiter><IsTruncated>${truncated}</IsTruncated>${marker}${body}</ListVersionsResult>`);
  }

  private sendError(res: ServerResponse, method: string, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message><RequestId>${randomBytes(12).toString('hex')}</RequestId><HostId>emulator</HostId></Error>`;
    if (method === 'HEAD') {
      // Like OSS: HEAD has no body, the error document travels base64-encoded in x-oss-err.
      res.writeHead(status, { ...extra, 'x-oss-err': Buffer.from(body).toString('base64') });
      res.end();
      return;
    }
    res.writeHead(status, { ...extra, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function sendXml(res: ServerResponse, body: string): void {
  const doc = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(doc) });
  res.end(doc);
}
