import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NodeConfig } from "@careledger/node";
import {
  type DevnetOptions,
  ensureKeyEncryptionKey,
  nodeHomeOf,
  writeDevnetLayout,
} from "@careledger/node/devnet";
import { fromHex, generateSecretKey, publicKeyOf, toHex } from "@careledger/protocol";
import { type StartExtras, spawnNodeProcess } from "./nodeProcess.js";

/** Output lines kept per node, for failure messages. */
const LOG_LINES_MAX = 2_000;

const POLL_MS = 50;

export interface StatusView {
  chain: string;
  node: string;
  primary: string;
  validators: string[];
  height: number;
  headHash: string;
  stateRoot: string;
  view: number;
  peers: number;
  syncing: boolean;
}

const PORT_BASE_MIN = 10_000;
/** Linux's default start of the ephemeral range, when /proc does not say. */
const EPHEMERAL_LOW_DEFAULT = 32_768;
const PORT_SEARCH_ATTEMPTS_MAX = 50;

/**
 * The lowest port the kernel hands to outgoing connections. Listening ports are chosen below it:
 * a port free when checked but inside the ephemeral range can be taken a moment later as the
 * source port of a node's own dial or of the test's fetch, and the node then fails to listen.
 */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > PORT_BASE_MIN ? port : EPHEMERAL_LOW_DEFAULT;
  } catch {
    return EPHEMERAL_LOW_DEFAULT;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/** A base port from which `count` consecutive ports on 127.0.0.1 are free right now. */
export async function freePortRange(count: number): Promise<number> {
  const span = ephemeralLow() - count - PORT_BASE_MIN;
  for (let attempt = 0; attempt < PORT_SEARCH_ATTEMPTS_MAX; attempt++) {
    const base = PORT_BASE_MIN + Math.floor(Math.random() * span);
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
      // A process that died will not answer later: say so now.
      if (error instanceof Error && error.message.includes("exited")) throw error;
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what} (last error: ${String(lastError)})`,
  );
}

/** N validator processes on 127.0.0.1, each started with `careledger start --home`. */
export class Cluster {
  private readonly processes = new Map<number, ChildProcess>();
  readonly logs = new Map<number, string[]>();
  /** API ports of nodes added after genesis (`addNode`), by index. */
  private readonly addedApiPorts = new Map<number, number>();

  protected constructor(
    readonly dir: string,
    readonly size: number,
    readonly apiPort: number,
    readonly p2pPort: number,
    /** What node i is started with besides its home (its passphrase). */
    private readonly extrasOf: (index: number) => StartExtras = () => ({}),
  ) {}

  /**
   * A cluster of homes already written under `dir` as `node-i` (by the ceremony's `careledger
   * init` and `genesis`), node i's API on `apiPort + i`.
   */
  static ofHomes(
    dir: string,
    size: number,
    ports: { readonly apiPort: number; readonly p2pPort: number },
    extrasOf: (index: number) => StartExtras,
  ): Cluster {
    return new Cluster(dir, size, ports.apiPort, ports.p2pPort, extrasOf);
  }

  static async create(size: number, params?: DevnetOptions["params"]): Promise<Cluster> {
    const dir = await mkdtemp(join(tmpdir(), "careledger-cluster-"));
    // API ports first, p2p ports right after: 2N consecutive ports found free.
    const apiPort = await freePortRange(2 * size);
    const p2pPort = apiPort + size;
    await writeDevnetLayout({ nodes: size, dir, apiPort, p2pPort, ...(params && { params }) });
    return new Cluster(dir, size, apiPort, p2pPort);
  }

  /**
   * Writes the home of a node that is not in genesis (a new key, the genesis file, every
   * genesis node as a peer) and returns its index and public key; governance must admit it.
   */
  async addNode(): Promise<{ index: number; nodeKey: string }> {
    const index = this.size + this.addedApiPorts.size;
    const apiPort = await freePortRange(2);
    const home = this.home(index);
    await mkdir(home, { recursive: true });
    const secret = generateSecretKey();
    const genesis = await readFile(join(this.home(0), "genesis.json"), "utf8");
    const base = JSON.parse(
      await readFile(join(this.home(0), "config.json"), "utf8"),
    ) as NodeConfig;
    const peers = Array.from({ length: this.size }, (_, i) => i).map(async (i) => {
      const config = JSON.parse(
        await readFile(join(this.home(i), "config.json"), "utf8"),
      ) as NodeConfig;
      const nodeKey = (await readFile(join(this.home(i), "node.key"), "utf8")).trim();
      return {
        nodeKey: toHex(publicKeyOf(fromHex(nodeKey, 32))),
        address: `/ip4/127.0.0.1/tcp/${config.p2pPort}`,
      };
    });
    const config: NodeConfig = {
      ...base,
      apiPort,
      p2pPort: apiPort + 1,
      peers: await Promise.all(peers),
    };
    await writeFile(join(home, "config.json"), JSON.stringify(config));
    await writeFile(join(home, "genesis.json"), genesis);
    await writeFile(join(home, "node.key"), toHex(secret));
    await ensureKeyEncryptionKey(home);
    this.addedApiPorts.set(index, apiPort);
    return { index, nodeKey: toHex(publicKeyOf(secret)) };
  }

  url(index: number): string {
    return `http://127.0.0.1:${this.addedApiPorts.get(index) ?? this.apiPort + index}`;
  }

  home(index: number): string {
    return nodeHomeOf(this.dir, index);
  }

  start(index: number): void {
    const lines = this.logs.get(index) ?? [];
    this.logs.set(index, lines);
    this.processes.set(index, this.spawnNode(index, lines));
  }

  /** Starts node `index`'s process; a cluster whose nodes run elsewhere (a namespace) says how. */
  protected spawnNode(index: number, lines: string[]): ChildProcess {
    return spawnNodeProcess(this.home(index), lines, {
      linesMax: LOG_LINES_MAX,
      extras: this.extrasOf(index),
    });
  }

  startAll(): void {
    for (let i = 0; i < this.size; i++) this.start(i);
  }

  /** Kills a node (SIGKILL by default: no chance to clean up) and waits for it to exit. */
  async kill(index: number, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.processes.get(index);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill(signal);
    await exited;
    this.processes.delete(index);
  }

  /** The operating-system process id of a running node (for /proc readings). */
  pid(index: number): number {
    const pid = this.processes.get(index)?.pid;
    if (pid === undefined) throw new Error(`node-${index} is not running`);
    return pid;
  }

  async status(index: number): Promise<StatusView> {
    this.assertAlive(index);
    const response = await fetch(`${this.url(index)}/v1/status`);
    if (!response.ok) throw new Error(`status ${response.status}`);
    return (await response.json()) as StatusView;
  }

  async waitForHeight(index: number, height: number, timeoutMs: number): Promise<StatusView> {
    return waitFor(`node-${index} at height ${height}`, timeoutMs, async () => {
      const status = await this.status(index);
      return status.height >= height ? status : undefined;
    });
  }

  /** The block hash at `height` on node `index`, from its API. */
  async blockHash(index: number, height: number): Promise<string> {
    const response = await fetch(`${this.url(index)}/v1/blocks/${height}`);
    if (!response.ok) throw new Error(`block ${height}: ${response.status}`);
    return ((await response.json()) as { hash: string }).hash;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((index) => this.kill(index, "SIGTERM")));
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((index) => this.kill(index)));
    await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * Throws, with the node's last output, when a node this cluster started has exited on its own:
   * waiting on it would only time out later without saying why.
   */
  private assertAlive(index: number): void {
    const child = this.processes.get(index);
    if (child === undefined) return;
    const { exitCode, signalCode } = child;
    if (exitCode === null && signalCode === null) return;
    throw new Error(
      `node-${index} exited (${exitCode ?? signalCode}); its last output:\n${this.logTail(index)}`,
    );
  }

  logTail(index: number, lines = 40): string {
    return (this.logs.get(index) ?? []).slice(-lines).join("\n");
  }
}
