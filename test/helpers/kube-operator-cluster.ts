// A test cluster ready for the operator: the CRDs installed, and the Helm chart rendered (`helm
// template`) and applied server-side, so the operator runs as the chart's ServiceAccount with the
// chart's least-privilege RBAC (its token comes from the harness's static token file).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { kubeBinary, startKubeTestCluster, type KubeTestCluster } from '@eddy/testkit';
import { EddyProcess, REPO_ROOT } from '@eddy/test-cluster';

export const OPERATOR_NAMESPACE = 'eddy-system';
export const OPERATOR_ACCOUNT = 'eddy-operator';
export const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'eddy');
/** The API server the tests run (scripts/setup-kube.sh); helm built from source assumes an old one unless told. */
export const KUBE_VERSION = 'v1.34.2';

/** Runs helm (built by scripts/setup-kube.sh); throws with its stderr on failure. */
export function helm(args: string[]): string {
  const r = spawnSync(kubeBinary('helm'), args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HELM_CACHE_HOME: '/tmp/eddy-helm-cache', HELM_CONFIG_HOME: '/tmp/eddy-helm-config' } });
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.status}): ${r.stderr || String(r.error)}`);
  return r.stdout;
}

export async function startOperatorCluster(options: { watchNamespaces?: string[]; garbageCollector?: boolean } = {}): Promise<KubeTestCluster> {
  const cluster = await startKubeTestCluster({
    garbageCollector: options.garbageCollector ?? true,
    identities: [{
      name: 'operator',
      user: `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_ACCOUNT}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${OPERATOR_NAMESPACE}`, 'system:authenticated'],
    }],
  });
  try {
    const namespaces = options.watchNamespaces ?? ['default'];
    for (const ns of [OPERATOR_NAMESPACE, ...namespaces]) {
      if (ns !== 'default') cluster.kubectl(['create', 'namespace', ns]);
    }
    const rendered = helm(['template', 'eddy', CHART_DIR, '--kube-version', KUBE_VERSION, '--namespace', OPERATOR_NAMESPACE,
      ...namespaces.flatMap((ns, i) => ['--set', `watchNamespaces[${i}]=${ns}`])]);
    // CRDs first (the rest of the chart does not need them, but the operator does).
    cluster.kubectl(['apply', '--server-side', '-f', '-'], { stdin: rendered });
    cluster.kubectl(['wait', '--for', 'condition=Established', '--timeout', '60s', 'crd', '--all']);
    return cluster;
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

/** `eddy operator` under the operator's identity, serving `default`, with short timings for tests. */
export function startOperatorProcess(cluster: KubeTestCluster, identity: string, extra: string[] = []): EddyProcess {
  return new EddyProcess([
    'operator', '--kubeconfig', cluster.kubeconfigs['operator']!, '--namespace', 'default',
    '--leader-election-namespace', OPERATOR_NAMESPACE, '--identity', identity,
    '--lease-duration', '3000', '--status-interval', '1000', '--resync', '10000', '--log-level', 'info', ...extra,
  ], { env: { EDDY_LOG_LEVEL: 'info' } });
}

/** Waits until the process's stderr (pino logs) matches `pattern`. */
export async function waitForLog(p: EddyProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(p.stderr)) {
    if (!p.running) throw new Error(`process exited before logging ${pattern}:\n${p.stderr.slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${p.stderr.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** kubectl's table as rows of columns split on runs of 2+ spaces. */
export function table(text: string): string[][] {
  return text.trimEnd().split('\n').map((line) => line.trim().split(/\s{2,}/));
}
