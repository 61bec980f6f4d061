// Eddy on Kubernetes end to end, without a kubelet: a real API server (+ the garbage collector), the
// CRDs, `eddy operator` as a process under the chart's least-privilege identity, and the seed applied
// with kubectl (mount rewritten to the test S3 server). The Pod templates the operator generates are
// run as local processes (test/helpers/kube-pod-runner.ts): master, worker and FUSE are the real
// `eddy` entrypoints, the mount is real FUSE. Everything is checked through kubectl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startS3Server, type KubeTestCluster, type S3Endpoint } from '@eddy/testkit';
import { CleanupStack, REPO_ROOT, eventually, forceUnmount, runEddy } from '@eddy/test-cluster';
import { OPERATOR_NAMESPACE, startOperatorCluster, startOperatorProcess, table, waitForLog } from './helpers/kube-operator-cluster.js';
import { PodRunner, type PodTemplate, type RunningPod } from './helpers/kube-pod-runner.js';
import { seedDataLoadEvery, seedDatasetForS3, seedSecretForS3 } from './helpers/seed-manifests.js';

const cleanup = new CleanupStack();
after(async () => { await cleanup.run(); });

let cluster: KubeTestCluster;
let s3: S3Endpoint;
let dir: string;
let masterPort: number;
/** The port each Pod's `0.0.0.0:91xx` /metrics listener gets here (still on every interface: off loopback, as in a Pod). */
const metricsPort = new Map<string, number>();
let scrapeTokenFile: string;
let original: Buffer;
const pods = new Map<string, RunningPod>();

interface Workload { spec: { template: PodTemplate; replicas?: number; volumeClaimTemplates?: Array<{ metadata: { name: string } }> } }

const json = <T>(args: string[]): T => JSON.parse(cluster.kubectl([...args, '-o', 'json']).stdout) as T;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-kube-e2e-'));
  cleanup.add('temp dir', () => rm(dir, { recursive: true, force: true }));
  cluster = await startOperatorCluster();
  cleanup.add('kube cluster', () => cluster.close());
  s3 = await startS3Server();
  cleanup.add('s3 server', () => s3.close());
  spawnSync(process.execPath, [join(REPO_ROOT, 'examples', 'generate-data.mjs')], { stdio: 'ignore' });
  original = await readFile(join(REPO_ROOT, 'examples', 'data', 'RELEASENOTES.md'));
  const bucket = await s3.createBucket();
  await s3.client.putObject(bucket, 'RELEASENOTES.md', original);
  const target = { bucket, endpoint: s3.endpoint, region: s3.region, accessKey: s3.accessKey, secretKey: s3.secretKey };
  await writeFile(join(dir, 'mySecret.yaml'), seedSecretForS3(target));
  await writeFile(join(dir, 'dataset.yaml'), seedDatasetForS3(target));
  await writeFile(join(dir, 'dataload.yaml'), seedDataLoadEvery(5));
  masterPort = await freePort();
  for (const pod of ['master', 'worker', 'fuse']) metricsPort.set(pod, await freePort());
  // The chart's scrape token, as its Deployment mounts it for the operator (--metrics-token-file).
  const secret = json<{ data: { token: string } }>(['get', 'secret', '-n', OPERATOR_NAMESPACE, 'eddy-eddy-metrics']);
  scrapeTokenFile = join(dir, 'scrape-token');
  await writeFile(scrapeTokenFile, Buffer.from(secret.data.token, 'base64'), { mode: 0o600 });
});

const operatorArgs = (): string[] => ['--master-address', `default/demo=127.0.0.1:${masterPort}`, '--metrics-token-file', scrapeTokenFile];

/** GET /metrics of a Pod with a bearer token (or none). */
async function scrape(pod: string, token: string | undefined): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${metricsPort.get(pod)!}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.text() };
}

