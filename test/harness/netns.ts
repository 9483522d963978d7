import { execFileSync } from "node:child_process";

/**
 * Every name this harness gives a namespace, bridge or veth starts with it, then the run's tag
 * (the owning process id in base 36, five characters, and two random ones), then the role.
 * Interface names have at most 15 characters: `cln` + 7 + role + index fits.
 */
const PREFIX = "cln";
const STALE_NAME = /^cln([0-9a-z]{5})[0-9a-z]{2}[bcnp][0-9]+$/;
/** The namespace side of each node's two veths. */
const P2P_IF = "p2p";
const CONTROL_IF = "control";
/** Third octets tried for the control subnet before giving up (another run may hold one). */
const SUBNET_ATTEMPTS_MAX = 50;

/** Why network namespaces cannot be made here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "not running as root (ip netns needs CAP_SYS_ADMIN)";
  for (const tool of ["ip", "tc"]) {
    try {
      execFileSync(tool, ["-V"], { stdio: "ignore" });
    } catch {
      return `\`${tool}\` is not installed (Debian package iproute2)`;
    }
  }
  return null;
}

/** Runs `tool args` (ip or tc), its error saying what failed and why. */
function run(tool: "ip" | "tc", args: readonly string[]): string {
  try {
    return execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`${tool} ${args.join(" ")}: ${stderr.trim() || String(error)}`);
  }
}

const ip = (...args: string[]) => run("ip", args);

/** Runs `ip args`, ignoring failure: teardown removes what may already be gone. */
function ipQuiet(...args: string[]): void {
  try {
    execFileSync("ip", args, { stdio: "ignore" });
  } catch {
    // Already gone (a namespace's veths go with it), which is what teardown wants.
  }
}

function namespaceNames(): string[] {
  const listed = ip("-j", "netns", "list").trim();
  return listed === "" ? [] : (JSON.parse(listed) as { name: string }[]).map((ns) => ns.name);
}

function linkNames(): string[] {
  return (JSON.parse(ip("-j", "link", "show")) as { ifname: string }[]).map((link) => link.ifname);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Kills what runs in each namespace, then deletes the root-side veths (each takes its pair),
 * the bridges and the namespaces. Synchronous, so that a process 'exit' handler can run it.
 */
function remove(namespaces: readonly string[], links: readonly string[]): void {
  for (const ns of namespaces) {
    let pids: string[] = [];
    try {
      pids = ip("netns", "pids", ns).split("\n").filter(Boolean);
    } catch {
      // The namespace is gone already.
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Exited between the listing and the kill.
      }
    }
  }
  for (const link of links) ipQuiet("link", "del", link);
  for (const ns of namespaces) ipQuiet("netns", "delete", ns);
}

/**
 * Removes namespaces and links this harness made in runs whose process is gone (killed before
 * its cleanup ran). A live run's names are left alone, so runs can overlap.
 */
export function sweepStaleNetns(): string[] {
  const stale = (name: string) => {
    const owner = STALE_NAME.exec(name)?.[1];
    return owner !== undefined && !isAlive(Number.parseInt(owner, 36));
  };
  const namespaces = namespaceNames().filter(stale);
  const links = linkNames().filter(stale);
  remove(namespaces, links);
  return [...namespaces, ...links];
}

/** Bytes and packets a token bucket filter let through, and how often it held packets back. */
export interface TbfStats {
  readonly bytes: number;
  readonly packets: number;
  readonly overlimits: number;
}

/**
 * `count` network namespaces, each with a veth on a shared bridge (its p2p address,
 * 10.231.X.(i+1)/24) and a second veth straight to the root namespace (the control path the test
 * reaches its API through, 10.232.Y.(4i+2)/30, the root side at 4i+1), so a partition of the
 * bridge never cuts the test off from a node it is watching.
 */
export class NetnsNetwork {
  private readonly bridges: string[];
  private removed = false;

  private constructor(
    private readonly tag: string,
    readonly size: number,
    private readonly p2pSubnet: number,
    private readonly controlSubnet: number,
  ) {
    this.bridges = [this.name("b", 0)];
  }

  static create(size: number): NetnsNetwork {
    const random = Math.floor(Math.random() * 36 ** 2)
      .toString(36)
      .padStart(2, "0");
    const tag = `${process.pid.toString(36).padStart(5, "0")}${random}`;
    const network = new NetnsNetwork(
      tag,
      size,
      Math.floor(Math.random() * 256),
      NetnsNetwork.freeControlSubnet(),
    );
    try {
      network.build();
    } catch (error) {
      network.destroy();
      throw error;
    }
    return network;
  }

  /** A third octet no address of the root namespace uses under 10.232 (another run's). */
  private static freeControlSubnet(): number {
    const used = ip("-o", "-4", "addr", "show");
    for (let attempt = 0; attempt < SUBNET_ATTEMPTS_MAX; attempt++) {
      const octet = Math.floor(Math.random() * 256);
      if (!used.includes(`10.232.${octet}.`)) return octet;
    }
    throw new Error("no free 10.232.X.0/24 for the control links");
  }

