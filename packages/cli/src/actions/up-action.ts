// `eddy up`: reads the manifests, starts the cluster (up/up-cluster.ts), prints where things
// are and what to try, and stops it all when the process's stop signal aborts.
import { resolve } from 'node:path';
import { createLogger, formatBytes } from '@eddy/core';
import type { CommandContext } from '../command-context.js';
import type { UpFlags } from '../commands/up-command.js';
import { untilAborted } from '../commands/process-lifecycle.js';
import { CLI_DEFAULTS } from '../connection/cli-defaults.js';
import { resolveTokenFile } from '../connection/resolve-connection.js';
import { startUpCluster, type UpCluster } from '../up/up-cluster.js';
import type { UpManifests } from '../up/up-manifests.js';
import { readUpManifests } from '../up/up-manifests.js';
import { defaultUpDataDir, upTokenFile } from '../up/up-paths.js';
import { UsageError } from '../usage-error.js';

function parseRefreshInterval(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Number(text);
  if (!/^\d+$/.test(text) || ms <= 0) throw new UsageError(`--refresh-interval must be a positive number of milliseconds, got "${text}"`);
  return ms;
}

/** The "eddy is up" banner: what runs where, and commands to try in another terminal. */
function banner(ctx: CommandContext, manifests: UpManifests, cluster: UpCluster, dataDir: string): string[] {
  const ds = manifests.dataset;
  const quota = manifests.runtimes.reduce((a, r) => a + r.spec.replicas * r.spec.tieredstore.levels.reduce((b, l) => b + l.quota, 0), 0);
  // Client commands find this master and token without flags only with the defaults.
  const env: string[] = [];
  if (cluster.masterAddress !== CLI_DEFAULTS.master) env.push(`EDDY_MASTER=${cluster.masterAddress}`);
  if (cluster.tokenFile !== upTokenFile(defaultUpDataDir(ctx.io.env), 'admin')) env.push(`EDDY_TOKEN_FILE=${cluster.tokenFile}`);
  const prefix = env.length ? `${env.join(' ')} ` : '';
  return [
    '',
    `eddy is up: dataset ${ds.metadata.name} (${ds.spec.mounts.map((m) => m.mountPoint).join(', ')}) is mounted at ${cluster.mount.mountpoint}`,
    `  master   ${cluster.masterAddress} (state in ${dataDir})`,
    `  workers  ${cluster.workers.length}, cache capacity ${formatBytes(quota)}`,
    `  status   http://${cluster.statusPageAddress}/`,
    `  metrics  http://${cluster.metricsAddress}/metrics`,
    '',
    'Try, in another terminal:',
    `  ls -lR ${cluster.mount.mountpoint}`,
    `  ${prefix}./bin/eddy get dataset`,
    `  ${prefix}./bin/eddy get dataload`,
    ...manifests.dataLoadNames.slice(0, 2).map((name) => `  ${prefix}./bin/eddy describe dataload ${name}`),
    '',
    'Press Ctrl-C to unmount and stop.',
  ];
}

export async function runUp(ctx: CommandContext, flags: UpFlags, globalTokenFile: string | undefined): Promise<void> {
  const out = (line: string): void => { ctx.io.stdout.write(`${line}\n`); };
  const refreshIntervalMs = parseRefreshInterval(flags.refreshInterval);
  const dataDir = resolve(ctx.io.cwd, flags.dataDir ?? defaultUpDataDir(ctx.io.env));
  const mountpoint = resolve(ctx.io.cwd, flags.mount);
  // Without --token-file/EDDY_TOKEN_FILE, `eddy up` keeps (or makes) the admin token in its data directory.
  const tokenFile = resolveTokenFile({ tokenFile: globalTokenFile }, ctx.io.env, false);
  const manifests = await readUpManifests(flags.filename, flags.dataset, ctx.io);
  const logger = createLogger('eddy-up', { level: flags.logLevel });
  const cluster = await startUpCluster({
    manifests, mountpoint, dataDir, listen: flags.listen, fuseOptions: flags.fuseOption.flatMap((o) => o.split(',')).filter(Boolean),
    logger, signal: ctx.signal, say: out, metricsListen: flags.metricsListen, httpListen: flags.httpListen,
    ...(tokenFile ? { tokenFile } : {}),
    ...(refreshIntervalMs ? { refreshIntervalMs } : {}),
  });
  try {
    for (const line of banner(ctx, manifests, cluster, dataDir)) out(line);
    await untilAborted(ctx.signal);
    out('stopping: unmounting, then workers and master');
  } finally {
    await cluster.close();
  }
  out('stopped');
}