/** Runs the master, worker and FUSE Pod templates the operator generated, as one node would. */
async function startPods(runner: PodRunner): Promise<void> {
  const master = json<Workload>(['get', 'statefulset', 'demo-eddy-master']);
  pods.set('master', runner.run(master.spec.template, 'demo-eddy-master-0',
    new Map([['0.0.0.0:19998', `127.0.0.1:${masterPort}`], ['0.0.0.0:9100', `0.0.0.0:${metricsPort.get('master')!}`]]),
    (master.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name)));
  const worker = json<Workload>(['get', 'statefulset', 'demo-eddy-worker']);
  assert.equal(worker.spec.replicas, 1);
  const [grpc, data] = [await freePort(), await freePort()];
  pods.set('worker', runner.run(worker.spec.template, 'demo-eddy-worker-0',
    new Map([['0.0.0.0:29998', `127.0.0.1:${grpc}`], ['0.0.0.0:29999', `127.0.0.1:${data}`], ['0.0.0.0:9101', `0.0.0.0:${metricsPort.get('worker')!}`]])));
  const fuse = json<Workload>(['get', 'daemonset', 'demo-eddy-fuse']);
  pods.set('fuse', runner.run(fuse.spec.template, 'demo-eddy-fuse-node1', new Map([['0.0.0.0:9102', `0.0.0.0:${metricsPort.get('fuse')!}`]])));
}

