// `eddy mount`: validates the flags, mounts the dataset and serves it until the process's stop
// signal, then unmounts. The master, token and CA come from the one connection resolver.
import { createLogger, ValidationError } from '@eddy/core';
import { MOUNT_DEFAULTS, mountDataset, type ReadaheadOptions } from '@eddy/fuse-client';
import { ProcessMetrics } from '@eddy/metrics';
import type { CommandContext } from '../command-context.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import type { MountFlags } from '../commands/mount-command.js';
import { untilAborted } from '../commands/process-lifecycle.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { resolveConnection, type ConnectionFlags } from '../connection/resolve-connection.js';

/** `--readahead MiB`: the largest window; the first window and the chunk keep the mount's defaults, at most. */
function parseReadahead(text: string | undefined): Partial<ReadaheadOptions> | undefined {
  if (text === undefined) return undefined;
  const mib = Number(text);
  if (!/^\d+$/.test(text) || mib > CLI_DEFAULTS.maxReadaheadMiB) {
    const most = CLI_DEFAULTS.maxReadaheadMiB;
    throw new ValidationError(`--readahead must be a whole number of MiB up to ${most}, got ${JSON.stringify(text)}`, '--readahead');
  }
  if (mib === 0) return { maxWindowBytes: 0, initialWindowBytes: 0 };
  const bytes = mib * 1024 * 1024;
  const { initialWindowBytes, chunkBytes } = MOUNT_DEFAULTS.readahead;
  return { maxWindowBytes: bytes, initialWindowBytes: Math.min(bytes, initialWindowBytes), chunkBytes: Math.min(bytes, chunkBytes) };
}

export async function runMount(
  ctx: CommandContext, mountpoint: string, flags: MountFlags, connectionFlags: ConnectionFlags,
): Promise<void> {
  const connection = resolveConnection(connectionFlags, ctx.io.env, { requireMaster: true, upFallback: 'client' });
  if (!flags.dataset) throw new ValidationError('no dataset: pass --dataset NAME', '--dataset');
  // A client verifies the servers with the CA; it presents no certificate of its own.
  const tls = connection.ca ? { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: connection.ca } : undefined;
  const readahead = parseReadahead(flags.readahead);
  const logger = createLogger('eddy-mount', flags.logLevel ? { level: flags.logLevel } : {});
  // The stop signal also ends the mount (mountDataset unmounts on abort); close() below waits for it.
  const metrics = new ProcessMetrics();
  const endpoint = await metricsEndpoint(flags, connection.token, metrics, logger);
  // A failed mount closes the metrics endpoint too.
  const handle = await mountDataset({
    masterAddress: connection.address, dataset: flags.dataset, mountpoint, token: connection.token, logger, fuseOptions: flags.options,
    signal: ctx.signal, metrics, directUfs: flags.directUfs === true, fastRead: flags.fastRead !== false,
    fastAttr: flags.fastAttr !== false,
    ...(tls ? { tls } : {}), ...(flags.hostId ? { hostId: flags.hostId } : {}), ...(readahead ? { readahead } : {}),
  }).catch(async (err: unknown) => {
    await endpoint?.close();
    throw err;
  });
  try {
    ctx.io.stdout.write(`mounted dataset ${flags.dataset} at ${handle.mountpoint} (${handle.libfuseOptions.join(',')})\n`);
    await untilAborted(ctx.signal);
    logger.info({ signal: ctx.signal.reason }, 'unmounting');
  } finally {
    await handle.close();
    await endpoint?.close();
  }
}
