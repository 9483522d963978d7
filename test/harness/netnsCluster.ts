import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevnetOptions, writeDevnetLayout } from "@careledger/node/devnet";
import { Cluster } from "./cluster.js";
import type { NetnsNetwork } from "./netns.js";
import { spawnNodeProcess } from "./nodeProcess.js";

/** Each node has a namespace of its own, so every node uses the same ports. */
const API_PORT = 8080;
const P2P_PORT = 26656;
/** Where the relay listens on the control address (apart from any address the API may use). */
const RELAY_PORT = 8000;
const RELAY = join(import.meta.dirname, "tcpRelay.mjs");
const LOG_LINES_MAX = 2_000;

/**
 * A devnet layout whose nodes run in the namespaces of a NetnsNetwork, formed by the devnet's
 * ceremony with each node listening on and announcing its bridge address (the genesis peers). The test reaches a
 * node's API through a TCP relay in its namespace, on the control link, started once the node
 * says where its API listens (today `host`; a node that keeps its API on loopback works the same).
 */
export class NetnsCluster extends Cluster {
  private readonly relays = new Map<number, ChildProcess>();

  private constructor(
    dir: string,
    readonly network: NetnsNetwork,
  ) {
    super(dir, network.size, API_PORT, P2P_PORT);
  }

  static async createIn(
    network: NetnsNetwork,
    params?: DevnetOptions["params"],
  ): Promise<NetnsCluster> {
    const dir = await mkdtemp(join(tmpdir(), "careledger-netns-"));
    const cluster = new NetnsCluster(dir, network);
    const nodes = network.size;
    // The devnet's ceremony (init per organization, genesis from the member files), each node
    // announcing its bridge address: the peers every node dials come from the genesis.
    await writeDevnetLayout({
      nodes,
      dir,
      apiPort: API_PORT,
      p2pPort: P2P_PORT,
      hosts: Array.from({ length: nodes }, (_, i) => network.nodeAddress(i)),
      ...(params && { params }),
    });
    return cluster;
  }

  override url(index: number): string {
    return `http://${this.network.controlAddress(index)}:${RELAY_PORT}`;
  }

  override async destroy(): Promise<void> {
    for (const relay of this.relays.values()) relay.kill("SIGKILL");
    this.relays.clear();
    await super.destroy();
  }

  protected override spawnNode(index: number, lines: string[]): ChildProcess {
    const launcher = ["ip", "netns", "exec", this.network.namespace(index)];
    const child = spawnNodeProcess(this.home(index), lines, { linesMax: LOG_LINES_MAX, launcher });
    let pending = "";
    const watch = (chunk: Buffer) => {
      pending += chunk.toString();
      const lineEnd = pending.lastIndexOf("\n");
      if (lineEnd < 0) return;
      const api = pending.slice(0, lineEnd).split("\n").map(apiOfListeningLine).find(Boolean);
      pending = pending.slice(lineEnd + 1);
      if (api === undefined) return;
      child.stdout?.off("data", watch);
      this.startRelay(index, api, lines);
    };
    child.stdout?.on("data", watch);
    return child;
  }

  /**
   * A relay from the control address to `api` (host:port), its output kept with the node's. One
   * per namespace: a restarted node listens where it did, so the first relay serves it again.
   */
  private startRelay(index: number, api: string, lines: string[]): void {
    if (this.relays.has(index)) return;
    const [host, port] = api.split(":") as [string, string];
    const relay = spawn(
      "ip",
      [
        "netns",
        "exec",
        this.network.namespace(index),
        process.execPath,
        RELAY,
        this.network.controlAddress(index),
        String(RELAY_PORT),
        host,
        port,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const keep = (chunk: Buffer) => lines.push(`[relay] ${chunk.toString().trim()}`);
    relay.stdout?.on("data", keep);
    relay.stderr?.on("data", keep);
    this.relays.set(index, relay);
  }
}

/** The API's host:port from the node's "listening" log line (a JSON line), or undefined. */
function apiOfListeningLine(line: string): string | undefined {
  if (!line.includes('"listening"')) return undefined;
  try {
    const { msg, api } = JSON.parse(line) as { msg?: string; api?: string };
    return msg === "listening" && api !== undefined ? new URL(api).host : undefined;
  } catch {
    return undefined;
  }
}