test('the seed on Kubernetes: Bound, DataLoad Complete, CACHED 100.0%, the PVC\'s mount reads the bucket\'s bytes', { timeout: 240_000 }, async (t) => {
  for (const f of ['mySecret.yaml', 'dataset.yaml', 'dataload.yaml']) cluster.kubectl(['apply', '-f', join(dir, f)]);
  const operator = startOperatorProcess(cluster, 'e2e-1', operatorArgs());
  t.after(() => operator.stop('SIGTERM'));

  // What the operator makes, with the specs the issue asks for (validated by the API server on apply).
  await eventually('the workloads', 30_000, async () => cluster.kubectl(['get', 'daemonset', 'demo-eddy-fuse'], { allowFail: true }).code === 0 || undefined);
  const worker = json<Workload & { spec: { template: { spec: { volumes: Array<Record<string, unknown>> } } } }>(['get', 'statefulset', 'demo-eddy-worker']);
  const container = worker.spec.template.spec.containers[0]!;
  assert.deepEqual(worker.spec.template.spec.volumes.find((v) => v['name'] === 'tier-mem'), { name: 'tier-mem', emptyDir: { medium: 'Memory', sizeLimit: '2147483648' } });
  assert.ok(container.args!.includes('MEM:/dev/shm/blocks:2147483648:0.99:0.8'), container.args!.join(' '));
  interface FuseContainer {
    securityContext: { privileged: boolean };
    volumeMounts: Array<{ mountPropagation?: string }>;
    lifecycle: { preStop: { exec: { command: string[] } } };
    args: string[];
  }
  const fuse = json<{ spec: { template: { spec: { containers: FuseContainer[] } } } }>(['get', 'daemonset', 'demo-eddy-fuse']);
  const fc = fuse.spec.template.spec.containers[0]!;
  assert.equal(fc.securityContext.privileged, true);
  assert.ok(fc.volumeMounts.some((m) => m.mountPropagation === 'Bidirectional'));
  assert.ok(fc.lifecycle.preStop.exec.command.join(' ').includes('fusermount -uz'));
  for (const o of ['kernel_cache', 'ro', 'attr_timeout=60', 'entry_timeout=60', 'negative_timeout=60']) assert.ok(fc.args.includes(o), o);
  // /metrics on every Pod: a port named `metrics`, the listener and the scrape token's file as flags.
  const metricsPorts = ['statefulset/demo-eddy-master', 'statefulset/demo-eddy-worker', 'daemonset/demo-eddy-fuse'].map((w) => {
    const c = json<{ spec: { template: { spec: { containers: Array<{ args: string[]; ports: Array<{ name: string; containerPort: number }> }> } } } }>(
      ['get', w]).spec.template.spec.containers[0]!;
    assert.ok(c.args.includes('--metrics-token-file') && c.args.includes('/etc/eddy/metrics/token'), `${w}: ${c.args.join(' ')}`);
    const port = c.ports.find((p) => p.name === 'metrics')!.containerPort;
    assert.ok(c.args.includes(`0.0.0.0:${port}`), `${w} listens on its metrics port`);
    return port;
  });
  assert.deepEqual(metricsPorts, [9100, 9101, 9102]);
  interface MetricsService {
    metadata: { labels: Record<string, string> };
    spec: { clusterIP: string; selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> };
  }
  const metricsService = json<MetricsService>(['get', 'service', 'demo-eddy-metrics']);
  assert.equal(metricsService.metadata.labels['app.kubernetes.io/component'], 'metrics', 'what the chart\'s ServiceMonitor selects');
  assert.equal(metricsService.spec.clusterIP, 'None');
  assert.deepEqual(metricsService.spec.ports.map((p) => [p.name, p.targetPort]), [['metrics', 'metrics']]);
  assert.equal(metricsService.spec.selector['data.eddy.dev/dataset'], 'demo');
  const pvc = json<{ spec: { volumeName: string } }>(['get', 'pvc', 'demo']);
  assert.equal(pvc.spec.volumeName, 'default-demo');
  const pv = json<{ spec: { hostPath: { path: string }; claimRef: { name: string } } }>(['get', 'pv', 'default-demo']);
  assert.equal(pv.spec.claimRef.name, 'demo');

  const runner = new PodRunner({
    cluster, root: join(dir, 'cluster'), namespace: 'default',
    services: new Map([['demo-eddy-master.default.svc:19998', `127.0.0.1:${masterPort}`]]),
  });
  await startPods(runner);
  cleanup.add('pods', async () => {
    forceUnmount(runner.nodePath(pv.spec.hostPath.path));
    for (const p of pods.values()) await p.stop('SIGTERM');
  });

  // The seed's step 4 and 6 through kubectl: Bound, then the Cron DataLoad caches everything.
  const row = await eventually('CACHED 100.0%', 90_000, async () => {
    const rows = table(cluster.kubectl(['get', 'dataset']).stdout);
    return rows[1]?.[4] === '100.0%' ? rows : undefined;
  });
  assert.deepEqual(row[0], ['NAME', 'UFS TOTAL SIZE', 'CACHED', 'CACHE CAPACITY', 'CACHED PERCENTAGE', 'PHASE', 'AGE']);
  assert.deepEqual(row[1]!.slice(0, 6), ['demo', '588.90KiB', '588.90KiB', '2.00GiB', '100.0%', 'Bound']);
  const loads = await eventually('DataLoad Complete', 60_000, async () => {
    const rows = table(cluster.kubectl(['get', 'dataload']).stdout);
    return rows[1]?.[2] === 'Complete' ? rows : undefined;
  });
  assert.deepEqual(loads[0], ['NAME', 'DATASET', 'PHASE', 'AGE', 'DURATION']);
  assert.equal(loads[1]![1], 'demo');
  interface Condition { type: string; status: string }
  const dataload = json<{ status: { lastScheduleTime?: string; lastSuccessfulTime?: string; conditions: Condition[] } }>(['get', 'dataload', 'cron-dataload']);
  assert.ok(dataload.status.lastScheduleTime && dataload.status.lastSuccessfulTime, JSON.stringify(dataload.status));
  assert.equal(dataload.status.conditions[0]?.type, 'Complete');
  const ds = json<{ status: { ufsTotalBytes: number; cacheStates: { cachedBytes: number }; conditions: Condition[] } }>(['get', 'dataset', 'demo']);
  assert.equal(ds.status.ufsTotalBytes, original.length);
  assert.equal(ds.status.cacheStates.cachedBytes, original.length);
  assert.equal(ds.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');

  // The seed's step 7: what an application Pod mounting claimName "demo" sees (the PV's hostPath).
  // The FUSE Pod restarts (with a back-off, as under a kubelet) until the master knows the dataset.
  const fusePod = pods.get('fuse')!;
  const mounted = join(runner.nodePath(pv.spec.hostPath.path), 'RELEASENOTES.md');
  const read = await eventually('the file through the FUSE mount', 60_000, async () => await readFile(mounted))
    .catch((err: unknown) => {
      throw new Error(`${String(err)}\nfuse restarts: ${fusePod.restarts}\nfuse stdout: ${fusePod.stdout}\nfuse stderr: ${fusePod.stderr.slice(-3000)}`);
    });
  assert.ok(read.equals(original), 'bytes read through the mount differ from the bucket\'s');

  // The read was served by the cache (the DataLoad had it all): the mount reports it to the master, and
  // the operator mirrors Fluid's ratios into the Dataset's status (the master states the windows).
  interface CacheStates { [ratio: string]: string | number }
  const states = await eventually('the hit ratios in the Dataset status', 60_000, async () => {
    const s = json<{ status: { cacheStates: CacheStates } }>(['get', 'dataset', 'demo']).status.cacheStates;
    return s['cacheHitRatio'] === '100.0%' ? s : undefined;
  });
  for (const key of ['localHitRatio', 'remoteHitRatio', 'cacheThroughputRatio', 'localThroughputRatio', 'remoteThroughputRatio']) {
    assert.match(String(states[key]), /^\d{1,3}\.\d%$/, `${key} in ${JSON.stringify(states)}`);
  }
  // Each is floored to a tenth, as Fluid prints them: together they make 100% within two tenths.
  const sum = parseFloat(String(states['localHitRatio'])) + parseFloat(String(states['remoteHitRatio']));
  assert.ok(sum >= 99.8 && sum <= 100, JSON.stringify(states));
  assert.equal(states['hitRatioWindowSeconds'], 60);
  assert.equal(states['throughputWindowSeconds'], 10);
  assert.ok(Number(states['bytesReadLocal']) + Number(states['bytesReadRemote']) >= original.length, JSON.stringify(states));
  assert.equal(states['bytesReadUfs'], 0);
  const wide = table(cluster.kubectl(['get', 'dataset', '-o', 'wide']).stdout);
  assert.equal(wide[1]![wide[0]!.indexOf('CACHE HIT RATIO')], '100.0%');

  // Least privilege (issue 15): each Pod holds only its role's Secret. The FUSE Pod's token (what any
  // application node has) is a client credential scoped to "demo": it read the file above, it can
  // look (get), and the master refuses it an apply.
  const secretsOf = (t: PodTemplate): string[] => (t.spec.volumes ?? []).flatMap((v) => (v.secret ? [v.secret.secretName] : [])).sort();
  const templates = {
    master: json<Workload>(['get', 'statefulset', 'demo-eddy-master']).spec.template,
    worker: json<Workload>(['get', 'statefulset', 'demo-eddy-worker']).spec.template,
    fuse: json<Workload>(['get', 'daemonset', 'demo-eddy-fuse']).spec.template,
  };
  assert.deepEqual(secretsOf(templates.master), ['demo-eddy-admin-token', 'demo-eddy-client-token', 'demo-eddy-metrics-token', 'demo-eddy-worker-token']);
  assert.deepEqual(secretsOf(templates.worker), ['demo-eddy-metrics-token', 'demo-eddy-worker-token']);
  assert.deepEqual(secretsOf(templates.fuse), ['demo-eddy-client-token', 'demo-eddy-metrics-token']);
  const masterArgs = templates.master.spec.containers[0]!.args!;
  for (const role of ['admin', 'worker', 'client']) {
    assert.equal(masterArgs[masterArgs.indexOf(`--${role}-token-file`) + 1], `/etc/eddy/credentials/${role}/token`, masterArgs.join(' '));
  }
  assert.ok(!masterArgs.includes('--token-file'), 'the master is given the deprecated all-roles token');
  const tokenFileOf = (t: PodTemplate): string => { const a = t.spec.containers[0]!.args!; return a[a.indexOf('--token-file') + 1]!; };
  assert.equal(tokenFileOf(templates.worker), '/etc/eddy/credentials/worker/token');
  assert.equal(tokenFileOf(templates.fuse), '/etc/eddy/credentials/client/token');
  const secretText = (name: string): string => Buffer.from(json<{ data: { token: string } }>(['get', 'secret', name]).data.token, 'base64').toString();
  const tokens = Object.fromEntries(['admin', 'worker', 'client'].map((r) => [r, secretText(`demo-eddy-${r}-token`).split(/\s+/)[0]!]));
  assert.equal(secretText('demo-eddy-client-token'), `${tokens['client']!} datasets=demo\n`, 'scoped to its dataset, no ufs=direct');
  assert.equal(new Set(Object.values(tokens)).size, 3, 'one token per role');
  // The FUSE Pod's own token file, as the runner wrote it from its Secret volume.
  const fuseTokenFile = join(runner.podVolume('demo-eddy-fuse-node1', 'client-credentials'), 'token');
  assert.equal(await readFile(fuseTokenFile, 'utf8'), secretText('demo-eddy-client-token'));
  const fuseEnv = { EDDY_MASTER: `127.0.0.1:${masterPort}`, EDDY_TOKEN_FILE: fuseTokenFile };
  const takeover = join(dir, 'takeover.yaml');
  await writeFile(takeover, 'apiVersion: data.fluid.io/v1alpha1\nkind: Dataset\nmetadata: {name: takeover}\nspec:\n  mounts:\n    - mountPoint: file:///etc\n');
  const applied = await runEddy(['apply', '-f', takeover], { env: fuseEnv });
  assert.notEqual(applied.code, 0, applied.stdout);
  assert.match(applied.stderr, /PermissionDenied|PERMISSION_DENIED|needs the admin role/, applied.stderr);
  assert.ok(!applied.stderr.includes(tokens['client']!), 'the refusal echoes the token');
  const got = await runEddy(['get', 'dataset'], { env: fuseEnv });
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /demo/);
  assert.ok(!got.stdout.includes('takeover'));
  assert.ok((await readFile(mounted)).equals(original), 'reads through the mount still work');

  // Every Pod serves /metrics on its `metrics` port, off loopback only to the scrape token.
  const scrapeToken = (await readFile(scrapeTokenFile, 'utf8')).trim();
  for (const pod of ['master', 'worker', 'fuse']) {
    assert.equal((await scrape(pod, undefined)).status, 401, `${pod} /metrics without a token`);
    for (const [role, token] of Object.entries(tokens)) {
      assert.equal((await scrape(pod, token)).status, 401, `${pod} /metrics with the ${role} token instead of the scrape token`);
    }
    const ok = await scrape(pod, scrapeToken);
    assert.equal(ok.status, 200, pod);
    assert.match(ok.body, /^eddy_/m, pod);
    assert.ok(!ok.body.includes(scrapeToken) && !Object.values(tokens).some((tk) => ok.body.includes(tk)), `${pod} /metrics shows a token`);
  }
  assert.match((await scrape('master', scrapeToken)).body, /^eddy_master_read_bytes_total\{[^}]*dataset="demo"/m);
  assert.match((await scrape('fuse', scrapeToken)).body, /^eddy_fuse_operation_duration_seconds_count/m);

  // Credentials only in Secrets: not in any workload, ConfigMap or status.
  const visible = cluster.kubectl(['get', 'statefulsets,daemonsets,services,configmaps,pvc,datasets,dataloads,jindoruntimes', '-A', '-o', 'json']).stdout;
  for (const [role, token] of Object.entries(tokens)) assert.ok(!visible.includes(token), `the ${role} token appears outside its Secret`);
  assert.ok(!visible.includes(scrapeToken), 'the scrape token appears outside its Secrets');
  assert.ok(!visible.includes(s3.secretKey), 'the bucket secret appears outside its Secret');
  const events = cluster.kubectl(['get', 'events', '-A', '-o', 'json']).stdout;
  assert.ok(!Object.values(tokens).some((tk) => events.includes(tk)) && !events.includes(s3.secretKey), 'a credential appears in an Event');
  await operator.stop('SIGTERM');
});

