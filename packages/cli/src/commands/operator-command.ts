// `eddy operator [--kubeconfig FILE] [--namespace NS]…`: runs the Kubernetes operator until SIGINT/SIGTERM
// (in cluster it uses its ServiceAccount). @eddy/operator and its Kubernetes client load only when the
// command runs, so `eddy --help` and the other commands stay fast.
import type { Command } from 'commander';
import type { ValidationError as ValidationErrorClass } from '@eddy/core';
import type { CommandContext } from '../command-context.js';
import { collect, untilAborted } from './process-lifecycle.js';

interface OperatorFlags {
  kubeconfig?: string;
  namespace: string[];
  runtimeKinds?: string;
  masterAddress: string[];
  image?: string;
  imagePullPolicy?: string;
  journalSize?: string;
  storageClass?: string;
  componentLogLevel?: string;
  metricsTokenFile?: string;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId?: string;
  identity?: string;
  leaseDuration?: string;
  resync?: string;
  statusInterval?: string;
  logLevel?: string;
}

// @eddy/core (and pino with it) is loaded only when the command runs, so `eddy --help` stays light.
function ms(text: string | undefined, flag: string, ValidationError: typeof ValidationErrorClass): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new ValidationError(`${flag} must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`, flag);
  return Number(text);
}

export function registerOperatorCommand(program: Command, ctx: CommandContext): void {
  program
    .command('operator')
    .description('run the Kubernetes operator: Dataset + Runtime -> master, workers, FUSE DaemonSet, PV/PVC; status mirrored')
    .option('--kubeconfig <file>', 'kubeconfig to use out of cluster (env KUBECONFIG; default: the in-cluster ServiceAccount)')
    .option('--namespace <ns>', 'serve this namespace; repeatable (default: every namespace)', collect, [])
    .option('--runtime-kinds <kinds>', 'comma-separated runtime kinds to reconcile: JindoRuntime,AlluxioRuntime,EddyRuntime (default all)')
    .option('--master-address <ns/dataset=host:port>', 'reach a Dataset\'s master here instead of its Service (out of cluster); repeatable', collect, [])
    .option('--image <image>', 'container image of master, workers and FUSE (default eddy:0.1.0)')
    .option('--image-pull-policy <policy>', 'imagePullPolicy of those containers (default IfNotPresent)')
    .option('--journal-size <quantity>', 'size of each master\'s journal volume (default 1Gi)')
    .option('--storage-class <name>', 'StorageClass of journal and PVC tier volumes (default: the cluster default)')
    .option('--component-log-level <level>', 'log level of master, workers and FUSE (default info)')
    .option('--metrics-token-file <file>', 'token every master, worker and FUSE /metrics asks for (default: each Dataset\'s cluster token)')
    .option('--no-leader-elect', 'do not take the leader Lease (only for a single replica)')
    .option('--leader-election-namespace <ns>', 'namespace of the leader Lease (default: the operator\'s own)')
    .option('--leader-election-id <name>', 'name of the leader Lease (default eddy-operator)')
    .option('--identity <id>', 'this replica\'s identity in the Lease (default: hostname_pid)')
    .option('--lease-duration <ms>', 'leader Lease duration (default 15000)')
    .option('--resync <ms>', 'look at every Dataset again this often (default 30000)')
    .option('--status-interval <ms>', 'refresh status from the masters this often (default 5000)')
    .option('--log-level <level>', 'pino log level (env EDDY_LOG_LEVEL, default info)')
    .action(async (flags: OperatorFlags) => {
      const { startOperator } = await import('@eddy/operator');
      const { createLogger, ValidationError } = await import('@eddy/core');
      const logger = createLogger('eddy-operator', flags.logLevel ? { level: flags.logLevel } : {});
      const leaseDurationMs = ms(flags.leaseDuration, '--lease-duration', ValidationError);
      const operator = await startOperator({
        kubeconfig: flags.kubeconfig ?? (process.env['KUBECONFIG'] || undefined),
        namespaces: flags.namespace,
        runtimeKinds: flags.runtimeKinds ? flags.runtimeKinds.split(',').map((k) => k.trim()).filter(Boolean) : [],
        masterAddresses: flags.masterAddress,
        leaderElection: flags.leaderElect,
        logger,
        ...(flags.image ? { image: flags.image } : {}),
        ...(flags.imagePullPolicy ? { imagePullPolicy: flags.imagePullPolicy } : {}),
        ...(flags.journalSize ? { journalSize: flags.journalSize } : {}),
        ...(flags.storageClass ? { storageClassName: flags.storageClass } : {}),
        ...(flags.componentLogLevel ? { componentLogLevel: flags.componentLogLevel } : {}),
        ...(flags.metricsTokenFile ? { metricsTokenFile: flags.metricsTokenFile } : {}),
        ...(flags.leaderElectionNamespace ? { leaderElectionNamespace: flags.leaderElectionNamespace } : {}),
        ...(flags.leaderElectionId ? { leaderElectionId: flags.leaderElectionId } : {}),
        ...(flags.identity ? { identity: flags.identity } : {}),
        ...(leaseDurationMs !== undefined ? { leaseDurationMs } : {}),
        ...(flags.resync !== undefined ? { resyncMs: ms(flags.resync, '--resync', ValidationError)! } : {}),
        ...(flags.statusInterval !== undefined ? { statusIntervalMs: ms(flags.statusInterval, '--status-interval', ValidationError)! } : {}),
      });
      // The operator ends by itself only on failure (e.g. the leader Lease was lost): that rejects, so the
      // command exits non-zero and the Deployment restarts it as a fresh candidate.
      await Promise.race([untilAborted(ctx.signal), operator.done]);
      logger.info({ signal: ctx.signal.reason }, 'shutting down');
      await operator.close();
    });
}
