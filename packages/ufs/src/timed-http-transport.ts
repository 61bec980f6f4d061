// An http(s) "transport" (the `request()` the minio client calls) that adds what Node's
// http.request lacks: a connect deadline, a deadline for the response to start, and the
// caller's AbortSignal. minio's API has no per-request options, so the signal rides on the
// request options themselves (UFS_REQUEST_STATE, put there by S3RequestClient), not in
// AsyncLocalStorage: that would turn async hooks on for the whole process, a cost on every
// promise and callback of the worker's cold read path.
import * as http from 'node:http';
import * as https from 'node:https';
import { TimeoutError } from '@eddy/core';

/** What one attempt of a UFS call tells its request (the signal), and learns from it (the status). */
export interface UfsRequestState {
  signal?: AbortSignal | undefined;
  /** Status of the last response of this attempt; used to decide on retries. */
  status?: number | undefined;
}

/** The key under which request options carry their UfsRequestState (a symbol: http.request ignores it). */
export const UFS_REQUEST_STATE: unique symbol = Symbol('eddy.ufsRequestState');

export type StatefulRequestOptions = http.RequestOptions & { [UFS_REQUEST_STATE]?: UfsRequestState | undefined };

export interface TimedTransportOptions {
  protocol: 'http:' | 'https:';
  connectTimeoutMs: number;
  /** From sending the request until the response headers arrive. The body is not bounded here. */
  responseTimeoutMs: number;
}

export interface TimedTransport {
  request(options: StatefulRequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest;
}

export function createTimedTransport(options: TimedTransportOptions): TimedTransport {
  const mod = options.protocol === 'https:' ? https : http;
  return {
    request(reqOptions, callback) {
      // A request minio makes on its own (the bucket's region lookup) has no state: it gets the
      // deadlines, not a caller's signal.
      const { [UFS_REQUEST_STATE]: state, ...plain } = reqOptions;
      const signal = state?.signal;
      let connectTimer: NodeJS.Timeout | undefined;
      const req = mod.request({ ...plain, ...(signal ? { signal } : {}) }, (res) => {
        clear();
        if (state) state.status = res.statusCode;
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
