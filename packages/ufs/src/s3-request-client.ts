// The minio client with one addition: a request can carry its call's UfsRequestState (the
// caller's signal in, the response status out) to the timed transport, on the request options.
// minio builds a fresh options object for the transport (`getRequestOptions`), so the state is
// copied onto it there; everything else (signing, region, error parsing) is minio's own.
import type { IncomingMessage } from 'node:http';
import * as Minio from 'minio';
import { UFS_REQUEST_STATE, type UfsRequestState } from './timed-http-transport.js';

export type S3RequestOptions = Parameters<Minio.Client['makeRequestAsync']>[0];

type StatefulOptions = S3RequestOptions & { [UFS_REQUEST_STATE]?: UfsRequestState | undefined };

export class S3RequestClient extends Minio.Client {
  /** One request of a call's attempt; the response is returned unread when its status is one of `expectedCodes`. */
  async request(state: UfsRequestState, options: S3RequestOptions, expectedCodes: number[]): Promise<IncomingMessage> {
    const withState: StatefulOptions = { ...options, [UFS_REQUEST_STATE]: state };
    return await this.makeRequestAsync(withState, '', expectedCodes);
  }

  protected override getRequestOptions(opts: StatefulOptions & { region: string }): ReturnType<Minio.Client['getRequestOptions']> {
    const out = super.getRequestOptions(opts);
    const state = opts[UFS_REQUEST_STATE];
    return state === undefined ? out : Object.assign(out, { [UFS_REQUEST_STATE]: state });
  }
}
