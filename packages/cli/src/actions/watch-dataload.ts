// `get dataload NAME -w` and `load --wait`: follows one DataLoad with a progress bar (terminals)
// or one plain line per change (logs, pipes, CI).
import { setTimeout as sleep } from 'node:timers/promises';
import type { proto } from '@eddy/protocol/rpc';
import type { CommandContext } from '../command-context.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import type { MasterSession } from '../connection/master-session.js';
import { RateMeter, renderProgressBar, renderProgressLine, type LoadProgress } from '../output/progress-bar.js';
import { fetchResource } from './fetch-listing.js';

function progressOf(r: proto.Resource__Output): LoadProgress {
  const s = r.dataload?.status;
  const p = s?.progress;
  return {
    name: r.metadata?.name ?? '',
    phase: s?.phase || 'Pending',
    filesDone: p?.filesDone ?? 0,
    filesTotal: p?.filesTotal ?? 0,
    bytesDone: p?.bytesDone ?? 0,
    bytesTotal: p?.bytesTotal ?? 0,
  };
}

/**
 * Follows the load. A Once load ends the command when it finishes (exit 1 if Failed); a Cron
 * load is followed across runs until the stop signal.
 */
export async function watchDataLoad(ctx: CommandContext, session: MasterSession, name: string): Promise<void> {
  const out = ctx.io.stdout;
  const meter = new RateMeter();
  let lastLine = '';
  let drewBar = false;
  try {
    while (!ctx.signal.aborted) {
      const load = await fetchResource(session, 'dataload', name, ctx.signal).catch((err: unknown) => {
        if (ctx.signal.aborted) return undefined;
        throw err;
      });
      if (!load) return;
      const p = progressOf(load);
      meter.add(Date.now(), p.bytesDone);
      if (out.isTTY) {
        out.write(`\r\x1b[2K${renderProgressBar(p, meter.rate(), out.columns ?? 80)}`);
        drewBar = true;
      } else {
        const line = renderProgressLine(p, undefined);
        if (line !== lastLine) out.write(`${renderProgressLine(p, meter.rate())}\n`);
        lastLine = line;
      }
      if (load.dataload?.policy !== 'Cron' && (p.phase === 'Complete' || p.phase === 'Failed')) {
        if (p.phase === 'Failed') {
          const reason = load.dataload?.status?.conditions.find((c) => c.type === 'Failed')?.message;
          if (drewBar) out.write('\n');
          drewBar = false;
          ctx.io.stderr.write(`eddy: dataload ${name} failed${reason ? `: ${reason}` : ''}\n`);
          ctx.exitCode = 1;
        }
        return;
      }
      // A progress bar redraws more often than a table reprints.
      await sleep(CLI_DEFAULTS.progressIntervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  } finally {
    if (drewBar) out.write('\n');
  }
}