  namespace(index: number): string {
    return this.name("n", index);
  }

  /** The node's own address on the bridge, where it listens for and dials its peers. */
  nodeAddress(index: number): string {
    return `10.231.${this.p2pSubnet}.${index + 1}`;
  }

  /** The namespace side of its control link, which the root namespace reaches directly. */
  controlAddress(index: number): string {
    return `10.232.${this.controlSubnet}.${4 * index + 2}`;
  }

  /** Pulls the bridge-side end of node `index`'s p2p veth down: it is cut off from its peers. */
  linkDown(index: number): void {
    ip("link", "set", this.p2pEnd(index), "down");
  }

  linkUp(index: number): void {
    ip("link", "set", this.p2pEnd(index), "up");
  }

  /** Puts each group's p2p veths on a bridge of its own: groups reach within, never across. */
  split(groups: readonly (readonly number[])[]): void {
    for (const [g, group] of groups.entries()) {
      const bridge = this.bridge(g);
      for (const index of group) ip("link", "set", this.p2pEnd(index), "master", bridge);
    }
  }

  /** Every p2p veth back on the first bridge. */
  heal(): void {
    const [bridge] = this.bridges as [string];
    for (let i = 0; i < this.size; i++) ip("link", "set", this.p2pEnd(i), "master", bridge);
  }

  /** A token bucket filter of `rate` (tc syntax: "256kbit") on both ends of node `index`'s link. */
  limitBandwidth(index: number, rate: string, burst: string): void {
    const tbf = ["root", "tbf", "rate", rate, "burst", burst, "latency", "500ms"];
    run("tc", ["qdisc", "replace", "dev", this.p2pEnd(index), ...tbf]);
    run("tc", ["-n", this.namespace(index), "qdisc", "replace", "dev", P2P_IF, ...tbf]);
  }

  /** The filter's counters on what node `index` sends (the namespace side of its link). */
  tbfStats(index: number): TbfStats {
    const shown = run("tc", [
      "-n",
      this.namespace(index),
      "-s",
      "-j",
      "qdisc",
      "show",
      "dev",
      P2P_IF,
    ]);
    const qdiscs = JSON.parse(shown) as {
      kind: string;
      bytes: number;
      packets: number;
      overlimits: number;
    }[];
    const tbf = qdiscs.find((qdisc) => qdisc.kind === "tbf");
    if (tbf === undefined) throw new Error(`no tbf on node-${index}'s link`);
    return { bytes: tbf.bytes, packets: tbf.packets, overlimits: tbf.overlimits };
  }

  /** Removes everything this network made (and kills what runs inside); safe to call twice. */
  destroy(): void {
    if (this.removed) return;
    this.removed = true;
    const indexes = Array.from({ length: this.size }, (_, i) => i);
    remove(
      indexes.map((i) => this.namespace(i)),
      [...indexes.flatMap((i) => [this.p2pEnd(i), this.name("c", i)]), ...this.bridges],
    );
  }

  private build(): void {
    ip("link", "add", this.bridges[0] as string, "type", "bridge");
    ip("link", "set", this.bridges[0] as string, "up");
    for (let i = 0; i < this.size; i++) {
      const ns = this.namespace(i);
      ip("netns", "add", ns);
      ip("-n", ns, "link", "set", "lo", "up");
      ip("link", "add", this.p2pEnd(i), "type", "veth", "peer", "name", P2P_IF, "netns", ns);
      ip("link", "set", this.p2pEnd(i), "master", this.bridges[0] as string, "up");
      ip("-n", ns, "addr", "add", `${this.nodeAddress(i)}/24`, "dev", P2P_IF);
      ip("-n", ns, "link", "set", P2P_IF, "up");
      const control = this.name("c", i);
      ip("link", "add", control, "type", "veth", "peer", "name", CONTROL_IF, "netns", ns);
      ip("addr", "add", `10.232.${this.controlSubnet}.${4 * i + 1}/30`, "dev", control);
      ip("link", "set", control, "up");
      ip("-n", ns, "addr", "add", `${this.controlAddress(i)}/30`, "dev", CONTROL_IF);
      ip("-n", ns, "link", "set", CONTROL_IF, "up");
    }
  }

  private bridge(index: number): string {
    while (this.bridges.length <= index) {
      const bridge = this.name("b", this.bridges.length);
      ip("link", "add", bridge, "type", "bridge");
      ip("link", "set", bridge, "up");
      this.bridges.push(bridge);
    }
    return this.bridges[index] as string;
  }

  private p2pEnd(index: number): string {
    return this.name("p", index);
  }

  private name(role: "b" | "c" | "n" | "p", index: number): string {
    return `${PREFIX}${this.tag}${role}${index}`;
  }
}
