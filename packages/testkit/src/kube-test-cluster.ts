// A real Kubernetes control plane on loopback for tests, the way controller-runtime's envtest does it:
// etcd and kube-apiserver (plus, on request, kube-controller-manager running only its garbage collector
// and the PV/PVC protection controllers, so ownerReferences cascade and volumes finish deleting for real)
// on free ports with temp dirs, and no kubelet. Users authenticate
// with static bearer tokens: an admin in system:masters and any identities a test names (e.g. the
// operator's ServiceAccount, so the chart's RBAC is what authorises it). Binaries: scripts/setup-kube.sh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, readFile, mkdir } from 'node:fs/promises';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

export interface KubeIdentity {
  /** Name for the kubeconfig file, e.g. "operator". */
  name: string;
  user: string;
  groups: string[];
}

export interface KubeTestClusterOptions {
  /** Run kube-controller-manager's garbage collector (ownerReference cascades) and PV/PVC protection. */
  garbageCollector?: boolean;
  /** Extra users, each with a static token and a kubeconfig file. */
  identities?: KubeIdentity[];
}

export interface KubeTestCluster {
  /** https://127.0.0.1:PORT */
  server: string;
  /** kubeconfig of the admin (system:masters). */
  kubeconfig: string;
  /** kubeconfig files of the extra identities, by name. */
  kubeconfigs: Record<string, string>;
  /** Runs kubectl with the admin kubeconfig (or `as`'s); throws on a non-zero exit unless `allowFail`. */
  kubectl(args: string[], options?: { stdin?: string; as?: string; allowFail?: boolean }): KubectlResult;
  close(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where scripts/setup-kube.sh caches kube-apiserver, kube-controller-manager and helm. */
export function kubeBinDir(): string {
  const cache = process.env['EDDY_CACHE_DIR'] ?? join(homedir(), '.cache', 'eddy');
  return join(cache, 'kube');
}

export function kubeBinary(name: 'kube-apiserver' | 'kube-controller-manager' | 'helm'): string {
  const path = join(kubeBinDir(), name);
  if (!existsSync(path)) throw new Error(`${path} not found: run scripts/setup-kube.sh (called by scripts/setup.sh)`);
  return path;
}

/** Servers still running; killed if the test process exits without closing its cluster. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

class ServerProcess {
  readonly child: ChildProcess;
  log = '';
  constructor(readonly name: string, command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    this.child.once('exit', () => live.delete(this.child));
    const keep = (d: Buffer): void => { this.log = (this.log + d.toString()).slice(-8000); };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  }
}

function kubeconfigYaml(server: string, ca: string, user: string, token: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- name: test', '  cluster:', `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
    'users:', `- name: ${user}`, '  user:', `    token: ${token}`,
    'contexts:', '- name: test', '  context:', '    cluster: test', `    user: ${user}`, 'current-context: test', '',
  ].join('\n');
}

async function httpsStatus(url: string, token: string, ca: Buffer): Promise<number> {
  return await new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
    req.end();
  });
}

async function waitUntil(what: string, procs: ServerProcess[], timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const p of procs) if (p.exited) throw new Error(`${p.name} exited (${p.child.exitCode}) while waiting for ${what}:\n${p.log}`);
    if (await ok()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${procs.map((p) => `${p.name}: ${p.log}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts etcd + kube-apiserver (+ the garbage collector) and waits until the API server is ready. */
export async function startKubeTestCluster(options: KubeTestClusterOptions = {}): Promise<KubeTestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-kube-'));
  const procs: ServerProcess[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const p of [...procs].reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = new ServerProcess('etcd', 'etcd', [
      '--name', 'eddy-test', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `eddy-test=http://127.0.0.1:${peerPort}`, '--log-level', 'warn',
    ]);
    procs.push(etcd);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const adminToken = randomBytes(24).toString('hex');
    const identities = options.identities ?? [];
    const tokens = new Map(identities.map((i) => [i.name, randomBytes(24).toString('hex')]));
    const csv = (s: string): string => `"${s}"`;
    await writeFile(join(dir, 'tokens.csv'), [
      `${adminToken},admin,admin,${csv('system:masters')}`,
      ...identities.map((i) => `${tokens.get(i.name)},${i.user},${i.user},${csv(i.groups.join(','))}`),
    ].join('\n') + '\n', { mode: 0o600 });
    await mkdir(join(dir, 'certs'));

    const apiserver = new ServerProcess('kube-apiserver', kubeBinary('kube-apiserver'), [
      '--etcd-servers', etcdUrl, '--cert-dir', join(dir, 'certs'),
      '--secure-port', String(apiPort), '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1',
      '--service-cluster-ip-range', '10.0.0.0/24', '--allow-privileged=true',
      '--service-account-issuer', 'https://eddy.test', '--service-account-key-file', join(dir, 'sa.pub'),
      '--service-account-signing-key-file', join(dir, 'sa.key'),
      '--token-auth-file', join(dir, 'tokens.csv'), '--authorization-mode', 'RBAC',
      // No kubelet, no Pods of its own: skip the admission steps that wait for a ServiceAccount.
      '--disable-admission-plugins', 'ServiceAccount', '--enable-priority-and-fairness=false', '--v', '0',
    ]);
    procs.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const caPath = join(dir, 'certs', 'apiserver.crt');
    await waitUntil('the API server certificate', procs, 60_000, async () => existsSync(caPath));
    const ca = await readFile(caPath);
    await waitUntil('kube-apiserver /readyz', procs, 120_000, async () => (await httpsStatus(`${server}/readyz`, adminToken, ca)) === 200);

    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, ca.toString(), 'admin', adminToken), { mode: 0o600 });
    const kubeconfigs: Record<string, string> = {};
    for (const i of identities) {
      kubeconfigs[i.name] = join(dir, `${i.name}.kubeconfig`);
      await writeFile(kubeconfigs[i.name]!, kubeconfigYaml(server, ca.toString(), i.name, tokens.get(i.name)!), { mode: 0o600 });
    }

    if (options.garbageCollector) {
      procs.push(new ServerProcess('kube-controller-manager', kubeBinary('kube-controller-manager'), [
        '--kubeconfig', kubeconfig, '--authentication-kubeconfig', kubeconfig, '--authorization-kubeconfig', kubeconfig,
        '--controllers', 'garbagecollector,pvc-protection,pv-protection', '--leader-elect=false', '--bind-address', '127.0.0.1',
        '--secure-port', String(await freePort()), '--cert-dir', join(dir, 'kcm-certs'), '--v', '0',
      ]));
    }

    const kubectl = (args: string[], opts: { stdin?: string; as?: string; allowFail?: boolean } = {}): KubectlResult => {
      const config = opts.as ? kubeconfigs[opts.as] : kubeconfig;
      if (!config) throw new Error(`no identity named ${opts.as}`);
      const r = spawnSync('kubectl', ['--kubeconfig', config, ...args], { input: opts.stdin ?? '', encoding: 'utf8', timeout: 60_000 });
      const result = { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
      if (result.code !== 0 && !opts.allowFail) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
      return result;
    };
    return { server, kubeconfig, kubeconfigs, kubectl, close };
  } catch (err) {
    await close();
    throw err;
  }
}
