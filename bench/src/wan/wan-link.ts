// The emulated WAN: a network namespace joined to the root namespace by a veth pair on a private
// /30 that exists only on this machine, with the link shaped by tc. netem (delay + rate) is used
// when the kernel has it; otherwise tbf limits the rate and the bench adds the delay with its
// delay proxy. Byte counters of the host-side veth tell how much crossed the "WAN". With rate 0
// the veth is left unshaped: two hosts on a fast LAN (the remote-workers bench).
import { run } from '../exec.js';

export interface WanLinkOptions { namespace: string; hostIf: string; nsIf: string; hostIp: string; nsIp: string; rateMbit: number; rttMs: number }

export const DEFAULT_WAN: WanLinkOptions = {
  namespace: 'eddybench-wan', hostIf: 'ebwan0', nsIf: 'ebwan1', hostIp: '10.200.0.1', nsIp: '10.200.0.2', rateMbit: 500, rttMs: 30,
};

export class WanLink {
  /** True when netem shapes the link (delay included); false when only tbf does (proxy delays). */
  netem = false;
  constructor(readonly o: WanLinkOptions = DEFAULT_WAN) {}

  private async ip(args: string[], check = true): Promise<void> { await run('ip', args, { check, timeoutMs: 20_000 }); }

  async setup(): Promise<void> {
    await this.teardown(); // leftovers of an interrupted run
    const { namespace: ns, hostIf, nsIf, hostIp, nsIp } = this.o;
    await this.ip(['netns', 'add', ns]);
    await this.ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    await this.ip(['link', 'set', nsIf, 'netns', ns]);
    await this.ip(['addr', 'add', `${hostIp}/30`, 'dev', hostIf]);
    await this.ip(['link', 'set', hostIf, 'up']);
    await this.ip(['netns', 'exec', ns, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf]);
    await this.ip(['netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up']);
    await this.ip(['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    if (this.o.rateMbit <= 0) return;
    // Half the round trip each way, the full rate each way.
    const half = `${this.o.rttMs / 2}ms`;
    const rate = `${this.o.rateMbit}mbit`;
    const netem = await run('tc', ['qdisc', 'add', 'dev', hostIf, 'root', 'netem', 'delay', half, 'rate', rate], { check: false });
    if (netem.code === 0) {
      this.netem = true;
      await run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', nsIf, 'root', 'netem', 'delay', half, 'rate', rate]);
    } else {
      const tbf = ['root', 'tbf', 'rate', rate, 'burst', '256kb', 'latency', '200ms'];
      await run('tc', ['qdisc', 'add', 'dev', hostIf, ...tbf]);
      await run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', nsIf, ...tbf]);
    }
  }

  /** Bytes received by the root namespace from the WAN side (downloads from the bucket). */
  async rxBytes(): Promise<number> {
    return (await this.#counters()).rx.bytes;
  }

  /** Bytes the root namespace sent into the link (what whoever sits behind it downloaded from the host). */
  async txBytes(): Promise<number> {
    return (await this.#counters()).tx.bytes;
  }

  async #counters(): Promise<{ rx: { bytes: number }; tx: { bytes: number } }> {
    const r = await run('ip', ['-s', '-j', 'link', 'show', this.o.hostIf]);
    const [link] = JSON.parse(r.stdout) as { stats64?: { rx: { bytes: number }; tx: { bytes: number } } }[];
    if (!link?.stats64) throw new Error(`no counters for ${this.o.hostIf}`);
    return link.stats64;
  }

  /** Routes everything the namespace does not know through the host (other links' host ends stay reachable). */
  async defaultRouteViaHost(): Promise<void> {
    await this.ip(['netns', 'exec', this.o.namespace, 'ip', 'route', 'replace', 'default', 'via', this.o.hostIp]);
  }

  describe(): string {
    if (this.o.rateMbit <= 0) return `netns ${this.o.namespace}, veth ${this.o.hostIp}/30 ↔ ${this.o.nsIp}/30, unshaped (no tc qdisc)`;
    return this.netem
      ? `netns ${this.o.namespace}, veth ${this.o.hostIp}/30 ↔ ${this.o.nsIp}/30, netem delay ${this.o.rttMs / 2} ms each way (RTT ${this.o.rttMs} ms) rate ${this.o.rateMbit} Mbit/s`
      : `netns ${this.o.namespace}, veth ${this.o.hostIp}/30 ↔ ${this.o.nsIp}/30, tbf rate ${this.o.rateMbit} Mbit/s each way; this kernel has no sch_netem, so bench/delay-proxy.ts (inside the namespace, in front of the S3 server) adds ${this.o.rttMs / 2} ms each way (RTT +${this.o.rttMs} ms)`;
  }

  /** Removes the namespace (and with it the veth pair). Idempotent. */
  async teardown(): Promise<void> {
    await this.ip(['netns', 'del', this.o.namespace], false);
    await this.ip(['link', 'del', this.o.hostIf], false);
  }
}