test('a restarted operator resumes without recreating anything', { timeout: 120_000 }, async (t) => {
  const kinds = 'statefulsets,daemonsets,services,pvc,secrets';
  const snapshot = (): Map<string, string> => {
    const list = json<{ items: Array<{ kind: string; metadata: { name: string; uid: string; resourceVersion: string } }> }>(['get', kinds, '-l', 'app.kubernetes.io/managed-by=eddy-operator']);
    const pvs = json<{ metadata: { uid: string; resourceVersion: string } }>(['get', 'pv', 'default-demo']);
    return new Map([...list.items.map((i) => [`${i.kind}/${i.metadata.name}`, `${i.metadata.uid}@${i.metadata.resourceVersion}`] as const),
      ['PersistentVolume/default-demo', `${pvs.metadata.uid}@${pvs.metadata.resourceVersion}`]]);
  };
  const before = snapshot();
  // Three role credentials, scrape token, master and metrics Services, two StatefulSets, the DaemonSet, the PVC.
  assert.equal(before.size, 11, [...before.keys()].join(', '));
  const operator = startOperatorProcess(cluster, 'e2e-2', operatorArgs());
  t.after(() => operator.stop('SIGTERM'));
  await waitForLog(operator, /"msg":"became leader"/, 30_000);
  await waitForLog(operator, /"msg":"operator running"/, 30_000);
  // Let it reconcile and refresh the status a few times (status interval 1 s).
  await new Promise((r) => setTimeout(r, 5000));
  // Same objects (uid) and not even rewritten (resourceVersion): its server-side applies were no-ops.
  assert.deepEqual(snapshot(), before);
  // Deleting a child brings it back (level-triggered, not event-triggered).
  cluster.kubectl(['delete', 'service', 'demo-eddy-master']);
  await eventually('the Service back', 30_000, async () => cluster.kubectl(['get', 'service', 'demo-eddy-master'], { allowFail: true }).code === 0 || undefined);
  await operator.stop('SIGTERM');
});

