// A stand-in kubelet for end-to-end tests without one: it runs the first container of a Pod template
// the operator generated as a local `eddy` process, doing what a kubelet and the cluster network would:
// `$(VAR)` expansion from the container's env (downward API: pod name, 127.0.0.1 as pod IP, a node
// name), volumes as directories (Secrets written out as files, emptyDir and PVCs as per-Pod dirs,
// hostPath under one "node" root, /dev/fuse itself), and addresses rewritten as DNS + kube-proxy
// would route them (a Service name or a 0.0.0.0 listen port → a free loopback port). The command,
// args and env are otherwise the template's own.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeTestCluster } from '@eddy/testkit';
import { EddyProcess } from '@eddy/test-cluster';

interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }
interface VolumeMount { name: string; mountPath: string; subPathExpr?: string; readOnly?: boolean }
interface Container { name: string; command?: string[]; args?: string[]; env?: EnvVar[]; volumeMounts?: VolumeMount[] }
interface Volume {
  name: string;
  secret?: { secretName: string; defaultMode?: number };
  emptyDir?: Record<string, unknown>;
  hostPath?: { path: string };
  persistentVolumeClaim?: { claimName: string };
}
export interface PodTemplate { spec: { containers: Container[]; volumes?: Volume[] } }

export interface PodRunnerOptions {
  cluster: KubeTestCluster;
  /** Directory holding the "node" filesystem (hostPath) and per-Pod volumes. */
  root: string;
  namespace: string;
  nodeName?: string;
  /** `host:port` as written in templates (Service DNS) → where it is reached here. Shared by all Pods. */
  services: Map<string, string>;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A Pod's container kept running as a kubelet would (restartPolicy Always, with a back-off). */
export class RunningPod {
  #current: EddyProcess;
  #stopped = false;
  #earlier = { stdout: '', stderr: '' };
  restarts = 0;

  constructor(readonly name: string, readonly start: () => EddyProcess) {
    this.#current = start();
    void this.#watch();
  }

  async #watch(): Promise<void> {
    for (;;) {
      const p = this.#current;
      await p.wait(24 * 3600_000).catch(() => undefined);
      if (this.#stopped) return;
      this.#earlier.stdout += p.stdout;
      this.#earlier.stderr += p.stderr;
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** this.restarts)));
      if (this.#stopped) return;
      this.restarts++;
      this.#current = this.start();
    }
  }

  get stdout(): string { return this.#earlier.stdout + this.#current.stdout; }
  get stderr(): string { return this.#earlier.stderr + this.#current.stderr; }

  /** Stops the container for good (no restart). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.#stopped = true;
    await this.#current.stop(signal);
  }
}

export class PodRunner {
  constructor(readonly o: PodRunnerOptions) {}

  /** Where a hostPath of the node lives here. */
  nodePath(path: string): string {
    return join(this.o.root, 'node', path);
  }

  /** Where Pod `podName`'s volume `volume` (a Secret, an emptyDir) is written here. */
  podVolume(podName: string, volume: string): string {
    return join(this.o.root, 'pods', podName, 'volumes', volume);
  }

  /**
   * Starts `template`'s container as Pod `podName`. `listen` maps the container's `0.0.0.0:PORT`
   * listen addresses to the loopback addresses this Pod gets.
   */
  run(template: PodTemplate, podName: string, listen: Map<string, string> = new Map(), claimTemplates: string[] = []): RunningPod {
    return new RunningPod(podName, () => this.#start(template, podName, listen, claimTemplates));
  }

  #start(template: PodTemplate, podName: string, listen: Map<string, string>, claimTemplates: string[]): EddyProcess {
    const container = template.spec.containers[0]!;
    if (container.command?.[0] !== 'eddy') throw new Error(`container ${container.name} does not run eddy: ${JSON.stringify(container.command)}`);
    const field: Record<string, string> = { 'metadata.name': podName, 'status.podIP': '127.0.0.1', 'spec.nodeName': this.o.nodeName ?? 'node-1' };
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
      const path = e.valueFrom?.fieldRef?.fieldPath;
      env[e.name] = e.value ?? (path ? field[path] ?? '' : '');
    }
    const expand = (s: string): string => s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
    const mounts = (container.volumeMounts ?? []).map((m) => ({ mountPath: m.mountPath, local: this.#volume(template, m, podName, expand, claimTemplates) }));
    mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
    const rewrite = (arg: string): string => {
      let out = expand(arg);
      for (const [from, to] of [...listen, ...this.o.services]) out = out.split(from).join(to);
      for (const m of mounts) out = out.replace(new RegExp(`(^|[:=])${escape(m.mountPath)}(?=$|[/:])`, 'g'), (_all, pre: string) => `${pre}${m.local}`);
      return out;
    };
    const args = [...(container.command ?? []).slice(1), ...(container.args ?? [])].map(rewrite);
    const processEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, rewrite(v)]));
    return new EddyProcess(args, { env: processEnv });
  }

  #volume(template: PodTemplate, m: VolumeMount, podName: string, expand: (s: string) => string, claimTemplates: string[]): string {
    const vol = (template.spec.volumes ?? []).find((v) => v.name === m.name);
    let dir: string;
    if (vol?.secret) {
      dir = this.podVolume(podName, m.name);
      mkdirSync(dir, { recursive: true });
      const secret = JSON.parse(this.o.cluster.kubectl(['get', 'secret', '-n', this.o.namespace, vol.secret.secretName, '-o', 'json']).stdout) as { data?: Record<string, string> };
      for (const [key, value] of Object.entries(secret.data ?? {})) {
        writeFileSync(join(dir, key), Buffer.from(value, 'base64'), { mode: 0o400 });
      }
    } else if (vol?.hostPath) {
      if (vol.hostPath.path === '/dev/fuse') return '/dev/fuse';
      dir = this.nodePath(vol.hostPath.path);
    } else if (vol?.emptyDir) {
      dir = this.podVolume(podName, m.name);
    } else if (vol?.persistentVolumeClaim || claimTemplates.includes(m.name)) {
      dir = join(this.o.root, 'pvc', `${m.name}-${podName}`);
    } else {
      throw new Error(`volume ${m.name} of the template is of a kind this runner does not handle`);
    }
    if (m.subPathExpr) dir = join(dir, expand(m.subPathExpr));
    mkdirSync(dir, { recursive: true });
    // As the kubelet leaves them: an emptyDir is 0777, and fsGroup makes a volume group-writable
    // with setgid. A worker must not take such a directory as its tier as it is.
    if (vol?.emptyDir || vol?.persistentVolumeClaim || claimTemplates.includes(m.name)) chmodSync(dir, 0o2777);
    return dir;
  }
}
