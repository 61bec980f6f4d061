// The status page's HTTP routes, served by the master on --http-listen (an HttpEndpoint, so the
// same credential rules as /metrics): `/` the page, `/status.js` and `/status.css` its assets,
// `/api/status` one JSON snapshot, `/api/events` a server-sent event stream that pushes a new
// snapshot whenever it changed (checked every `intervalMs`).
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { HttpRoute } from '@eddy/metrics';
import type { StatusSnapshot } from './status-snapshot.js';

export interface StatusPageOptions {
  /** The current state (cheap: called once per interval while a page is open). */
  snapshot(): StatusSnapshot | Promise<StatusSnapshot>;
  /** How often open pages are brought up to date. Default 1000 ms. */
  intervalMs?: number;
}

/** Static assets ship next to lib/ (packages/status-page/assets). */
const ASSETS = new URL('../../assets/', import.meta.url);

function asset(name: string, type: string): HttpRoute['handle'] {
  const body = readFileSync(new URL(name, ASSETS));
  return (_req, res) => { res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length }).end(body); };
}

/** A snapshot without its clock, so an unchanged cluster sends nothing. */
function fingerprint(s: StatusSnapshot): string {
  return JSON.stringify({ ...s, generatedAtMs: 0 });
}

function sendEvent(res: ServerResponse, s: StatusSnapshot): void {
  // JSON has no raw newlines, so one `data:` line carries it whole.
  res.write(`event: status\ndata: ${JSON.stringify(s)}\n\n`);
}

export function statusPageRoutes(o: StatusPageOptions): HttpRoute[] {
  const intervalMs = o.intervalMs ?? 1000;
  return [
    { path: '/', handle: asset('index.html', 'text/html; charset=utf-8') },
    { path: '/status.js', handle: asset('status.js', 'text/javascript; charset=utf-8') },
    { path: '/status.css', handle: asset('status.css', 'text/css; charset=utf-8') },
    {
      path: '/api/status',
      async handle(_req, res) {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(await o.snapshot()));
      },
    },
    {
      path: '/api/events',
      async handle(req, res) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
        res.write(`retry: ${Math.max(1000, intervalMs)}\n\n`);
        let last = '';
        let ticks = 0;
        const push = async (): Promise<void> => {
          const s = await o.snapshot();
          const f = fingerprint(s);
          if (f !== last) {
            last = f;
            sendEvent(res, s);
          } else if (++ticks % 15 === 0) {
            res.write(': keep-alive\n\n');
          }
        };
        let busy = false;
        const timer = setInterval(() => {
          if (busy) return;
          busy = true;
          push().catch(() => res.destroy()).finally(() => { busy = false; });
        }, intervalMs);
        req.on('close', () => clearInterval(timer));
        await push();
      },
    },
  ];
}