test('deleting the Runtime and the Dataset removes everything the operator made', { timeout: 180_000 }, async (t) => {
  const left = (kinds: string): string =>
    cluster.kubectl(['get', kinds, '-l', 'app.kubernetes.io/managed-by=eddy-operator', '-o', 'name']).stdout.trim();
  // No operator running: the garbage collector alone follows the ownerReferences to the Runtime.
  cluster.kubectl(['delete', 'jindoruntime', 'demo', '--wait=true', '--timeout=60s']);
  await eventually('the Runtime\'s workloads gone', 90_000, async () => (left('statefulsets,daemonsets,services,secrets') === '' ? true : undefined));
  assert.equal(left('pvc'), 'persistentvolumeclaim/demo', 'the Dataset\'s PVC outlives its Runtime');

  const operator = startOperatorProcess(cluster, 'e2e-3', operatorArgs());
  t.after(() => operator.stop('SIGTERM'));
  await waitForLog(operator, /"msg":"operator running"/, 30_000);
  await eventually('NotBound without a Runtime', 30_000, async () =>
    (cluster.kubectl(['get', 'dataset', 'demo', '-o', 'jsonpath={.status.conditions[0].reason}']).stdout === 'NoRuntime' ? true : undefined));
  // The Dataset's finalizer removes the cluster-scoped PV, which no ownerReference can reach.
  cluster.kubectl(['delete', 'dataset', 'demo', '--wait=true', '--timeout=60s']);
  await eventually('nothing left', 60_000, async () => {
    const pv = cluster.kubectl(['get', 'pv', 'default-demo'], { allowFail: true }).code;
    return left('statefulsets,daemonsets,services,pvc,secrets') === '' && pv !== 0 ? true : undefined;
  });
});
