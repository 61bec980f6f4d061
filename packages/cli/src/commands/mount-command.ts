// `eddy mount --master HOST:PORT --dataset NAME MOUNTPOINT [-o opts] [--token-file F]`: mounts a
// dataset with FUSE and serves it until SIGINT/SIGTERM, then unmounts cleanly and exits 0. A
// mountpoint left broken by a crashed mount is recovered (lazy unmount) instead of failing.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { createLogger, ValidationError } from '@eddy/core';
import { readTokenFile } from '@eddy/protocol';
import { mountDataset } from '@eddy/fuse-client';
import { collect, untilSignal } from './process-lifecycle.js';

interface MountFlags {
  master?: string;
  dataset?: string;
  options: string[];
  tokenFile?: string;
  hostId?: string;
  tlsCa?: string;
  logLevel?: string;
  readahead?: string;
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ValidationError(`--tls-ca: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, '--tls-ca');
  }
}


export function registerMountCommand(program: Command): void {
  program
    .command('mount')
    .description('mount a dataset with FUSE (read path: local blocks, workers, then the bucket) until interrupted')
    .argument('<mountpoint>', 'directory to mount the dataset at (created if missing)')
    .option('--master <host:port>', 'master address (env EDDY_MASTER)')
    .option('--dataset <name>', 'dataset to mount')
    .option('-o, --options <opts>', 'FUSE options over the Runtime\'s fuse.args, comma separated; repeatable (e.g. -o attr_timeout=5,ro)', collect, [])
    .option('--token-file <file>', 'file holding the cluster token (env EDDY_TOKEN_FILE)')
    .option('--host-id <id>', 'this host\'s id for short-circuit reads (default: the hostname, as workers use)')
    .option('--tls-ca <file>', 'CA bundle (PEM) to verify the master and workers; enables TLS')
    .option('--readahead <MiB>', 'largest readahead window of a sequential reader, in MiB (default 64; 0 disables readahead)')
    .option('--log-level <level>', 'pino log level (env EDDY_LOG_LEVEL, default info)')
    .action(async (mountpoint: string, flags: MountFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ master?: string; tokenFile?: string }>();
      const master = flags.master ?? globals.master ?? (process.env['EDDY_MASTER'] || undefined);
      if (!master) throw new ValidationError('no master: pass --master HOST:PORT or set EDDY_MASTER', '--master');
      if (!/^[^\s:]+:\d{1,5}$/.test(master)) throw new ValidationError(`--master must be HOST:PORT, got ${JSON.stringify(master)}`, '--master');
      if (!flags.dataset) throw new ValidationError('no dataset: pass --dataset NAME', '--dataset');
      const tokenFile = flags.tokenFile ?? globals.tokenFile ?? (process.env['EDDY_TOKEN_FILE'] || undefined);
      const token = tokenFile ? readTokenFile(tokenFile, '--token-file') : '';
      // A client verifies the servers with the CA; it presents no certificate of its own.
      const tls = flags.tlsCa ? { cert: Buffer.alloc(0), key: Buffer.alloc(0), ca: readCa(flags.tlsCa) } : undefined;
      let readahead: { maxWindowBytes: number; initialWindowBytes?: number; chunkBytes?: number } | undefined;
      if (flags.readahead !== undefined) {
        const mib = Number(flags.readahead);
        if (!/^\d+$/.test(flags.readahead) || mib > 1024) throw new ValidationError(`--readahead must be a whole number of MiB up to 1024, got ${JSON.stringify(flags.readahead)}`, '--readahead');
        const bytes = mib * 1024 * 1024;
        readahead = mib === 0 ? { maxWindowBytes: 0, initialWindowBytes: 0 } : { maxWindowBytes: bytes, initialWindowBytes: Math.min(bytes, 4 << 20), chunkBytes: Math.min(bytes, 4 << 20) };
      }
      const logger = createLogger('eddy-mount', flags.logLevel ? { level: flags.logLevel } : {});
      const stopped = untilSignal();
      const handle = await mountDataset({
        masterAddress: master, dataset: flags.dataset, mountpoint, token, logger, fuseOptions: flags.options,
        ...(tls ? { tls } : {}), ...(flags.hostId ? { hostId: flags.hostId } : {}), ...(readahead ? { readahead } : {}),
      });
      process.stdout.write(`mounted dataset ${flags.dataset} at ${handle.mountpoint} (${handle.libfuseOptions.join(',')})\n`);
      const sig = await stopped;
      logger.info({ signal: sig }, 'unmounting');
      await handle.close();
      process.exitCode = 0;
    });
}
