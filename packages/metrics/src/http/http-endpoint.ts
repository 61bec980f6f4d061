// A small HTTP listener for what operators read: /metrics, the master's status page. Bound to
// loopback it answers anyone on this host; bound elsewhere it requires the cluster token (see
// credential-check.ts) and refuses to start without one. Responses are never cached, never
// sniffed, and HTML may load scripts from itself only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseHostPort, ValidationError, type Logger } from '@eddy/core';
import { credentialMatches, isLoopbackHost } from './credential-check.js';

export interface HttpRoute {
  /** Exact path, e.g. `/metrics`. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface HttpEndpointOptions {
  /** HOST:PORT (port 0 picks a free one). */
  listen: string;
  /** The cluster token; required unless the listener is on loopback. */
  token: string;
  routes: HttpRoute[];
  logger: Logger;
  /** Require the token on loopback too (default: only off loopback). */
  alwaysRequireCredential?: boolean;
  /** Names the endpoint in errors and logs, e.g. `--metrics-listen`. */
  flag?: string;
}

export class HttpEndpoint {
  readonly address: string;
  readonly port: number;
  readonly requiresCredential: boolean;
  readonly #server: Server;
  readonly #logger: Logger;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, address: string, port: number, requiresCredential: boolean, logger: Logger) {
    this.#server = server;
    this.address = address;
    this.port = port;
    this.requiresCredential = requiresCredential;
    this.#logger = logger;
  }

  static async start(o: HttpEndpointOptions): Promise<HttpEndpoint> {
    const flag = o.flag ?? 'listen';
    const { host, port } = parseHostPort(o.listen, flag);
    const requiresCredential = o.alwaysRequireCredential === true || !isLoopbackHost(host);
    if (requiresCredential && !o.token) {
      throw new ValidationError(`${flag} ${o.listen} is not a loopback address, so it needs the cluster token (--token-file)`, flag);
    }
    const routes = new Map(o.routes.map((r) => [r.path, r]));
    const server = createServer((req, res) => {
      void HttpEndpoint.#serve(req, res, routes, requiresCredential ? o.token : undefined, o.logger);
    });
    // Long-lived event streams must not hold close() up (see close()).
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    const addr = server.address();
    const bound = typeof addr === 'object' && addr ? addr.port : port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    o.logger.info({ address: `${shownHost}:${bound}`, credential: requiresCredential }, `${flag} serving`);
    return new HttpEndpoint(server, `${shownHost}:${bound}`, bound, requiresCredential, o.logger);
  }

  static async #serve(req: IncomingMessage, res: ServerResponse, routes: Map<string, HttpRoute>, token: string | undefined, logger: Logger): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'");
    if (token !== undefined && !credentialMatches(req.headers, token)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="eddy", charset="UTF-8"', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('401 unauthorized: send the cluster token as a bearer token (or as the Basic auth password)\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('405 method not allowed\n');
      return;
    }
    try {
      await route.handle(req, res);
    } catch (err) {
      logger.error({ err, path }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    }
  }

  /** Stops listening and ends open connections (event streams included). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    }).then(() => { this.#logger.debug({ address: this.address }, 'http endpoint closed'); });
    return this.#closing;
  }
}
