// `eddy up -f MANIFESTS --mount DIR`: the all-in-one foreground command (master, the Runtime's
// workers, the FUSE mount), printing where things are and what to try; Ctrl-C stops it all.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger, formatBytes } from '@eddy/core';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../cli-error.js';
import { readUpManifests } from '../up/up-manifests.js';
import { startUpCluster } from '../up/up-cluster.js';
import { defaultUpDataDir, upTokenFile } from '../up/up-paths.js';

interface UpFlags {
  filename: string[];
  mount: string;
  dataDir?: string;
  listen: string;
  dataset?: string;
  fuseOption: string[];
  refreshInterval?: string;
  logLevel: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerUpCommand(program: Command, ctx: CommandContext): void {
  program
    .command('up')
    .description('run a master, the Runtime\'s workers and the FUSE mount of a dataset in this terminal (Ctrl-C stops)')
    .requiredOption('-f, --filename <file>', 'manifests (Secret, Dataset, Runtime, DataLoad); repeatable', collect, [])
    .option('--mount <dir>', 'where to mount the dataset', '/data')
    .option('--data-dir <dir>', 'state directory: journal and token (default $XDG_STATE_HOME/eddy/up or ~/.local/state/eddy/up)')
    .option('--listen <host:port>', 'master address (port 0 = any free port)', '127.0.0.1:19998')
    .option('--dataset <name>', 'dataset to mount when the manifests hold several')
    .option('-o, --fuse-option <opts>', 'FUSE options on top of the Runtime\'s fuse args, e.g. attr_timeout=1,entry_timeout=1 (repeatable)', collect, [])
    .option('--refresh-interval <ms>', 're-list the datasets\' buckets on this interval (default: when a DataLoad asks)')
    .option('--log-level <level>', 'log level of the components (logs go to stderr)', 'warn')
    .action(async (flags: UpFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ tokenFile?: string }>();
      const out = (line: string): void => { ctx.io.stdout.write(`${line}\n`); };
      let refreshIntervalMs: number | undefined;
      if (flags.refreshInterval !== undefined) {
        refreshIntervalMs = Number(flags.refreshInterval);
        if (!/^\d+$/.test(flags.refreshInterval) || refreshIntervalMs <= 0) throw new UsageError(`--refresh-interval must be a positive number of milliseconds, got "${flags.refreshInterval}"`);
      }
      const dataDir = resolve(ctx.io.cwd, flags.dataDir ?? defaultUpDataDir(ctx.io.env));
      const mountpoint = resolve(ctx.io.cwd, flags.mount);
      const tokenFile = globals.tokenFile ?? (ctx.io.env.EDDY_TOKEN_FILE || undefined);
      const manifests = await readUpManifests(flags.filename, flags.dataset, ctx.io);
      const logger = createLogger('eddy-up', { level: flags.logLevel });
      const cluster = await startUpCluster({
        manifests, mountpoint, dataDir, listen: flags.listen, fuseOptions: flags.fuseOption.flatMap((o) => o.split(',')).filter(Boolean),
        logger, signal: ctx.signal, say: out,
        ...(tokenFile ? { tokenFile } : {}),
        ...(refreshIntervalMs ? { refreshIntervalMs } : {}),
      });
      try {
        const ds = manifests.dataset;
        const quota = manifests.runtimes.reduce((a, r) => a + r.spec.replicas * r.spec.tieredstore.levels.reduce((b, l) => b + l.quota, 0), 0);
        // Client commands find this master and token without flags only with the defaults.
        const env: string[] = [];
        if (cluster.masterAddress !== '127.0.0.1:19998') env.push(`EDDY_MASTER=${cluster.masterAddress}`);
        if (cluster.tokenFile !== upTokenFile(defaultUpDataDir(ctx.io.env))) env.push(`EDDY_TOKEN_FILE=${cluster.tokenFile}`);
        const prefix = env.length ? `${env.join(' ')} ` : '';
        out('');
        out(`eddy is up: dataset ${ds.metadata.name} (${ds.spec.mounts.map((m) => m.mountPoint).join(', ')}) is mounted at ${cluster.mount.mountpoint}`);
        out(`  master   ${cluster.masterAddress} (state in ${dataDir})`);
        out(`  workers  ${cluster.workers.length}, cache capacity ${formatBytes(quota)}`);
        out('');
        out('Try, in another terminal:');
        out(`  ls -lR ${cluster.mount.mountpoint}`);
        out(`  ${prefix}./bin/eddy get dataset`);
        out(`  ${prefix}./bin/eddy get dataload`);
        for (const name of manifests.dataLoadNames.slice(0, 2)) out(`  ${prefix}./bin/eddy describe dataload ${name}`);
        out('');
        out('Press Ctrl-C to unmount and stop.');
        await new Promise<void>((res) => {
          if (ctx.signal.aborted) res();
          else ctx.signal.addEventListener('abort', () => res(), { once: true });
        });
        out('stopping: unmounting, then workers and master');
      } finally {
        await cluster.close();
      }
      out('stopped');
    });
}
