// An http(s) "transport" (the `request()` the minio client calls) that adds what Node's
// http.request lacks: a connect deadline, a deadline for the response to start, and the
// caller's AbortSignal. The signal travels in AsyncLocalStorage because minio's API has no
// per-request options; each UFS call runs inside its own context.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import { TimeoutError } from '@eddy/core';

export interface UfsRequestContext {
  signal?: AbortSignal | undefined;
  /** Status of the last response seen in this context; used to decide on retries. */
  status?: number | undefined;
}

export const ufsRequestContext = new AsyncLocalStorage<UfsRequestContext>();

export interface TimedTransportOptions {
  protocol: 'http:' | 'https:';
  connectTimeoutMs: number;
  /** From sending the request until the response headers arrive. The body is not bounded here. */
  responseTimeoutMs: number;
}

export interface TimedTransport {
  request(options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest;
}

export function createTimedTransport(options: TimedTransportOptions): TimedTransport {
  const mod = options.protocol === 'https:' ? https : http;
  return {
    request(reqOptions, callback) {
      const ctx = ufsRequestContext.getStore();
      const signal = ctx?.signal;
      let connectTimer: NodeJS.Timeout | undefined;
      const req = mod.request({ ...reqOptions, ...(signal ? { signal } : {}) }, (res) => {
        clear();
        if (ctx) ctx.status = res.statusCode;
        callback?.(res);
      });
      const responseTimer = setTimeout(() => {
        req.destroy(new TimeoutError(`no response within ${options.responseTimeoutMs} ms`));
      }, options.responseTimeoutMs);
      // Events fire on later ticks, so both timers exist by the time this runs.
      function clear(): void { clearTimeout(responseTimer); clearTimeout(connectTimer); }
      req.once('socket', (socket) => {
        if (!socket.connecting) return; // a kept-alive socket is already connected
        connectTimer = setTimeout(() => {
          req.destroy(new TimeoutError(`could not connect within ${options.connectTimeoutMs} ms`));
        }, options.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.once('close', clear);
      return req;
    },
  };
}
